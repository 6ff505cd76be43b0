// Quotas and counters of this core instance (one instance = one quota domain).

/** sockets and servers alive at once */
import { CHECKS } from "./checks";
export let maxSockets: i32 = 0;
/** bytes buffered per socket: queued writes + paused reads; <= i32.MAX_VALUE so that the
 *  per-socket counters (i32) cannot overflow */
export let maxPerSocket: i64 = 0;
/** bytes buffered over all sockets */
export let maxTotal: i64 = 0;

// Invariant: buffered == sum over live sockets of (queued + read-buffer length).
export let buffered: i64 = 0;
export let sockets: i32 = 0;
export let servers: i32 = 0;
export let totalRead: u64 = 0;
export let totalWritten: u64 = 0;

export function limitsInit(sockMax: i32, perSocket: i64, total: i64): void {
  maxSockets = sockMax;
  maxPerSocket = min(perSocket, <i64>i32.MAX_VALUE);
  maxTotal = total;
  buffered = 0;
  sockets = 0;
  servers = 0;
  totalRead = 0;
  totalWritten = 0;
}

export function entriesFull(): bool {
  return sockets + servers >= maxSockets;
}

/** true when `more` bytes fit both the socket's and the core's quota */
export function fits(socketHeld: i64, more: i64): bool {
  return socketHeld + more <= maxPerSocket && buffered + more <= maxTotal;
}

export function addBuffered(n: i64): void {
  buffered += n;
  if (CHECKS) assert(buffered >= 0); // releases never exceed what was accounted
}

export function countSocket(d: i32): void {
  sockets += d;
}

export function countServer(d: i32): void {
  servers += d;
}

export function countRead(n: i32): void {
  totalRead += <u64>n;
}

export function countWritten(n: i32): void {
  totalWritten += <u64>n;
}
