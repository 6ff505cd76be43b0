// Idle timeouts. Each socket holds its own deadline; the core keeps a lower bound
// of the earliest one so that arming and refreshing are O(1). tick() scans, fires what
// is due and recomputes the bound exactly. nextDeadline() may therefore be early,
// never late: waking early costs one scan that fires nothing.

/** lower bound of every armed deadline, or -1 when none is armed */
let bound: f64 = -1;

export function noteDeadline(d: f64): void {
  if (bound < 0 || d < bound) bound = d;
}

export function nextDeadline(): f64 {
  return bound;
}

export function setBound(b: f64): void {
  bound = b;
}

export function timersInit(): void {
  bound = -1;
}
