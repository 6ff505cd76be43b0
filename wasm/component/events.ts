// The list<event> that `poll` returns, built in our memory.
//
// event (world.wit), canonical-ABI layout: size 24, align 4
//
//    0      1        4          8     12    16          20          24
//    ┌──────┬────────┬──────────┬─────┬─────┬───────────┬───────────┐
//    │ kind │ pad    │ handle   │ a   │ b   │ data ptr  │ data len  │
//    └──────┴────────┴──────────┴─────┴─────┴───────────┴───────────┘
//
// Data blocks are heap blocks owned by the list until cabi_post frees them.

export const EVENT_SIZE: usize = 24;

let buf: usize = 0;
let cap: i32 = 0;
let count: i32 = 0;

function room(): void {
  if (count < cap) return;
  const ncap = cap == 0 ? 64 : cap << 1;
  const nbuf = heap.alloc(<usize>ncap * EVENT_SIZE);
  if (buf != 0) {
    memory.copy(nbuf, buf, <usize>count * EVENT_SIZE);
    heap.free(buf);
  }
  buf = nbuf;
  cap = ncap;
}

/** Queues an event, copying `len` data bytes from `data`. */
export function pushEvent(kind: i32, h: u32, a: i32, b: i32, data: usize, len: i32): void {
  let p: usize = 0;
  if (len > 0) {
    p = heap.alloc(<usize>len);
    memory.copy(p, data, <usize>len);
  }
  put(kind, h, a, b, p, len);
}

/** Queues a Data event that takes ownership of the heap block `data`. */
export function pushEventOwned(kind: i32, h: u32, data: usize, len: i32): void {
  put(kind, h, 0, 0, data, len);
}

function put(kind: i32, h: u32, a: i32, b: i32, data: usize, len: i32): void {
  room();
  const r = buf + <usize>count * EVENT_SIZE;
  store<u8>(r, <u8>kind);
  store<u32>(r, h, 4);
  store<i32>(r, a, 8);
  store<i32>(r, b, 12);
  store<u32>(r, <u32>data, 16);
  store<u32>(r, <u32>len, 20);
  count++;
}

export function eventCount(): i32 {
  return count;
}

/**
 * Hands the queued events over as a list: writes (ptr, len) at `ret`. The buffer
 * belongs to the caller until `freeEvents` (cabi_post) runs.
 */
let handedBuf: usize = 0;
let handedCount: i32 = 0;

export function handOver(ret: usize): void {
  freeEvents();
  handedBuf = buf;
  handedCount = count;
  store<u32>(ret, <u32>buf);
  store<u32>(ret, <u32>count, 4);
  buf = 0;
  cap = 0;
  count = 0;
}

export function freeEvents(): void {
  if (handedBuf == 0) return;
  for (let i = 0; i < handedCount; i++) {
    const r = handedBuf + <usize>i * EVENT_SIZE;
    const d = <usize>load<u32>(r, 16);
    if (d != 0) heap.free(d); // copies or adopted blocks: ours
  }
  heap.free(handedBuf);
  handedBuf = 0;
  handedCount = 0;
}
