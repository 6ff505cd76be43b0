/**
 * The net bridge: one host function per Backend method, and the driver's
 * dispatch turned into calls of the guest's entry point.
 *
 * The guest only ever names sockets by number. The bridge keeps the set of
 * handles it issued to this sandbox (from connect/listen results and
 * Connection events, removed on Close/ServerClose) and refuses any other number
 * with ERR_INVALID_HANDLE before the driver sees it, so a forged or stale number
 * never reaches a socket; the core's generation-tagged handles check it again.
 * Each sandbox has its own driver and core, so numbers mean nothing across
 * sandboxes.
 *
 * Bytes: guest -> host is one copy out of the guest's ArrayBuffer (heap.ts,
 * chunks.ts); host -> guest is one copy into a block the new ArrayBuffer owns
 * (guest-bytes.ts).
 */
import { Buffer } from "node:buffer";
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";
import { BEv, type Backend, type ConnectTcp, type ErrorInfo, type SocketCounters } from "../backend.ts";
import { JSON_ARG, TcpFlag } from "../../ts-api/guest.ts";
import { defineHostFunction } from "./host-calls.ts";
import type { CallArg } from "./entry-calls.ts";
import { GuestHeap } from "./heap.ts";
import { ChunkPool } from "./chunks.ts";
import { GuestBytes } from "./guest-bytes.ts";

/** What the sandbox needs from its driver: a Backend plus lifecycle. */
export interface SandboxDriver extends Backend {
  stats(): Record<string, number>;
  dispose(): void;
  hasRefs(): boolean;
}

type Impl = (args: QuickJSHandle[]) => QuickJSHandle | undefined;

/** A host-side refusal that becomes a guest exception with `code`. */
export class HostCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function guestErrorHandle(ctx: QuickJSContext, e: unknown): QuickJSHandle {
  const err = e instanceof Error ? e : new Error(String(e));
  const h = ctx.newError({ name: err instanceof TypeError ? "TypeError" : err.name === "RangeError" ? "RangeError" : "Error", message: err.message });
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    const c = ctx.newString(code);
    ctx.setProp(h, "code", c);
    c.dispose();
  }
  return h;
}

/** Install `impl` as `obj[name]`; host exceptions become guest exceptions (see host-calls.ts). */
export function hostFunction(ctx: QuickJSContext, obj: QuickJSHandle, name: string, impl: Impl): void {
  defineHostFunction(ctx, obj, name, impl, (e) => guestErrorHandle(ctx, e));
}

/** Dispose handles made for a call; numbers, and the context's static values (undefined, null, true, false), are not handles to dispose. */
export function release(ctx: QuickJSContext, handles: readonly CallArg[]): void {
  for (const h of handles) {
    if (typeof h === "number") continue;
    if (h !== ctx.undefined && h !== ctx.null && h !== ctx.true && h !== ctx.false && h.alive) h.dispose();
  }
}

export class Args {
  readonly #ctx: QuickJSContext;
  /** direct reads of ints and ArrayBuffers (null: the library's path for everything) */
  readonly heap: GuestHeap | null;
  constructor(ctx: QuickJSContext, heap: GuestHeap | null = null) {
    this.#ctx = ctx;
    this.heap = heap;
  }
  int(h: QuickJSHandle | undefined, name: string, min = -0x7fffffff, max = 0x7fffffff): number {
    const n = this.num(h, name);
    if (!Number.isInteger(n) || n < min || n > max) throw new HostCallError("ERR_OUT_OF_RANGE", `host call: "${name}" is out of range: ${n}`);
    return n;
  }
  num(h: QuickJSHandle | undefined, name: string): number {
    if (h !== undefined && this.heap !== null) {
      const n = this.heap.int(h.value as unknown as number);
      if (n !== undefined) return n;
    }
    if (h === undefined || this.#ctx.typeof(h) !== "number") throw new HostCallError("ERR_INVALID_ARG_TYPE", `host call: "${name}" must be a number`);
    return this.#ctx.getNumber(h);
  }
  /** false for a missing or undefined argument */
  present(h: QuickJSHandle | undefined): h is QuickJSHandle {
    if (h === undefined) return false;
    if (this.heap !== null) return !this.heap.isUndefined(h.value as unknown as number);
    return this.#ctx.typeof(h) !== "undefined";
  }
  bool(h: QuickJSHandle | undefined): boolean {
    if (h === undefined) return false;
    const b = this.heap?.bool(h.value as unknown as number);
    if (b !== undefined) return b;
    return this.#ctx.typeof(h) === "boolean" && this.#ctx.dump(h) === true;
  }
  str(h: QuickJSHandle | undefined, name: string): string {
    if (h === undefined || this.#ctx.typeof(h) !== "string") throw new HostCallError("ERR_INVALID_ARG_TYPE", `host call: "${name}" must be a string`);
    return this.#ctx.getString(h);
  }
  json<T>(h: QuickJSHandle | undefined, name: string): T {
    const text = this.str(h, name);
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new HostCallError("ERR_INVALID_ARG_VALUE", `host call: "${name}" is not JSON`);
    }
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new HostCallError("ERR_INVALID_ARG_TYPE", `host call: "${name}" must be an object`);
    return v as T;
  }
  /**
   * Calls `use` with a view of bytes[offset, offset + length) of the guest
   * ArrayBuffer `buf`: straight into the QuickJS heap when the heap reader is
   * on (so it must not outlive the call), else the library's copy.
   */
  view<T>(buf: QuickJSHandle | undefined, offset: number, length: number, use: (bytes: Uint8Array) => T): T {
    if (buf === undefined) throw new HostCallError("ERR_INVALID_ARG_TYPE", `host call: "bytes" must be an ArrayBuffer`);
    const direct = this.heap?.bytes(buf.value as unknown as number) ?? null;
    if (direct !== null) return use(range(direct, offset, length));
    if (this.#ctx.typeof(buf) !== "object") throw new HostCallError("ERR_INVALID_ARG_TYPE", `host call: "bytes" must be an ArrayBuffer`);
    const copy = this.#ctx.getArrayBuffer(buf);
    try {
      return use(range(copy.value, offset, length));
    } finally {
      copy.dispose();
    }
  }
}

function range(src: Uint8Array, offset: number, length: number): Uint8Array {
  if (offset + length > src.byteLength) throw new HostCallError("ERR_OUT_OF_RANGE", "host call: the range is outside the buffer");
  return src.subarray(offset, offset + length);
}

export class NetBridge {
  readonly #ctx: QuickJSContext;
  readonly #driver: SandboxDriver;
  readonly #a: Args;
  /** handles issued to this sandbox and not yet closed */
  readonly handles = new Set<number>();
  /** of those, the ones the guest unref'ed */
  readonly #unrefed = new Set<number>();

  /** where the copies of written bytes come from (see chunks.ts) */
  readonly #chunks: ChunkPool;
  /** the driver's own copy of a write's bytes, which it keeps until the write completes */
  readonly #ownedCopy = (src: Uint8Array): Buffer => {
    // Small writes come from Node's pool (allocUnsafe), off V8's heap; a fresh
    // small ArrayBuffer (slice()) lives on V8's heap and is moved off it by
    // every socket write. Large ones are reused buffers.
    const copy = this.#chunks.take(src.byteLength);
    copy.set(src);
    return copy;
  };

  /** host bytes into guest ArrayBuffers (see guest-bytes.ts) */
  readonly #bytes: GuestBytes;

  constructor(ctx: QuickJSContext, driver: SandboxDriver, args: Args = new Args(ctx), chunks = new ChunkPool()) {
    this.#ctx = ctx;
    this.#driver = driver;
    this.#a = args;
    this.#chunks = chunks;
    this.#bytes = new GuestBytes(ctx);
  }

  #handle(h: QuickJSHandle | undefined): number {
    const n = this.#a.num(h, "handle");
    if (!this.handles.has(n)) throw new HostCallError("ERR_INVALID_HANDLE", `host call: ${n} is not a live handle of this sandbox`);
    return n;
  }

  #refState(h: QuickJSHandle | undefined, on: QuickJSHandle | undefined): number {
    const n = this.#handle(h);
    if (this.#a.bool(on)) this.#unrefed.delete(n);
    else this.#unrefed.add(n);
    return n;
  }

  /**
   * A ref'ed handle whose Close/ServerClose the guest has not seen yet keeps the
   * loop alive, as a closing handle does in Node until its close callbacks ran.
   */
  hasRefed(): boolean {
    return this.handles.size > this.#unrefed.size;
  }

  #issued(r: number | ErrorInfo): QuickJSHandle {
    if (typeof r === "number") {
      this.handles.add(r);
      return this.#ctx.newNumber(r);
    }
    return this.#ctx.newString(JSON.stringify(r));
  }

  /**
   * A socket's counters into the guest's 24-byte buffer `out` where it lies (no
   * JSON to make and parse): undefined. Without the heap reader, or with no such
   * buffer, they go back as JSON.
   */
  #putCounters(out: QuickJSHandle | undefined, c: SocketCounters): QuickJSHandle | undefined {
    const heap = this.#a.heap;
    const direct = out !== undefined && heap !== null ? heap.bytes(out.value as unknown as number) : null;
    if (direct === null || direct.byteLength !== 24) return this.#ctx.newString(JSON.stringify(c));
    const view = new DataView(direct.buffer, direct.byteOffset, 24);
    view.setFloat64(0, c.bytesRead, true);
    view.setFloat64(8, c.bytesWritten, true);
    view.setFloat64(16, c.bufferSize, true);
    return undefined;
  }

  install(obj: QuickJSHandle): void {
    const ctx = this.#ctx;
    const d = this.#driver;
    const a = this.#a;
    const fn = (name: string, impl: Impl) => hostFunction(ctx, obj, name, impl);
    fn("connectTcp", ([host, port, flags, keepAliveDelay, attemptTimeout, timeout, family, hints, localAddress, localPort, name]) => {
      const f = a.int(flags, "flags", 0, 63);
      const req: ConnectTcp = { host: a.str(host, "host"), port: a.int(port, "port", 0, 65535), allowHalfOpen: (f & TcpFlag.AllowHalfOpen) !== 0 };
      if (f & TcpFlag.NoDelay) req.noDelay = true;
      if (f & TcpFlag.KeepAlive) req.keepAlive = true;
      if (f & TcpFlag.AutoSelectFamily) req.autoSelectFamily = true;
      if (f & TcpFlag.Resolved) req.resolved = true;
      if (f & TcpFlag.Multi) req.multi = true;
      if (a.present(keepAliveDelay)) req.keepAliveInitialDelay = a.num(keepAliveDelay, "keepAliveInitialDelay");
      if (a.present(attemptTimeout)) req.autoSelectFamilyAttemptTimeout = a.num(attemptTimeout, "autoSelectFamilyAttemptTimeout");
      if (a.present(timeout)) req.timeout = a.num(timeout, "timeout");
      if (a.present(family)) {
        const fam = a.int(family, "family", 0, 6);
        if (fam !== 0 && fam !== 4 && fam !== 6) throw new HostCallError("ERR_INVALID_ARG_VALUE", `host call: "family" must be 0, 4 or 6: ${fam}`);
        req.family = fam;
      }
      if (a.present(hints)) req.hints = a.int(hints, "hints", 0);
      if (a.present(localAddress)) req.localAddress = a.str(localAddress, "localAddress");
      if (a.present(localPort)) req.localPort = a.num(localPort, "localPort");
      if (a.present(name)) req.name = a.str(name, "name");
      return this.#issued(d.connectTcp(req));
    });
    fn("connectIpc", ([req]) => this.#issued(d.connectIpc(a.json(req, "req"))));
    fn("listenTcp", ([req]) => this.#issued(d.listenTcp(a.json(req, "req"))));
    fn("listenIpc", ([req]) => this.#issued(d.listenIpc(a.json(req, "req"))));
    fn("write", ([h, buf, off, len]) => {
      const hh = this.#handle(h);
      const copy = a.view(buf, a.int(off, "offset", 0), a.int(len, "length", 0), this.#ownedCopy);
      const r = d.write(hh, copy);
      if (r === undefined) return undefined;
      return r === true ? ctx.newNumber(1) : ctx.newString(JSON.stringify(r));
    });
    fn("end", ([h]) => void d.end(this.#handle(h)));
    fn("destroy", ([h, reset, out]) => {
      const hh = this.#handle(h);
      const r = a.bool(reset);
      if (out === undefined) {
        d.destroy(hh, r);
        return undefined;
      }
      const c = d.counters(hh);
      d.destroy(hh, r);
      return this.#putCounters(out, c);
    });
    fn("pause", ([h]) => void d.pause(this.#handle(h)));
    fn("resume", ([h]) => void d.resume(this.#handle(h)));
    fn("setTimeout", ([h, ms]) => void d.setTimeout(this.#handle(h), a.int(ms, "ms", 0)));
    fn("setNoDelay", ([h, on]) => void d.setNoDelay(this.#handle(h), a.bool(on)));
    fn("setKeepAlive", ([h, on, delay]) => void d.setKeepAlive(this.#handle(h), a.bool(on), a.int(delay, "initialDelay", 0)));
    fn("ref", ([h, on]) => void d.ref(this.#refState(h, on), a.bool(on)));
    fn("counters", ([h, out]) => this.#putCounters(out, d.counters(this.#handle(h))));
    fn("socketInfo", ([h]) => ctx.newString(JSON.stringify(d.socketInfo(this.#handle(h)))));
    fn("serverClose", ([h]) => void d.serverClose(this.#handle(h)));
    fn("serverAddress", ([h]) => ctx.newString(JSON.stringify(d.serverAddress(this.#handle(h)) ?? null)));
    fn("getConnections", ([h]) => ctx.newNumber(d.getConnections(this.#handle(h))));
    fn("setMaxConnections", ([h, n]) => void d.setMaxConnections(this.#handle(h), a.int(n, "n")));
    fn("serverRef", ([h, on]) => void d.serverRef(this.#refState(h, on), a.bool(on)));
  }

  /**
   * The arguments of one dispatch call: (h, ev, a, b, c, d), trailing
   * undefineds dropped. Numbers stay numbers (the caller makes them guest
   * values); the handles are the caller's to release.
   */
  eventArgs(h: number, ev: BEv, args: unknown[]): CallArg[] {
    const ctx = this.#ctx;
    if (ev === BEv.Connection && typeof args[0] === "number") this.handles.add(args[0]);
    const out: CallArg[] = [h, ev];
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n--;
    const jsonAt = JSON_ARG[ev];
    // the JSON slot is always sent: null when absent (no JSON to parse)
    if (jsonAt !== undefined && n < jsonAt) n = jsonAt;
    for (let i = 0; i < n; i++) {
      const v = args[i];
      if (jsonAt === i + 1) out.push(v === undefined || v === null ? ctx.null : ctx.newString(JSON.stringify(v)));
      else out.push(this.#value(v));
    }
    return out;
  }

  /** after the event was delivered */
  delivered(h: number, ev: BEv): void {
    if (ev === BEv.Close || ev === BEv.ServerClose) {
      this.handles.delete(h);
      this.#unrefed.delete(h);
    }
  }

  #value(v: unknown): CallArg {
    const ctx = this.#ctx;
    switch (typeof v) {
      case "number":
        return v;
      case "string":
        return ctx.newString(v);
      case "boolean":
        return v ? ctx.true : ctx.false;
      case "undefined":
        return ctx.undefined;
      default:
        if (v === null) return ctx.null;
        if (v instanceof Uint8Array) return this.#bytes.arrayBuffer(v);
        return ctx.newString(JSON.stringify(v));
    }
  }
}
