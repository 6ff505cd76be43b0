// Test harness for the core component: a fresh component instance per test (its own
// core, policy and quotas), running on Node with preview2-shim, and a peer in a child
// process. Builds dist/component once when missing.
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawn, type ChildProcess } from "node:child_process";
import { sockets as shimSockets, io, clocks } from "@bytecodealliance/preview2-shim";
import type { CoreEvent, CoreSockets } from "../../examples/plugin/backend.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The WebAssembly JS API, typed locally: the project's lib (ES2022) does not declare it. */
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmMemory { readonly buffer: ArrayBuffer }
export interface WasmInstance { readonly exports: Record<string, any> }
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(m: WasmModule): Array<{ module: string; name: string; kind: string }>;
    exports(m: WasmModule): Array<{ name: string; kind: string }>;
  };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  instantiate(m: WasmModule, imports: object): Promise<WasmInstance>;
  validate(bytes: Uint8Array): boolean;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
export const DIST = join(root, "dist", "component");
const INST = join(DIST, "inst");

/** Event kinds (host/core/api.ts Ev). */
export const Ev = {
  Connect: 32, Data: 33, End: 34, Drain: 35, Timeout: 36, Error: 37, Close: 38,
  Connection: 39, Listening: 40, Drop: 41, Lookup: 42, ServerClose: 43,
} as const;

export type { CoreEvent };

/**
 * The exported interface, as jco lifts it (results throw ComponentError on err):
 * the plugin backend's view (CoreSockets) plus the embedder's config calls and
 * the queries the tests read. Address parameters are loosened to `unknown` so
 * tests can pass forged values.
 */
export interface Sockets extends CoreSockets {
  configure(capacity: number, quotas: { maxSockets: number; maxBufferedBytesPerSocket: number; maxBufferedBytesTotal: number }): void;
  policyDefault(set: "connect" | "listen", allow: boolean): void;
  policyAddHost(set: "connect" | "listen", deny: boolean, name: string, lo: number, hi: number): void;
  policyAddCidr(set: "connect" | "listen", deny: boolean, address: unknown, prefix: number, lo: number, hi: number): void;
  policyAddPath(set: "connect" | "listen", deny: boolean, prefix: string): void;
  serverOpen(kind: number, allowHalfOpen?: boolean, pauseOnConnect?: boolean): number;
  connectName(h: number, name: string, port: number, family?: number): void;
  connectAddress(h: number, address: unknown): void;
  listenAddress(h: number, address: unknown, backlog: number): void;
  state(h: number): number;
  bytesRead(h: number): bigint;
  bytesWritten(h: number): bigint;
  peerAddress(h: number): any;
  localAddress(h: number): any;
  coreStats(): { sockets: number; servers: number; bufferedBytes: number; bytesRead: bigint; bytesWritten: bigint };
}

export function v4(a: number, b: number, c: number, d: number, port: number) {
  return { tag: "ipv4", val: { port, address: [a, b, c, d] } };
}

export const loopback = (port: number) => v4(127, 0, 0, 1, port);

let built: Promise<void> | null = null;
async function ensureBuilt(): Promise<void> {
  if (existsSync(join(INST, "wasock-core.js"))) return;
  built ??= import(pathToFileURL(join(root, "scripts", "build-component.mjs")).href).then((m) => m.default());
  await built;
}

/** Counts every entry into wasi:sockets (a new network, socket or lookup). */
export interface SocketCalls { count: number; names: string[] }

const modules = new Map<string, WasmModule>();

/** The core module instance inside the last component loadCore made (its memory). */
export let lastCoreInstance: WasmInstance | null = null;

/** A fresh core component instance. `calls` counts the wasi:sockets calls it makes. */
export async function loadCore(calls?: SocketCalls): Promise<Sockets> {
  await ensureBuilt();
  const mod = await import(pathToFileURL(join(INST, "wasock-core.js")).href);
  const count = <T extends object>(name: string, obj: T): T => {
    if (!calls) return obj;
    return new Proxy(obj, {
      get(target, key, recv) {
        const v = Reflect.get(target, key, recv);
        if (typeof v !== "function" || /^[A-Z]/.test(String(key))) return v;
        return (...args: unknown[]) => {
          calls.count++;
          calls.names.push(`${name}.${String(key)}`);
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  };
  const imports = {
    "wasi:clocks/monotonic-clock": clocks.monotonicClock,
    "wasi:io/error": io.error,
    "wasi:io/poll": io.poll,
    "wasi:io/streams": io.streams,
    "wasi:sockets/instance-network": count("instance-network", shimSockets.instanceNetwork),
    "wasi:sockets/ip-name-lookup": count("ip-name-lookup", shimSockets.ipNameLookup),
    "wasi:sockets/network": shimSockets.network,
    "wasi:sockets/tcp-create-socket": count("tcp-create-socket", shimSockets.tcpCreateSocket),
    "wasi:sockets/tcp": shimSockets.tcp,
  };
  const getCoreModule = (path: string) => {
    const hit = modules.get(path);
    if (hit) return hit;
    const m = new WA.Module(readFileSync(join(INST, path)));
    modules.set(path, m);
    return m;
  };
  lastCoreInstance = null;
  const instantiateCore = async (m: WasmModule, imps: object) => {
    const i = await WA.instantiate(m, imps);
    // the AssemblyScript module is the one that exports cabi_realloc
    if (lastCoreInstance === null && "cabi_realloc" in i.exports) lastCoreInstance = i;
    return i;
  };
  const inst = await mod.instantiate(getCoreModule, imports, instantiateCore);
  // one object for both exported interfaces: sockets (script calls) and config
  return { ...inst.sockets, ...inst.config } as Sockets;
}

/** The error-code name a component call threw (jco 1.35 throws the enum's string). */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (typeof err === "string") return err;
    throw err;
  }
  return "ok";
}

/** Polls until `done(events so far)` or `ms` pass; returns every event seen. */
export function pollUntil(core: Sockets, done: (evs: CoreEvent[]) => boolean, ms = 5000): CoreEvent[] {
  const seen: CoreEvent[] = [];
  const end = Date.now() + ms;
  while (!done(seen)) {
    if (Date.now() > end) throw new Error(`pollUntil: timed out; events: ${JSON.stringify(seen.map((e) => [e.kind, e.handle, e.a, e.b]))}`);
    seen.push(...core.poll(20));
  }
  return seen;
}

export const has = (kind: number, h?: number) => (evs: CoreEvent[]) =>
  evs.some((e) => e.kind === kind && (h === undefined || e.handle === h));

export interface Peer { port: number; child: ChildProcess; stop(): Promise<void> }

/** Starts tests/component/peer.mjs in a child process. */
export async function startPeer(mode: "echo" | "hold"): Promise<Peer> {
  const child = spawn(process.execPath, [join(root, "tests", "component", "peer.mjs"), mode], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout!.once("data", (d) => resolve(Number(String(d).trim())));
  });
  return {
    port,
    child,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.stdin!.end();
    }),
  };
}

/** Concatenated Data bytes of handle `h`. */
export function dataOf(evs: CoreEvent[], h: number): string {
  return evs.filter((e) => e.kind === Ev.Data && e.handle === h).map((e) => Buffer.from(e.data).toString()).join("");
}
