/**
 * Host bytes into a new guest ArrayBuffer, for the 'data' events: one malloc in
 * the wasm heap, one copy into it, and QuickJS takes the block as the
 * ArrayBuffer's storage (`QTS_NewArrayBuffer` hands ownership over; QuickJS
 * frees it with the ArrayBuffer).
 *
 * quickjs-emscripten's `newArrayBuffer` does the same for a whole ArrayBuffer,
 * but given a view of part of one (what a socket read hands over) it first
 * copies the view into a new JS ArrayBuffer: a second copy, on fresh memory,
 * about 8 µs for 64 KiB here.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";

interface Internals {
  ctx: { value: number };
  module: { _malloc(n: number): number; HEAPU8: Uint8Array };
  ffi: { QTS_NewArrayBuffer(ctx: number, buffer: number, length: number): number };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
}

export class GuestBytes {
  readonly #ctx: QuickJSContext;
  readonly #c: Internals | null;

  constructor(ctx: QuickJSContext) {
    this.#ctx = ctx;
    const c = ctx as unknown as Partial<Internals>;
    const ok = typeof c.ctx?.value === "number" && typeof c.module?._malloc === "function" &&
      typeof c.ffi?.QTS_NewArrayBuffer === "function" && typeof c.memory?.heapValueHandle === "function";
    this.#c = ok ? (c as Internals) : null;
  }

  /** A new guest ArrayBuffer holding a copy of `bytes`; the caller disposes the handle. */
  arrayBuffer(bytes: Uint8Array): QuickJSHandle {
    const c = this.#c;
    if (c === null) {
      const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      return this.#ctx.newArrayBuffer(whole ? bytes.buffer : bytes.slice().buffer);
    }
    const len = bytes.byteLength;
    const ptr = c.module._malloc(len);
    if (ptr === 0) throw new RangeError("wasock: the sandbox's heap has no room for a read");
    // HEAPU8 after the malloc: growing the memory replaces the view
    c.module.HEAPU8.set(bytes, ptr);
    return c.memory.heapValueHandle(c.ffi.QTS_NewArrayBuffer(c.ctx.value, ptr, len));
  }
}
