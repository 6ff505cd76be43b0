/**
 * A sandbox: one QuickJS runtime (in its own wasm module instance), one driver
 * (its own socket core, policy and quotas), and the event loop that joins them.
 *
 * The host drives the loop. Every callback into the guest (an I/O event, a
 * timer, an immediate) is one `#call`: arm the CPU deadline, call the guest's
 * entry point (which drains the nextTick queue itself), run QuickJS's pending
 * jobs, then look at what the callback did (an uncaught error, process.exit, an
 * exceeded CPU budget). `run()` settles once nothing ref'ed is left: no
 * ref'ed socket or server in the driver and no ref'ed guest timer or immediate.
 */
import { readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";
import type { BEv } from "../backend.ts";
import { Args, guestErrorHandle, hostFunction, NetBridge, release, type SandboxDriver } from "./bridge.ts";
import { installFastHostCalls } from "./host-calls.ts";
import { EntryCaller, isInt32, type CallArg } from "./entry-calls.ts";
import { GuestHeap } from "./heap.ts";
import { ChunkPool } from "./chunks.ts";
import { GuestError, readGuestError } from "./guest-error.ts";
import { createJobRunner } from "./jobs.ts";
import { guestSource } from "./guest-source.ts";
import { HOST_KEY, MODULES_KEY, type GuestConfig } from "./guest/host.ts";
import { ModuleMap } from "./modules.ts";
import type { ResolvedOptions } from "./options.ts";

export interface RunResult {
  /** process.exitCode, or the code given to process.exit() */
  exitCode: number;
}

export interface SandboxStats {
  /** sockets open in this sandbox's core */
  sockets: number;
  servers: number;
  /** bytes buffered on the host side (queued writes + paused reads) */
  bufferedBytes: number;
  bytesRead: number;
  bytesWritten: number;
  /** entries in the core's table */
  liveHandles: number;
  /** handles the guest may still name */
  guestHandles: number;
  /** bytes the guest's QuickJS heap uses */
  guestHeapBytes: number;
  /** host buffers kept for reuse by large guest writes (at most 4 MiB) */
  writePoolBytes: number;
  [k: string]: number;
}

export type RunInput = string | URL | { source: string; filename?: string };

type Outcome = { ok: RunResult } | { err: Error };

export class Sandbox {
  readonly #opts: ResolvedOptions;
  readonly #rt: QuickJSRuntime;
  readonly #ctx: QuickJSContext;
  readonly #driver: SandboxDriver;
  readonly #bridge: NetBridge;
  readonly #args: Args;
  readonly #chunks: ChunkPool;
  /** host -> guest calls without per-call handles (null: the library's callFunction) */
  readonly #caller: EntryCaller | null;
  readonly #jobs: () => QuickJSHandle | null;
  readonly #modules: ModuleMap;
  #entry: { dispatch: QuickJSHandle; timer: QuickJSHandle; immediate: QuickJSHandle; ticks: QuickJSHandle } | null = null;
  #ticksPending = false;
  #main: QuickJSHandle | null = null;

  #deadline = Infinity;
  #interrupted = false;
  #overMemory = false;
  readonly #memoryBytes: () => number;
  readonly #memoryCap: number;
  #timer: NodeJS.Timeout | null = null;
  #timerDeadline = -1;
  #timerRef = false;
  #immediate: NodeJS.Immediate | null = null;
  #immPending = false;
  #immRef = false;
  #checkPending = false;

  #started = false;
  #halted = false;
  #disposed = false;
  #driverDisposed = false;
  #exitCode: number | undefined;
  #pendingError: Error | null = null;
  #settle: ((o: Outcome) => void) | null = null;
  #final: SandboxStats | null = null;
  readonly #diagnostics: string[];

  /** @internal use createSandbox() */
  constructor(wasm: QuickJSWASMModule, opts: ResolvedOptions, driver: SandboxDriver, diagnostics: string[] = [], chunks = new ChunkPool()) {
    this.#diagnostics = diagnostics;
    this.#opts = opts;
    this.#driver = driver;
    this.#modules = new ModuleMap(opts.root);
    // quickjs-emscripten 0.32 cannot count allocations (malloc_usable_size is
    // unavailable), so QuickJS's own limit only refuses single allocations above
    // it. The wasm memory is this sandbox's alone: its size is the real measure.
    const heap = (wasm as unknown as { module: { HEAPU8: Uint8Array } }).module;
    this.#memoryBytes = () => heap.HEAPU8.buffer.byteLength;
    this.#memoryCap = this.#memoryBytes() + opts.memoryLimit;
    const rt = (this.#rt = wasm.newRuntime());
    rt.setMemoryLimit(opts.memoryLimit);
    rt.setMaxStackSize(opts.maxStackSize);
    rt.setInterruptHandler(() => {
      if (this.#memoryBytes() > this.#memoryCap) {
        this.#overMemory = true;
        return true;
      }
      if (Date.now() <= this.#deadline) return false;
      this.#interrupted = true;
      return true;
    });
    rt.setModuleLoader(
      (name) => {
        try {
          return this.#modules.load(name);
        } catch (e) {
          return { error: e as Error };
        }
      },
      (base, requested) => {
        try {
          return this.#modules.normalize(base, requested);
        } catch (e) {
          return { error: e as Error };
        }
      },
    );
    const ctx = (this.#ctx = rt.newContext());
    installFastHostCalls(ctx, (e) => guestErrorHandle(ctx, e));
    this.#jobs = createJobRunner(rt, ctx);
    const guestHeap = GuestHeap.calibrate(ctx);
    this.#args = new Args(ctx, guestHeap);
    this.#caller = EntryCaller.create(ctx, guestHeap);
    this.#chunks = chunks;
    this.#bridge = new NetBridge(ctx, driver, this.#args, chunks);
    try {
      this.#installHost();
      driver.setDispatch((h, ev, a, b, c, d) => this.#onEvent(h, ev, a, b, c, d));
      this.#deadline = Date.now() + Math.max(opts.cpuBudgetMs, 5000);
      const r = ctx.evalCode(guestSource(), "wasock:guest.js", { type: "global" });
      if (r.error) {
        const err = readGuestError(ctx, r.error);
        r.error.dispose();
        throw err;
      }
      r.value.dispose();
      if (this.#entry === null) throw new Error("wasock: the guest bundle did not register its entry points");
      this.#modules.setExports(this.#evalJson(`JSON.stringify(Object.fromEntries(Object.entries(globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})]).map(([k, v]) => [k, Object.getOwnPropertyNames(v)])))`));
      this.#deadline = Infinity;
    } catch (e) {
      this.#teardown();
      throw e;
    }
  }

  #evalJson<T>(code: string): T {
    const r = this.#ctx.evalCode(code, "wasock:init.js", { type: "global" });
    if (r.error) {
      const err = readGuestError(this.#ctx, r.error);
      r.error.dispose();
      throw err;
    }
    const text = this.#ctx.getString(r.value);
    r.value.dispose();
    return JSON.parse(text) as T;
  }

  #installHost(): void {
    const ctx = this.#ctx;
    const a = this.#args;
    const host = ctx.newObject();
    try {
      const fn = (name: string, impl: (args: QuickJSHandle[]) => QuickJSHandle | undefined) => hostFunction(ctx, host, name, impl);
      const config: GuestConfig = { argv: ["wasock", "[eval]"], env: this.#opts.env, cwd: this.#modules.root };
      fn("config", () => ctx.newString(JSON.stringify(config)));
      fn("print", ([fd, text]) => {
        const t = a.str(text, "text");
        if (a.int(fd, "fd", 1, 2) === 1) this.#opts.stdout(t);
        else this.#opts.stderr(t);
        return undefined;
      });
      fn("setTimer", ([deadline, refed]) => {
        this.#armTimer(a.num(deadline, "deadline"), a.bool(refed));
        return undefined;
      });
      fn("setImmediates", ([pending, refed]) => {
        this.#armImmediate(a.bool(pending), a.bool(refed));
        return undefined;
      });
      fn("exit", ([code]) => {
        if (this.#exitCode === undefined) this.#exitCode = code !== undefined && ctx.typeof(code) === "number" ? ctx.getNumber(code) | 0 : 0;
        return undefined;
      });
      fn("fail", ([err]) => {
        if (this.#pendingError === null) this.#pendingError = err === undefined ? new GuestError("Error", "undefined", "") : readGuestError(ctx, err);
        return undefined;
      });
      const origin = performance.now();
      fn("now", () => ctx.newNumber(performance.now() - origin));
      const encoder = new TextEncoder();
      const decoder = new TextDecoder();
      fn("utf8Encode", ([text]) => ctx.newArrayBuffer(encoder.encode(a.str(text, "text")).buffer));
      fn("utf8Length", ([text]) => ctx.newNumber(Buffer.byteLength(a.str(text, "text"), "utf8")));
      fn("utf8Decode", ([buf, off, len]) => ctx.newString(a.view(buf, a.int(off, "offset", 0), a.int(len, "length", 0), (v) => decoder.decode(v))));
      fn("ticksPending", () => {
        this.#ticksPending = true;
        return undefined;
      });
      fn("register", ([dispatch, timer, immediate, ticks]) => {
        if (this.#entry !== null) throw new Error("host call: entry points are already registered");
        for (const f of [dispatch, timer, immediate, ticks]) {
          if (f === undefined || ctx.typeof(f) !== "function") throw new TypeError("host call: entry points must be functions");
        }
        this.#entry = { dispatch: dispatch!.dup(), timer: timer!.dup(), immediate: immediate!.dup(), ticks: ticks!.dup() };
        return undefined;
      });
      this.#bridge.install(host);
      const key = ctx.newSymbolFor(HOST_KEY);
      ctx.defineProp(ctx.global, key, { value: host, configurable: false, enumerable: false });
      key.dispose();
    } finally {
      host.dispose();
    }
  }

  // ---- the loop ----------------------------------------------------------------

  /**
   * One callback into the guest, with its ticks and microtasks. Numbers in
   * `args` are made into guest values here; handles stay the caller's. Returns
   * the entry's number result.
   */
  #call(fn: QuickJSHandle, args: readonly CallArg[]): number {
    const ctx = this.#ctx;
    const caller = this.#caller;
    let ret = 0;
    // a copy of `args` only when a number needs a handle (a timer's `now`, or no EntryCaller)
    let made: QuickJSHandle[] | null = null;
    let list = args;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (typeof a === "number" && (caller === null || !isInt32(a))) {
        if (made === null) {
          made = [];
          list = args.slice();
        }
        const h = ctx.newNumber(a);
        made.push(h);
        (list as CallArg[])[i] = h;
      }
    }
    this.#deadline = Date.now() + this.#opts.cpuBudgetMs;
    try {
      if (caller !== null) {
        const r = caller.call(fn, list);
        if (typeof r === "number") ret = r;
        else this.#caught(r.error);
      } else {
        const r = ctx.callFunction(fn, ctx.undefined, list as QuickJSHandle[]);
        if (r.error) {
          this.#caught(r.error);
        } else {
          if (ctx.typeof(r.value) === "number") ret = ctx.getNumber(r.value);
          r.value.dispose();
        }
      }
    } finally {
      if (made !== null) for (const h of made) h.dispose();
    }
    this.#runJobs();
    this.#deadline = Infinity;
    this.#afterCallback();
    return ret;
  }

  #caught(h: QuickJSHandle): void {
    if (this.#pendingError === null) this.#pendingError = readGuestError(this.#ctx, h);
    h.dispose();
  }

  /** microtasks, then ticks queued outside a callback, until both are empty */
  #runJobs(): void {
    for (;;) {
      const error = this.#jobs();
      if (error !== null) {
        this.#caught(error);
        if (this.#interrupted || this.#overMemory) return;
        continue;
      }
      if (!this.#ticksPending || this.#entry === null || this.#pendingError !== null) return;
      this.#ticksPending = false;
      const t = this.#ctx.callFunction(this.#entry.ticks, this.#ctx.undefined);
      if (t.error) {
        this.#caught(t.error);
        return;
      }
      t.value.dispose();
    }
  }

  #afterCallback(): void {
    if (this.#overMemory || this.#memoryBytes() > this.#memoryCap) {
      this.#overMemory = false;
      this.#interrupted = false;
      const err = new GuestError("InternalError", `out of memory: the sandbox's memory grew past its memoryLimit (${this.#opts.memoryLimit} bytes)`, "");
      err.code = "ERR_MEMORY_LIMIT_EXCEEDED";
      this.#pendingError = err;
    } else if (this.#interrupted) {
      this.#interrupted = false;
      this.#pendingError = new GuestError("InternalError", `interrupted: a callback ran longer than the CPU budget (${this.#opts.cpuBudgetMs} ms)`, "");
      (this.#pendingError as GuestError).code = "ERR_CPU_BUDGET_EXCEEDED";
    }
    if (this.#exitCode !== undefined) {
      this.#finish({ ok: { exitCode: this.#exitCode } });
      return;
    }
    if (this.#pendingError !== null) {
      const err = this.#pendingError;
      this.#pendingError = null;
      this.#finish({ err });
      return;
    }
    if (this.#main !== null) this.#checkMain();
    this.#scheduleCheck();
  }

  /** the module's evaluation promise: a rejection is an uncaught error */
  #checkMain(): void {
    const main = this.#main!;
    const state = this.#ctx.getPromiseState(main);
    if (state.type === "pending") return;
    this.#main = null;
    if (state.type === "rejected") {
      this.#pendingError = readGuestError(this.#ctx, state.error);
      state.error.dispose();
      main.dispose();
      this.#afterCallback();
      return;
    }
    if (state.value !== main) state.value.dispose();
    main.dispose();
  }

  #onEvent(h: number, ev: BEv, a: unknown, b: unknown, c: unknown, d: unknown): void {
    if (this.#halted || this.#entry === null) {
      this.#bridge.delivered(h, ev);
      return;
    }
    const args = this.#bridge.eventArgs(h, ev, [a, b, c, d]);
    try {
      this.#call(this.#entry.dispatch, args);
    } finally {
      release(this.#ctx, args);
      this.#bridge.delivered(h, ev);
    }
  }

  #armTimer(deadline: number, refed: boolean): void {
    this.#timerDeadline = deadline;
    this.#timerRef = refed;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (deadline < 0 || this.#halted) return;
    this.#timer = setTimeout(() => this.#fireTimers(), Math.min(0x7fffffff, Math.max(0, deadline - Date.now())));
    if (!refed) this.#timer.unref();
  }

  #fireTimers(): void {
    this.#timer = null;
    const now = Date.now();
    for (let i = 0; i < 10_000 && !this.#halted; i++) {
      if (this.#call(this.#entry!.timer, [now]) !== 1) break;
    }
    // Node's timer may fire a little before the guest's Date.now() reaches the deadline.
    if (!this.#halted && this.#timer === null && this.#timerDeadline >= 0) this.#armTimer(this.#timerDeadline, this.#timerRef);
  }

  #armImmediate(pending: boolean, refed: boolean): void {
    this.#immPending = pending;
    this.#immRef = refed;
    if (!pending || this.#halted) {
      if (this.#immediate !== null) clearImmediate(this.#immediate);
      this.#immediate = null;
      return;
    }
    if (this.#immediate === null) this.#immediate = setImmediate(() => this.#fireImmediates());
    if (refed) this.#immediate.ref();
    else this.#immediate.unref();
  }

  #fireImmediates(): void {
    this.#immediate = null;
    while (!this.#halted) {
      if (this.#call(this.#entry!.immediate, []) !== 1) break;
    }
    if (!this.#halted && this.#immPending && this.#immediate === null) this.#armImmediate(true, this.#immRef);
  }

  #alive(): boolean {
    // the O(1) checks first: the driver's walks its connections
    return this.#bridge.hasRefed() || (this.#timerDeadline >= 0 && this.#timerRef) || (this.#immPending && this.#immRef) || this.#driver.hasRefs();
  }

  #scheduleCheck(): void {
    if (this.#checkPending || this.#halted || this.#settle === null) return;
    this.#checkPending = true;
    setImmediate(() => {
      this.#checkPending = false;
      if (this.#halted || this.#settle === null || this.#alive()) return;
      if (this.#main !== null) {
        this.#opts.stderr("Warning: Detected unsettled top-level await\n");
        this.#finish({ ok: { exitCode: 13 } });
        return;
      }
      // As Node: 'beforeExit' may schedule more work; if it does, the loop goes on.
      if (!this.#emitProcess("beforeExit") || this.#alive()) return;
      if (!this.#emitProcess("exit")) return;
      this.#finish({ ok: { exitCode: this.#guestExitCode() } });
    });
  }

  /** process.emit(event, exitCode) in the guest; false when that ended the run */
  #emitProcess(event: "beforeExit" | "exit"): boolean {
    const ctx = this.#ctx;
    this.#deadline = Date.now() + this.#opts.cpuBudgetMs;
    const r = ctx.evalCode(`globalThis.process.emit(${JSON.stringify(event)}, ${this.#guestExitCode()})`, "wasock:process.js", { type: "global" });
    if (r.error) this.#caught(r.error);
    else r.value.dispose();
    this.#runJobs();
    this.#deadline = Infinity;
    if (this.#pendingError === null && this.#exitCode === undefined && !this.#interrupted && !this.#overMemory) return true;
    this.#afterCallback();
    return false;
  }

  #guestExitCode(): number {
    const ctx = this.#ctx;
    const p = ctx.getProp(ctx.global, "process");
    try {
      const c = ctx.getProp(p, "exitCode");
      try {
        return ctx.typeof(c) === "number" ? ctx.getNumber(c) | 0 : 0;
      } finally {
        c.dispose();
      }
    } finally {
      p.dispose();
    }
  }

  /** the run is over: stop the loop, close every socket, settle run() */
  #finish(o: Outcome): void {
    if (!this.#halted) this.#final = this.#liveStats();
    this.#halt();
    const settle = this.#settle;
    this.#settle = null;
    settle?.(o);
  }

  #halt(): void {
    if (this.#halted) return;
    this.#halted = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    this.#timer = null;
    this.#immediate = null;
    this.#disposeDriver();
  }

  #disposeDriver(): void {
    if (this.#driverDisposed) return;
    this.#driverDisposed = true;
    this.#driver.dispose();
  }

  // ---- public API --------------------------------------------------------------

  /**
   * Run a script: a file path (resolved against the module root), a file URL, or
   * `{ source, filename? }`. A string that is not an existing file is run as
   * source. Settles when the script's loop is empty; rejects with the guest's
   * uncaught error (a `GuestError` with the guest's stack and error properties).
   */
  run(input: RunInput): Promise<RunResult> {
    if (this.#disposed) return Promise.reject(new Error("wasock: the sandbox is disposed"));
    if (this.#started) return Promise.reject(new Error("wasock: a sandbox runs one script; create another sandbox"));
    this.#started = true;
    let source: string;
    let filename: string;
    try {
      ({ source, filename } = this.#load(input));
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<RunResult>((resolveRun, rejectRun) => {
      this.#settle = (o) => ("ok" in o ? resolveRun(o.ok) : rejectRun(o.err));
      const ctx = this.#ctx;
      this.#deadline = Date.now() + this.#opts.cpuBudgetMs;
      const argv = ctx.evalCode(`globalThis.process.argv.splice(1, 1e9, ...${JSON.stringify([filename, ...this.#opts.args])})`, "wasock:argv.js", { type: "global" });
      if (argv.error) this.#caught(argv.error);
      else argv.value.dispose();
      const r = ctx.evalCode(source, filename, { type: "module" });
      if (r.error) this.#caught(r.error);
      else this.#main = r.value;
      this.#runJobs();
      this.#deadline = Infinity;
      this.#afterCallback();
    });
  }

  #load(input: RunInput): { source: string; filename: string } {
    const root = this.#modules.root;
    if (typeof input === "object" && !(input instanceof URL)) {
      if (typeof input.source !== "string") throw new TypeError('The "source" property must be a string');
      const filename = input.filename !== undefined ? resolve(root, input.filename) : join(root, "[eval].mjs");
      return { source: input.source, filename };
    }
    const path = input instanceof URL ? fileURLToPath(input) : input;
    if (typeof path !== "string") throw new TypeError("run() takes a file path, a URL or { source }");
    const file = isAbsolute(path) ? path : resolve(root, path);
    let isFile = false;
    if (!path.includes("\n")) {
      try {
        isFile = statSync(file).isFile();
      } catch {
        isFile = false;
      }
    }
    // a missing file is an error, not source: "main.mjs" would run as an expression
    const looksLikePath = /^[^\s;(){}=]+\.[cm]?js$/.test(path);
    if (!isFile) {
      if (input instanceof URL || looksLikePath) {
        const err = new Error(`Cannot find module '${file}'`);
        (err as { code?: string }).code = "ERR_MODULE_NOT_FOUND";
        throw err;
      }
      return { source: path, filename: join(root, "[eval].mjs") };
    }
    this.#modules.checkInside(file);
    return { source: readFileSync(file, "utf8"), filename: file };
  }

  /**
   * Counters of this sandbox. Once run() settled, the counters as they were when
   * the loop ended (before the sandbox closed what was left, e.g. unref'ed sockets).
   */
  stats(): SandboxStats {
    return this.#final ?? this.#liveStats();
  }

  #liveStats(): SandboxStats {
    const s = this.#driverDisposed ? {} : this.#driver.stats();
    let heap = 0;
    if (!this.#disposed) {
      const usage = this.#rt.computeMemoryUsage();
      const dumped = this.#ctx.dump(usage) as { memory_used_size?: number };
      usage.dispose();
      heap = dumped.memory_used_size ?? 0;
    }
    return {
      sockets: 0,
      servers: 0,
      bufferedBytes: 0,
      bytesRead: 0,
      bytesWritten: 0,
      liveHandles: 0,
      ...s,
      guestHandles: this.#bridge.handles.size,
      guestHeapBytes: heap,
      writePoolBytes: this.#chunks.keptBytes,
    };
  }

  /** true once run() settled or the sandbox was disposed */
  get finished(): boolean {
    return this.#halted;
  }

  /**
   * Close every socket and server, stop the loop, and free the QuickJS runtime.
   * A pending run() rejects. Throws if the runtime could not be freed cleanly
   * (a leaked QuickJS handle).
   */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#settle !== null) {
      const err = new Error("wasock: the sandbox was disposed while its script was running");
      (err as { code?: string }).code = "ERR_SANDBOX_DISPOSED";
      this.#finish({ err });
    }
    this.#halt();
    this.#teardown();
  }

  #teardown(): void {
    this.#disposed = true;
    this.#halted = true;
    this.#disposeDriver();
    if (this.#entry !== null) {
      this.#entry.dispatch.dispose();
      this.#entry.timer.dispose();
      this.#entry.immediate.dispose();
      this.#entry.ticks.dispose();
      this.#entry = null;
    }
    if (this.#main !== null) {
      this.#main.dispose();
      this.#main = null;
    }
    this.#caller?.dispose();
    this.#ctx.dispose();
    try {
      this.#rt.dispose();
    } catch (e) {
      // JS_FreeRuntime asserts when a QuickJS value is still referenced: a leak.
      // The abort stops only this sandbox's own wasm instance.
      const detail = this.#diagnostics.join("\n");
      throw new Error(`wasock: the QuickJS runtime could not be freed (a leaked value): ${String(e)}${detail ? `\n${detail}` : ""}`, { cause: e });
    }
  }
}
