/**
 * Host -> guest calls of the sandbox's entry points (the other direction of
 * host-calls.ts), without quickjs-emscripten's per-call handles.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import { TAG_INT, type GuestHeap } from "./heap.ts";

interface CallInternals {
  ctx: { value: number };
  module: { _malloc(n: number): number; _free(p: number): void };
  ffi: {
    QTS_Call(ctx: number, fn: number, thisVal: number, argc: number, argv: number): number;
    QTS_ResolveException(ctx: number, v: number): number;
    QTS_FreeValuePointer(ctx: number, v: number): void;
  };
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
}

/** An argument of a host -> guest call: an int32 number, or a handle. */
export type CallArg = number | QuickJSHandle;

/** Slots for the int arguments of one call: JSValues, then the argv pointer array. */
const MAX_ARGS = 8;

/**
 * Host -> guest calls of the sandbox's entry points without the library's
 * per-call handles: an int argument is written as a JSValue (payload, int tag)
 * into a slot allocated once, other arguments pass their handle's JSValue, and
 * an int result is read where it lies (see heap.ts). Every call through the
 * library makes a handle per argument, a malloc'ed argv array and a type
 * string for the result. Needs a calibrated GuestHeap; without one the caller
 * keeps `ctx.callFunction`.
 */
export class EntryCaller {
  readonly #c: CallInternals;
  readonly #heap: GuestHeap;
  readonly #slots: number;
  readonly #argv: number;
  readonly #undefinedPtr: number;

  private constructor(c: CallInternals, heap: GuestHeap, undefinedPtr: number) {
    this.#c = c;
    this.#heap = heap;
    this.#undefinedPtr = undefinedPtr;
    this.#slots = c.module._malloc(MAX_ARGS * 12);
    this.#argv = this.#slots + MAX_ARGS * 8;
  }

  static create(ctx: QuickJSContext, heap: GuestHeap | null): EntryCaller | null {
    if (heap === null) return null;
    const c = ctx as unknown as Partial<CallInternals>;
    if (typeof c.ctx?.value !== "number" || typeof c.module?._malloc !== "function" || typeof c.ffi?.QTS_Call !== "function") return null;
    if (typeof c.ffi.QTS_ResolveException !== "function" || typeof c.memory?.heapValueHandle !== "function") return null;
    return new EntryCaller(c as CallInternals, heap, ctx.undefined.value as unknown as number);
  }

  /**
   * Calls `fn` with `args` (int32 numbers, or handles the caller keeps and
   * disposes). Returns the result when it is an int32 (else 0), or the thrown
   * value as a handle that the caller disposes.
   */
  call(fn: QuickJSHandle, args: readonly CallArg[]): number | { error: QuickJSHandle } {
    const n = args.length;
    if (n > MAX_ARGS) throw new RangeError("EntryCaller: too many arguments");
    const H = this.#heap.words();
    const slots = this.#slots;
    const argv = this.#argv;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (typeof a === "number") {
        H[(slots >>> 2) + 2 * i] = a;
        H[(slots >>> 2) + 2 * i + 1] = TAG_INT;
        H[(argv >>> 2) + i] = slots + 8 * i;
      } else {
        H[(argv >>> 2) + i] = a.value as unknown as number;
      }
    }
    const ffi = this.#c.ffi;
    const ctx = this.#c.ctx.value;
    const res = ffi.QTS_Call(ctx, fn.value as unknown as number, this.#undefinedPtr, n, argv);
    const err = ffi.QTS_ResolveException(ctx, res);
    if (err !== 0) {
      ffi.QTS_FreeValuePointer(ctx, res);
      return { error: this.#c.memory.heapValueHandle(err) };
    }
    const ret = this.#heap.int(res) ?? 0;
    ffi.QTS_FreeValuePointer(ctx, res);
    return ret;
  }

  /** Frees the slots (the context must still be alive). */
  dispose(): void {
    this.#c.module._free(this.#slots);
  }
}

/** Whether `n` can travel as an int slot. */
export function isInt32(n: unknown): n is number {
  return typeof n === "number" && (n | 0) === n && !Object.is(n, -0);
}
