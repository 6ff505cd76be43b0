// Canonical-ABI memory glue: the allocator the component host calls to place
// arguments and returned lists in our memory, and helpers to free them.
//
// Memory handed to the host comes from AssemblyScript's TLSF heap (`heap.alloc`),
// which is unmanaged: the garbage collector never moves or frees it. Blocks are
// 16-byte aligned, enough for every canonical-ABI alignment (at most 8).

/** Address returned for zero-sized allocations: never freed, never written. */
const EMPTY: usize = memory.data(8, 8);

/**
 * Blocks handed out by cabi_realloc and not yet consumed, with their sizes. A
 * (ptr, len) argument is only read or freed when it lies inside such a block, so a
 * forged pointer gets out-of-bounds instead of corrupting the heap.
 */
const grants = new Map<usize, usize>();

/**
 * `cabi_realloc(old, old_size, align, new_size)`: the canonical ABI's allocator.
 * Exported under this exact name. Traps (unreachable) only when memory is exhausted,
 * which the component model treats as the callee failing.
 */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old != 0 && old != EMPTY) {
    if (!grants.has(old)) unreachable(); // the host only reallocates what we gave it
    grants.delete(old);
  }
  if (newSize == 0) {
    if (old != 0 && old != EMPTY) heap.free(old);
    return EMPTY;
  }
  const p = old == 0 || old == EMPTY ? heap.alloc(newSize) : heap.realloc(old, newSize);
  grants.set(p, newSize);
  return p;
}

/** true when [ptr, ptr+len) lies in a block cabi_realloc handed out (or len is 0). */
export function granted(ptr: usize, len: usize): bool {
  if (len == 0) return true;
  return grants.has(ptr) && len <= grants.get(ptr);
}

/** Frees a list or string the host allocated through cabi_realloc. */
export function freeList(ptr: usize, len: usize): void {
  if (ptr == 0 || ptr == EMPTY || !grants.has(ptr)) return;
  grants.delete(ptr);
  heap.free(ptr);
}

/** Takes a granted block out of the grant table: the caller now owns it (heap.free). */
export function adopt(ptr: usize): void {
  grants.delete(ptr);
}

/** Blocks granted and not consumed: 0 between calls (the leak check). */
export function grantCount(): i32 {
  return grants.size;
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
