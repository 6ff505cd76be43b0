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
