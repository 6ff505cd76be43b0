// The event queue: fixed-size records in a power-of-two ring, drained by the host.
//
// Record layout (16 bytes, little-endian):
//
//    0        4        8        12       16
//    ┌────────┬────────┬────────┬────────┐
//    │ kind   │ handle │ a      │ b      │
//    └────────┴────────┴────────┴────────┘
//
// Inputs refuse work (WouldBlock) once SOFT_LIMIT records wait, so the queue is
// bounded by SOFT_LIMIT plus the few records that one input or one pop may add.

import { CHECKS } from "./checks";
export const REC: usize = 16;
/** inputs return WouldBlock at this many waiting records */
export const SOFT_LIMIT: i32 = 4096;
const FIRST_CAP: i32 = 64;

let ring: usize = 0;
let cap: i32 = 0;        // records; a power of two
let head: i32 = 0;       // index of the oldest record
let count: i32 = 0;      // waiting records; 0 <= count <= cap

export function evInit(): void {
  cap = FIRST_CAP;
  ring = heap.alloc(<usize>cap * REC);
  head = 0;
  count = 0;
}

export function evCount(): i32 {
  return count;
}

/** true while an input may still queue records */
export function evHasRoom(): bool {
  return count < SOFT_LIMIT;
}

export function evPush(kind: i32, h: u32, a: i32, b: i32): void {
  if (count == cap) grow();
  const p = ring + <usize>((head + count) & (cap - 1)) * REC;
  store<i32>(p, kind);
  store<u32>(p, h, 4);
  store<i32>(p, a, 8);
  store<i32>(p, b, 12);
  count++;
}

/** the oldest record; only when evCount() > 0 */
export function evHead(): usize {
  if (CHECKS) assert(count > 0); // callers check first
  return ring + <usize>head * REC;
}

export function evDropHead(): void {
  if (CHECKS) assert(count > 0);
  head = (head + 1) & (cap - 1);
  count--;
}

function grow(): void {
  const ncap = cap << 1;
  const nring = heap.alloc(<usize>ncap * REC);
  const first = min(count, cap - head); // records before the wrap
  memory.copy(nring, ring + <usize>head * REC, <usize>first * REC);
  memory.copy(nring + <usize>first * REC, ring, <usize>(count - first) * REC);
  heap.free(ring);
  ring = nring;
  cap = ncap;
  head = 0;
}
