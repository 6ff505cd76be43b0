// The connection table: slots with generations.
//
// A handle is `index | generation << 16` with a 15-bit generation in 1..0x7fff, so a
// handle is always a positive i32 and 0 is never issued. Freeing a slot bumps its
// generation: a stale handle then names a generation that no longer matches and gets
// invalid-handle. A slot whose generation would pass 0x7fff is retired, never reused.
// Free slots are reused first-in first-out so that generations wear evenly.

import { CHECKS } from "./checks";
export const MAX_CAPACITY: i32 = 65535;
const MAX_GEN: u32 = 0x7fff;

/** Entry.flags bits 0-1; Socket and Server use the bits above (entries.ts). */
export const E_SERVER: u32 = 1 << 0;
export const E_REFED: u32 = 1 << 1;

/** `flags` with `bit` set or cleared */
@inline export function withBit(flags: u32, bit: u32, on: bool): u32 {
  return on ? flags | bit : flags & ~bit;
}

/**
 * Common head of sockets and servers: the handle, then one word of flags that
 * the subclasses share (their booleans and small enums are bits of it, behind
 * accessors, so that an idle socket stays small).
 */
export class Entry {
  handle: u32 = 0;
  flags: u32 = E_REFED;

  @inline get isServer(): bool { return (this.flags & E_SERVER) != 0; }
  @inline set isServer(on: bool) { this.flags = withBit(this.flags, E_SERVER, on); }
  @inline get refed(): bool { return (this.flags & E_REFED) != 0; }
  @inline set refed(on: bool) { this.flags = withBit(this.flags, E_REFED, on); }
}

let capacity: i32 = 0;
let slots: StaticArray<Entry | null> = new StaticArray<Entry | null>(0);
let gens: StaticArray<u16> = new StaticArray<u16>(0); // next generation per slot; > MAX_GEN: retired
let freeRing: StaticArray<u16> = new StaticArray<u16>(0);
let freeHead: i32 = 0;
let freeCount: i32 = 0;
let live: i32 = 0;       // entries in use; live + freeCount + retired == capacity

export function tableInit(cap: i32): void {
  capacity = cap;
  slots = new StaticArray<Entry | null>(cap);
  gens = new StaticArray<u16>(cap);
  freeRing = new StaticArray<u16>(cap);
  for (let i = 0; i < cap; i++) {
    unchecked(gens[i] = 1);
    unchecked(freeRing[i] = <u16>i);
  }
  freeHead = 0;
  freeCount = cap;
  live = 0;
}

export function tableCapacity(): i32 {
  return capacity;
}

export function tableLive(): i32 {
  return live;
}

/** Stores `e` and returns its new handle, or 0 when no slot is free. */
export function tableAdd(e: Entry): u32 {
  if (freeCount == 0) return 0;
  const idx = <i32>unchecked(freeRing[freeHead]);
  freeHead = freeHead + 1 == capacity ? 0 : freeHead + 1;
  freeCount--;
  if (CHECKS) assert(unchecked(slots[idx]) === null); // only free slots are in the ring
  const h = <u32>idx | (<u32>unchecked(gens[idx]) << 16);
  unchecked(slots[idx] = e);
  e.handle = h;
  live++;
  return h;
}

/** The entry a handle names, or null for a stale, forged or free handle. */
export function tableGet(h: u32): Entry | null {
  const idx = <i32>(h & 0xffff);
  const gen = h >>> 16;
  if (idx >= capacity || gen == 0 || gen > MAX_GEN) return null;
  if (<u32>unchecked(gens[idx]) != gen) return null;
  return unchecked(slots[idx]);
}

/** Frees the slot of a live handle and bumps its generation. */
export function tableRemove(h: u32): void {
  const idx = <i32>(h & 0xffff);
  if (CHECKS) assert(tableGet(h) !== null); // only live handles are removed
  unchecked(slots[idx] = null);
  const next = <u32>unchecked(gens[idx]) + 1;
  unchecked(gens[idx] = <u16>next);
  live--;
  if (next > MAX_GEN) return; // retired
  let tail = freeHead + freeCount;
  if (tail >= capacity) tail -= capacity;
  unchecked(freeRing[tail] = <u16>idx);
  freeCount++;
}

/** The entry in slot `idx` (for scans such as timers), or null. */
export function tableAt(idx: i32): Entry | null {
  return unchecked(slots[idx]);
}
