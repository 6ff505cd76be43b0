/**
 * QuickJS's pending jobs (promise reactions), run without quickjs-emscripten's
 * `executePendingJobs`.
 *
 * quickjs-emscripten 0.32.0 reads the job's context pointer back through a
 * typed array made before the call. When the jobs grow the wasm memory, that
 * view is detached, the pointer reads as `undefined`, and the library wraps a
 * brand-new JSContext that nobody frees: `JS_FreeRuntime` then asserts on
 * `gc_obj_list` (seen after a 10k-command RESP pipeline). This version reads
 * the pointer through a view made after the call. It uses the library's
 * internals (the version is pinned); if they are not there, it falls back to
 * the library's method.
 */
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from "quickjs-emscripten";

interface Internals {
  module: { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array };
  ffi: {
    QTS_ExecutePendingJob(rt: number, max: number, out: number): number;
    QTS_FreeValuePointerRuntime(rt: number, v: number): void;
    QTS_IsJobPending(rt: number): number;
  };
  rt: { value: number };
}

interface ContextInternals {
  memory: { heapValueHandle(ptr: number): QuickJSHandle };
}

function internals(rt: QuickJSRuntime, ctx: QuickJSContext): [Internals, ContextInternals] | null {
  const r = rt as unknown as Partial<Internals>;
  const c = ctx as unknown as Partial<ContextInternals>;
  if (typeof r.module?._malloc !== "function" || typeof r.ffi?.QTS_ExecutePendingJob !== "function" || typeof r.rt?.value !== "number") return null;
  if (typeof r.ffi.QTS_IsJobPending !== "function") return null;
  if (typeof c.memory?.heapValueHandle !== "function") return null;
  return [r as Internals, c as ContextInternals];
}

/** Runs every pending job; returns the error a job threw (the caller disposes it), or null. */
export function createJobRunner(rt: QuickJSRuntime, ctx: QuickJSContext): () => QuickJSHandle | null {
  const found = internals(rt, ctx);
  if (found === null) {
    return () => {
      const r = rt.executePendingJobs(-1);
      if (r.error) return r.error;
      r.dispose();
      return null;
    };
  }
  const [{ module, ffi, rt: rtPtr }, { memory }] = found;
  return () => {
    // most callbacks leave no promise job: skip the call, its malloc and its result value
    if (ffi.QTS_IsJobPending(rtPtr.value) === 0) return null;
    const out = module._malloc(4);
    new Int32Array(module.HEAPU8.buffer, out, 1)[0] = 0;
    const valuePtr = ffi.QTS_ExecutePendingJob(rtPtr.value, -1, out);
    // a fresh view: the jobs may have grown (and so detached) the memory
    const ctxPtr = new Int32Array(module.HEAPU8.buffer, out, 1)[0];
    module._free(out);
    if (ctxPtr === 0) {
      ffi.QTS_FreeValuePointerRuntime(rtPtr.value, valuePtr);
      return null;
    }
    const h = memory.heapValueHandle(valuePtr);
    if (ctx.typeof(h) === "number") {
      h.dispose();
      return null;
    }
    return h;
  };
}
