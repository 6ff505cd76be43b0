// The guest's own work per churn-1 connection, with no sockets: one sandbox runs
// churn-1's client loop (connect, write 1 byte, 1 byte back, end, close) against a
// scripted backend that answers every request on the next host turn. What it
// measures is the guest's JavaScript (ts-api, readable-stream, the guest loop) and
// the bridge, without the kernel, the server or the wait for them.
// Run through bench/guest-churn.mjs, which bundles this file.
import { BEv } from "../host/backend.ts";
import type { SandboxDriver } from "../host/quickjs/bridge.ts";
import { ChunkPool } from "../host/quickjs/chunks.ts";
import { guestSource } from "../host/quickjs/guest-source.ts";
import { resolveOptions } from "../host/quickjs/options.ts";
import { Sandbox } from "../host/quickjs/sandbox.ts";
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext } from "quickjs-emscripten";

type Dispatch = (h: number, ev: BEv, a?: unknown, b?: unknown) => void;

/** Answers each request on the next host turn, as a loopback peer that echoes and ends would. */
class ScriptedBackend {
  #dispatch: Dispatch = () => {};
  #next = 1 << 16;
  readonly #live = new Set<number>();
  #queue: (() => void)[] = [];
  #scheduled = false;

  #later(f: () => void): void {
    this.#queue.push(f);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const q = this.#queue;
      this.#queue = [];
      for (const g of q) g();
    });
  }
  setDispatch(d: Dispatch): void {
    this.#dispatch = d;
  }
  connectTcp(): number {
    const h = this.#next++;
    this.#live.add(h);
    this.#later(() => this.#dispatch(h, BEv.Connect, null));
    return h;
  }
  write(h: number, b: Uint8Array): true {
    const echo = new Uint8Array([b[0]!]);
    this.#later(() => {
      this.#dispatch(h, BEv.Data, echo);
      this.#dispatch(h, BEv.End);
    });
    return true;
  }
  end(h: number): void {
    this.#later(() => this.#dispatch(h, BEv.Finished));
  }
  destroy(h: number): void {
    this.#live.delete(h);
    this.#later(() => this.#dispatch(h, BEv.Close, false));
  }
  counters(): { bytesRead: number; bytesWritten: number; bufferSize: number } {
    return { bytesRead: 1, bytesWritten: 1, bufferSize: 0 };
  }
  hasRefs(): boolean {
    return this.#live.size > 0;
  }
  socketInfo(): object {
    return {};
  }
  stats(): object {
    return {};
  }
  dispose(): void {}
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}
  setTimeout(): void {}
  ref(): void {}
}

/** The guest module: bench/clients.mjs's churn loop, trimmed to one connection at a time. */
function churnScript(count: number, phases: boolean): string {
  if (phases) return phaseScript(count);
  return `import net from "net";
const one = Buffer.from([0x63]);
let n = 0;
function next() {
  if (n++ === ${count}) return;
  let got = 0;
  const sock = net.connect(1234, "127.0.0.1");
  sock.on("error", (e) => { throw e; });
  sock.on("connect", () => sock.write(one));
  sock.on("data", (d) => { got += d.length; });
  sock.on("close", () => { if (got !== 1) throw new Error("churn: got " + got + " bytes back"); next(); });
}
next();`;
}

/** The phases `--phases` splits a connection into, each ending at a mark in the script. */
export const PHASES = [
  ["net.connect()", "the Socket (Duplex) and the connect request, up to the call's return"],
  ["on() x4", "the script's four listeners ('data' resumes the stream)"],
  ["-> 'connect'", "the rest of that turn (the old socket's close, nextTicks), then the Connect event"],
  ["write()", "one 1-byte write, through to the backend"],
  ["-> 'data'", "the rest of that turn ('ready', afterWrite), then the Data event"],
  ["-> 'close'", "End, end(), Finished, destroy(), Close, up to the 'close' listener"],
] as const;

/**
 * The churn loop with a mark at the end of each phase: performance.now() in the
 * guest, which is a host call. Its own cost is measured at the end (back-to-back
 * marks) and taken off every phase. The first 200 connections are not counted.
 */
function phaseScript(count: number): string {
  return `import net from "net";
const one = Buffer.from([0x63]);
const WARM = 200;
const T = new Float64Array(${PHASES.length});
let n = 0;
let last = 0;
function mark(i) {
  const t = performance.now();
  if (n > WARM) T[i] += t - last;
  last = t;
}
function report() {
  const k = 10000;
  const t0 = performance.now();
  for (let i = 0; i < k; i++) mark(0);
  const cost = (performance.now() - t0) / k;
  const counted = ${count} - WARM;
  console.log("@@phases " + JSON.stringify(Array.from(T, (ms) => Math.max(0, (ms / counted - cost) * 1000))));
}
function next() {
  if (n++ === ${count}) { report(); return; }
  let got = 0;
  const sock = net.connect(1234, "127.0.0.1");
  mark(0);
  sock.on("error", (e) => { throw e; });
  sock.on("connect", () => { mark(2); sock.write(one); mark(3); });
  sock.on("data", (d) => { mark(4); got += d.length; });
  sock.on("close", () => { mark(5); if (got !== 1) throw new Error("churn: got " + got + " bytes back"); next(); });
  mark(1);
}
last = performance.now();
next();`;
}

/**
 * A sampling profile from QuickJS's interrupt handler: a guest stack every time
 * the interpreter polls for interrupts (every 10,000 calls and backward jumps),
 * so it counts calls and loops, not time; it is deterministic. Frames are named
 * by the bundled module their line falls in (the guest bundle is built unminified).
 */
class Sampler {
  readonly byModule = new Map<string, number>();
  readonly byFunction = new Map<string, number>();
  samples = 0;
  readonly #marks: [number, string][] = [];

  constructor(bundle: string) {
    bundle.split("\n").forEach((line, i) => {
      const m = /^\s*\/\/ ((?:node_modules|host|ts-api)\/\S+)/.exec(line);
      if (m) this.#marks.push([i + 1, m[1]!.replace("node_modules/", "").replace("lib/internal/streams/", "")]);
    });
  }

  #module(frame: string): string {
    const m = /wasock:guest\.js:(\d+)/.exec(frame);
    if (!m) return frame.includes("guest-churn-script") ? "(the script)" : "(native)";
    const line = Number(m[1]);
    let name = "?";
    for (const [at, n] of this.#marks) {
      if (at > line) break;
      name = n;
    }
    return name;
  }

  take(ctx: QuickJSContext): void {
    const r = ctx.evalCode("new Error().stack", "wasock:sample.js");
    if (r.error) {
      r.error.dispose();
      return;
    }
    const stack = ctx.getString(r.value);
    r.value.dispose();
    const frames = stack.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("at ")).slice(1);
    if (frames.length === 0) return;
    this.samples++;
    const top = this.#module(frames[0]!);
    this.byModule.set(top, (this.byModule.get(top) ?? 0) + 1);
    const seen = new Set(frames.map((f) => `${f.replace(/^at /, "").replace(/ \(.*$/, "")} [${this.#module(f)}]`));
    for (const f of seen) this.byFunction.set(f, (this.byFunction.get(f) ?? 0) + 1);
  }

  print(): void {
    const show = (m: Map<string, number>, k: number): string =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, k)
        .map(([f, c]) => `${((100 * c) / this.samples).toFixed(1).padStart(6)}%  ${f}`).join("\n");
    console.log(`${this.samples} samples\n-- where the interpreter was (top frame's module)\n${show(this.byModule, 25)}`);
    console.log(`-- inclusive, by function\n${show(this.byFunction, 60)}`);
  }
}

/** One run of `count` connections: guest µs per connection, and per phase with `phases`. */
export async function run(count: number, profile: boolean, phases = false): Promise<{ us: number; phases: number[] | null }> {
  if (profile) process.env.WASOCK_GUEST_PRETTY = "1";
  const sampler = profile ? new Sampler(guestSource()) : null;
  let printed = "";
  const stdout = (text: string): void => {
    printed += text;
  };
  const opts = resolveOptions({ cpuBudgetMs: 600_000, memoryLimit: 256 << 20, allowNet: ["127.0.0.1:*"], stdout });
  const wasm = await newQuickJSWASMModule(RELEASE_SYNC);
  let sampling = false;
  if (sampler) {
    // sample from inside the sandbox's own interrupt handler (the CPU budget)
    const newRuntime = wasm.newRuntime.bind(wasm);
    wasm.newRuntime = (...args: Parameters<typeof newRuntime>) => {
      const rt = newRuntime(...args);
      let ctx: QuickJSContext | null = null;
      const newContext = rt.newContext.bind(rt);
      rt.newContext = (...a: Parameters<typeof newContext>) => (ctx = newContext(...a));
      const setHandler = rt.setInterruptHandler.bind(rt);
      let inSample = false;
      rt.setInterruptHandler = (h) => setHandler((r) => {
        if (sampling && !inSample && ctx !== null) {
          inSample = true;
          sampler.take(ctx);
          inSample = false;
        }
        return h(r);
      });
      return rt;
    };
  }
  const backend = new ScriptedBackend();
  const sandbox = new Sandbox(wasm, opts, backend as unknown as SandboxDriver, [], new ChunkPool());
  try {
    const t0 = performance.now();
    sampling = true;
    const res = await sandbox.run({ source: churnScript(count, phases), filename: "/bench/guest-churn-script.mjs" });
    sampling = false;
    const us = ((performance.now() - t0) * 1000) / count;
    if (res.exitCode !== 0) throw new Error(`the guest exited with ${res.exitCode}: ${printed.slice(-500)}`);
    sampler?.print();
    if (!phases) return { us, phases: null };
    const m = /@@phases (\[.*\])/.exec(printed);
    if (!m) throw new Error(`the guest printed no phases: ${printed.slice(-500)}`);
    return { us, phases: JSON.parse(m[1]!) as number[] };
  } finally {
    sandbox.dispose();
  }
}
