// Canonical-ABI memory glue: the allocator the component host calls to place
// arguments and returned lists in our memory, and helpers to free them.
//
// Memory handed to the host comes from AssemblyScript's TLSF heap (`heap.alloc`),
// which is unmanaged: the garbage collector never moves or frees it. Blocks are
// 16-byte aligned, enough for every canonical-ABI alignment (at most 8).

/** Address returned for zero-sized allocations: never freed, never written. */
const EMPTY: usize = memory.data(8, 8);

/**
 * `cabi_realloc(old, old_size, align, new_size)`: the canonical ABI's allocator.
 * Exported under this exact name. Traps (unreachable) only when memory is exhausted,
 * which the component model treats as the callee failing.
 */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (newSize == 0) {
    if (old != 0 && old != EMPTY) heap.free(old);
    return EMPTY;
  }
  if (old == 0 || old == EMPTY) return heap.alloc(newSize);
  return heap.realloc(old, newSize);
}

/** Frees a list or string the host allocated through cabi_realloc. */
export function freeList(ptr: usize, len: usize): void {
  if (len != 0 && ptr != 0 && ptr != EMPTY) heap.free(ptr);
}

/** Copies a UTF-8 string argument out of linear memory. */
export function stringFrom(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len, false);
}

/**
 * Fatal errors: the module's `abort`. A component has no host function to throw
 * with, so a fatal error traps; the host sees the trap as a thrown error
 * (jco: a RuntimeError; Wasmtime: a trap), never a process exit.
 */
export function fatal(msg: string | null, file: string | null, line: u32, col: u32): void {
  unreachable();
}
