/**
 * Guest -> host calls without quickjs-emscripten's per-call machinery.
 *
 * quickjs-emscripten 0.32 runs every host function through a Scope, a
 * generator (`maybeAsync`, for its asyncify builds) and one WeakLifetime per
 * argument: about 4-8 µs per call on this machine, against about 0.2 µs for
 * the wasm -> JS crossing itself. A guest `socket.write()` is one host call,
 * so that overhead was a large share of a pingpong round trip.
 *
 * The sandbox's host functions are still created with `ctx.newFunction` (so
 * the library owns the function objects and their host references), but the
 * context's C -> host callback is wrapped: a call whose host function carries
 * a fast implementation runs it directly, with arguments as borrowed
 * WeakLifetimes and the result handed back as the library does (a dup'ed
 * pointer, the handle disposed; a thrown error through QTS_Throw). Everything
 * else goes to the library's own callback. This uses the library's internals
 * (the version is pinned, as in jobs.ts); when they are not there, every call
 * takes the library's path.
 */
import { WeakLifetime, type QuickJSContext, type QuickJSHandle } from "quickjs-emscripten";
import type { GuestHeap } from "./heap.ts";

/** A host function: borrowed argument handles in, a handle the caller disposes (or undefined) out. */
export type HostImpl = (args: QuickJSHandle[]) => QuickJSHandle | undefined;

type CFunction = (ctx: number, thisPtr: number, argc: number, argv: number, fnId: number) => number;

interface ContextInternals {
  cToHostCallbacks: { callFunction: CFunction };
  ctx: { value: number };
  runtime: { hostRefs: { get(id: number): unknown } };
  ffi: {
    QTS_ArgvGetJSValueConstPointer(argv: number, i: number): number;
    QTS_DupValuePointer(ctx: number, ptr: number): number;
    QTS_Throw(ctx: number, ptr: number): number;
  };
  memory: { copyJSValue: unknown; freeJSValue: unknown };
}

const FAST = Symbol("wasock.fastHostCall");

function internals(ctx: QuickJSContext): ContextInternals | null {
  const c = ctx as unknown as Partial<ContextInternals>;
  if (typeof c.cToHostCallbacks?.callFunction !== "function") return null;
  if (typeof c.ctx?.value !== "number" || typeof c.runtime?.hostRefs?.get !== "function") return null;
  if (typeof c.ffi?.QTS_ArgvGetJSValueConstPointer !== "function" || typeof c.ffi.QTS_DupValuePointer !== "function" || typeof c.ffi.QTS_Throw !== "function") return null;
  if (c.memory === undefined) return null;
  return c as ContextInternals;
}

function isStatic(ctx: QuickJSContext, h: QuickJSHandle): boolean {
  return h === ctx.undefined || h === ctx.null || h === ctx.true || h === ctx.false;
}

/**
 * Installs the fast path on `ctx` (once per context). `toError` turns a host
 * exception into a guest error handle. Returns whether the fast path is on.
 */
export function installFastHostCalls(ctx: QuickJSContext, toError: (e: unknown) => QuickJSHandle): boolean {
  const c = internals(ctx);
  if (c === null) return false;
  const slow = c.cToHostCallbacks.callFunction;
  const ctxPtr = c.ctx.value;
  const refs = c.runtime.hostRefs;
  const ffi = c.ffi;
  const { copyJSValue, freeJSValue } = c.memory;
  const owner = (ctx as unknown as { runtime: unknown }).runtime;
  c.cToHostCallbacks.callFunction = (cp, thisPtr, argc, argv, fnId) => {
    const fn = refs.get(fnId);
    const impl = cp === ctxPtr && typeof fn === "function" ? (fn as { [FAST]?: HostImpl })[FAST] : undefined;
    if (impl === undefined) return slow(cp, thisPtr, argc, argv, fnId);
    const args = new Array<QuickJSHandle>(argc);
    for (let i = 0; i < argc; i++) {
      args[i] = new WeakLifetime(ffi.QTS_ArgvGetJSValueConstPointer(argv, i), copyJSValue as never, freeJSValue as never, owner as never) as unknown as QuickJSHandle;
    }
    let result: QuickJSHandle | undefined;
    try {
      result = impl(args);
    } catch (e) {
      const err = toError(e);
      try {
        return ffi.QTS_Throw(ctxPtr, err.value as unknown as number);
      } finally {
        err.dispose();
      }
    } finally {
      for (let i = 0; i < argc; i++) args[i]!.dispose();
    }
    if (result === undefined) return 0;
    const ptr = ffi.QTS_DupValuePointer(ctxPtr, result.value as unknown as number);
    if (!isStatic(ctx, result)) result.dispose();
    return ptr;
  };
  return true;
}

/** Install `impl` as `obj[name]`, on the fast path when it is installed. */
export function defineHostFunction(ctx: QuickJSContext, obj: QuickJSHandle, name: string, impl: HostImpl, toError: (e: unknown) => QuickJSHandle): void {
  const fn = (...args: QuickJSHandle[]) => {
    try {
      return impl(args);
    } catch (e) {
      return { error: toError(e) };
    }
  };
  (fn as { [FAST]?: HostImpl })[FAST] = impl;
  const f = ctx.newFunction(name, fn);
  ctx.setProp(obj, name, f);
  f.dispose();
}

interface CallInternals {
  ctx: { value: number };
  module: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
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
  #words: Int32Array | null = null;

  private constructor(c: CallInternals, heap: GuestHeap, undefinedPtr: number) {
    this.#c = c;
    this.#heap = heap;
    this.#undefinedPtr = undefinedPtr;
    this.#slots = c.module._malloc(MAX_ARGS * 12);
    this.#argv = this.#slots + MAX_ARGS * 8;
  }

  static create(ctx: QuickJSContext, heap: GuestHeap | null): EntryCaller | null {
    if (heap === null || process.env.WASOCK_QUICKJS_NO_HEAP === "1") return null;
    const c = ctx as unknown as Partial<CallInternals>;
    if (typeof c.ctx?.value !== "number" || typeof c.module?._malloc !== "function" || typeof c.ffi?.QTS_Call !== "function") return null;
    if (typeof c.ffi.QTS_ResolveException !== "function" || typeof c.memory?.heapValueHandle !== "function") return null;
    return new EntryCaller(c as CallInternals, heap, ctx.undefined.value as unknown as number);
  }

  #H(): Int32Array {
    const b = this.#c.module.HEAPU8.buffer;
    let w = this.#words;
    if (w === null || w.buffer !== b) w = this.#words = new Int32Array(b, 0, b.byteLength >>> 2);
    return w;
  }

  /**
   * Calls `fn` with `args` (int32 numbers, or handles the caller keeps and
   * disposes). Returns the result when it is an int32 (else 0), or the thrown
   * value as a handle that the caller disposes.
   */
  call(fn: QuickJSHandle, args: readonly CallArg[]): number | { error: QuickJSHandle } {
    const n = args.length;
    if (n > MAX_ARGS) throw new RangeError("EntryCaller: too many arguments");
    const H = this.#H();
    const slots = this.#slots;
    const argv = this.#argv;
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      if (typeof a === "number") {
        H[(slots >>> 2) + 2 * i] = a;
        H[(slots >>> 2) + 2 * i + 1] = 0; // JS_TAG_INT
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
