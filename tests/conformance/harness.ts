/**
 * Differential harness: one scenario, run against node:net and against
 * wasock/node, must leave the same trace.
 *
 * A trace is a map from actor ("client", "server", "s1"...) to the ordered
 * list of what that actor saw: events with their salient arguments, property
 * snapshots, errors (class, code, errno, syscall, address, port, message) and
 * received bytes (consecutive 'data' events are coalesced into one entry with
 * the byte count and SHA-256, because chunk boundaries legitimately differ).
 * Traces are kept per actor because the interleaving of two sockets' events
 * is not defined by Node either.
 *
 * Values that legitimately differ between runs are normalised: listening
 * ports get a role name (`ctx.namePort`), other non-zero ports become
 * "<ephemeral>", temporary paths become "<tmp>/...".
 *
 * Set WASOCK_CONFORMANCE_SELF=1 to run node:net against itself (checks that
 * every scenario is deterministic before blaming wasock), or
 * WASOCK_CONFORMANCE_MODULE=/abs/path/to/dist/node/index.mjs to test a build.
 */
import * as nodeNet from "node:net";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

/** node:net as scripts see it (@types/node omits the documented `Stream` alias). */
export type Net = typeof nodeNet & { Stream: typeof nodeNet.Socket };
export type Impl = "node" | "wasock";
export type Entry = unknown[];
export type Trace = Record<string, Entry[]>;
export type Scenario = (net: Net, ctx: Ctx) => Promise<void>;

const SELF = process.env.WASOCK_CONFORMANCE_SELF === "1";
// WASOCK_CONFORMANCE_MODULE=/abs/path/dist/node/index.mjs runs the suite against a build
const WASOCK_PATH = process.env.WASOCK_CONFORMANCE_MODULE ?? "../../ts-api/node.ts";
const STATS = Symbol.for("wasock.stats");

let wasockMod: Promise<{ default: Net } & Record<string, unknown>> | undefined;

/** The wasock/node module (default export = the net object). */
export function loadWasock(): Promise<{ default: Net } & Record<string, unknown>> {
  if (SELF) return Promise.resolve({ ...nodeNet, default: nodeNet as Net } as never);
  wasockMod ??= import(/* @vite-ignore */ WASOCK_PATH) as never;
  return wasockMod;
}

export async function wasockNet(): Promise<Net> {
  return (await loadWasock()).default;
}

/** Property names snapshotted by `ctx.snap` for a socket. */
const SOCKET_PROPS = [
  "readyState",
  "pending",
  "connecting",
  "destroyed",
  "readable",
  "writable",
  "bytesRead",
  "bytesWritten",
  "bufferSize",
  "localAddress",
  "localPort",
  "localFamily",
  "remoteAddress",
  "remotePort",
  "remoteFamily",
] as const;

export const ALL_SOCKET_EVENTS = [
  "lookup",
  "connectionAttempt",
  "connectionAttemptFailed",
  "connectionAttemptTimeout",
  "connect",
  "ready",
  "data",
  "end",
  "finish",
  "drain",
  "timeout",
  "error",
  "close",
] as const;

interface DataAcc {
  kind: "data";
  types: Set<string>;
  len: number;
  hash: ReturnType<typeof createHash>;
  text: string | null;
}

export class Ctx {
  readonly impl: Impl;
  readonly net: Net;
  private readonly entries: Record<string, (Entry | DataAcc)[]> = {};
  private readonly ports = new Map<number, string>();
  private readonly cleanups: (() => unknown)[] = [];
  private readonly sockets = new Set<nodeNet.Socket>();
  private readonly servers = new Set<nodeNet.Server>();
  private tmp: string | undefined;

  constructor(impl: Impl, net: Net) {
    this.impl = impl;
    this.net = net;
  }

  /** Give a port a role name so traces compare equal across runs. */
  namePort(port: number, name: string): void {
    this.ports.set(port, name);
  }

  private readonly aliases = new Map<string, string>();

  /** Replace `s` by `label` wherever it appears in the trace (run-specific names). */
  alias(s: string, label: string): void {
    this.aliases.set(s, label);
  }

  /** A fresh temporary directory for this run (removed at cleanup). */
  tmpDir(): string {
    if (this.tmp === undefined) {
      this.tmp = mkdtempSync(join(tmpdir(), "wsk-"));
    }
    return this.tmp;
  }

  tmpPath(name: string): string {
    return join(this.tmpDir(), name);
  }

  /** Record one entry for an actor. */
  log(actor: string, event: string, ...args: unknown[]): void {
    (this.entries[actor] ??= []).push([event, ...args.map((a) => this.norm(a))]);
  }

  /** Append received data to the actor's trailing data entry. */
  data(actor: string, chunk: unknown): void {
    const list = (this.entries[actor] ??= []);
    let last = list[list.length - 1];
    if (last === undefined || Array.isArray(last)) {
      last = { kind: "data", types: new Set(), len: 0, hash: createHash("sha256"), text: "" };
      list.push(last);
    }
    const acc = last as DataAcc;
    if (typeof chunk === "string") {
      acc.types.add("string");
      acc.len += chunk.length;
      acc.hash.update(chunk, "utf8");
      if (acc.text !== null && acc.text.length < 4096) acc.text += chunk;
    } else {
      const b = chunk as Uint8Array;
      acc.types.add(Buffer.isBuffer(b) ? "Buffer" : Object.prototype.toString.call(b));
      acc.len += b.length;
      acc.hash.update(b);
      acc.text = null;
    }
  }

  /** Normalise a value for the trace. */
  norm(v: unknown, depth = 0): unknown {
    if (v instanceof Error) return this.err(v);
    if (typeof v === "string") return this.normStr(v);
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "function") return `<function ${v.name}>`;
    if (Buffer.isBuffer(v)) return `<Buffer ${v.length} ${sha(v)}>`;
    if (v === null || typeof v !== "object") return v;
    if (depth > 3) return "<deep>";
    if (Array.isArray(v)) return v.map((x) => this.norm(x, depth + 1));
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `<${(v as object).constructor?.name ?? "object"}>`;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = /port$/i.test(k) && typeof x === "number" ? this.port(x) : this.norm(x, depth + 1);
    }
    return out;
  }

  port(p: unknown): unknown {
    if (typeof p !== "number" || p === 0 || !Number.isInteger(p)) return p;
    return this.ports.get(p) ?? "<ephemeral>";
  }

  private normStr(s: string): string {
    if (this.tmp !== undefined) s = s.split(this.tmp).join("<tmp>");
    for (const [from, label] of this.aliases) s = s.split(from).join(label);
    for (const [p, name] of this.ports) s = s.split(`:${p}`).join(`:${name}`);
    // "connect EALREADY 127.0.0.1:srv - Local (127.0.0.1:46786)": the local port is ephemeral
    s = s.replace(/ - Local \((.*):(\d+)\)$/, (_m, a: string, p: string) => ` - Local (${a}:${String(this.port(Number(p)))})`);
    return s;
  }

  /** The comparable face of an error. */
  err(e: unknown): Record<string, unknown> {
    if (!(e instanceof Error)) return { thrownNonError: typeof e, value: String(e) };
    const x = e as NodeJS.ErrnoException & { address?: string; port?: number; cause?: unknown };
    const out: Record<string, unknown> = {
      name: x.name,
      ctor: x.constructor?.name,
      code: x.code,
      message: this.normStr(x.message),
      // own enumerable properties (system errors: errno, code, syscall, address, port)
      keys: Object.keys(x).sort().join(","),
      toString: this.normStr(String(x)),
    };
    if (x.errno !== undefined) out.errno = x.errno;
    if (x.syscall !== undefined) out.syscall = x.syscall;
    if (x.address !== undefined) out.address = typeof x.address === "string" ? this.normStr(x.address) : x.address;
    if (x.port !== undefined) out.port = this.port(x.port);
    if ("cause" in x && x.cause !== undefined) {
      out.cause = x.cause instanceof Error ? { name: x.cause.name, message: x.cause.message } : String(x.cause);
    }
    return out;
  }

  /** Snapshot a socket's state properties. */
  snap(actor: string, label: string, s: nodeNet.Socket, props: readonly string[] = SOCKET_PROPS): void {
    const o: Record<string, unknown> = {};
    for (const p of props) {
      let v: unknown;
      try {
        v = (s as unknown as Record<string, unknown>)[p];
      } catch (e) {
        v = { threw: this.err(e) };
      }
      o[p] = /Port$/.test(p) ? this.port(v) : this.norm(v);
    }
    this.log(actor, `@${label}`, o);
  }

  /** Snapshot `address()` of a socket or server. */
  addr(actor: string, label: string, o: { address(): unknown }): void {
    let v: unknown;
    try {
      v = o.address();
    } catch (e) {
      v = { threw: this.err(e) };
    }
    this.log(actor, `address@${label}`, v);
  }

  /**
   * Record a socket's events for `actor`. With `snap`, the state properties
   * are snapshotted at every non-data event.
   */
  watch(
    actor: string,
    s: nodeNet.Socket,
    opts: { events?: readonly string[]; snap?: boolean | readonly string[]; ticks?: boolean } = {},
  ): nodeNet.Socket {
    this.track(s);
    const events = opts.events ?? ALL_SOCKET_EVENTS;
    const props = opts.snap === true ? SOCKET_PROPS : opts.snap || undefined;
    for (const ev of events) {
      s.on(ev, (...args: unknown[]) => {
        if (ev === "data") {
          this.data(actor, args[0]);
          return;
        }
        // connectionAttempt*(ip, port, family[, error]): the port is positional
        if (ev.startsWith("connectionAttempt")) args = args.map((a, i) => (i === 1 ? this.port(a) : a));
        this.log(actor, ev, ...args);
        if (props !== undefined) this.snap(actor, ev, s, props);
        // tick markers: which events share a tick / a microtask turn
        if (opts.ticks) {
          queueMicrotask(() => this.log(actor, `${ev}+microtask`));
          process.nextTick(() => this.log(actor, `${ev}+nextTick`));
        }
      });
    }
    return s;
  }

  /** Record a server's events. */
  watchServer(actor: string, srv: nodeNet.Server, events = ["listening", "connection", "error", "close", "drop"]) {
    this.trackServer(srv);
    for (const ev of events) {
      srv.on(ev, (...args: unknown[]) => {
        if (ev === "connection") {
          this.track(args[0] as nodeNet.Socket);
          this.log(actor, ev);
        } else {
          this.log(actor, ev, ...args);
        }
      });
    }
    return srv;
  }

  /** Destroy at cleanup. Also swallows 'error' (record it with watch()). */
  track<T extends nodeNet.Socket>(s: T): T {
    if (!this.sockets.has(s)) s.on("error", () => {});
    this.sockets.add(s);
    return s;
  }

  trackServer<T extends nodeNet.Server>(s: T): T {
    this.servers.add(s);
    return s;
  }

  defer(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  /** Call fn, recording a synchronous throw or the return value's kind. */
  attempt(actor: string, label: string, fn: () => unknown): unknown {
    try {
      const r = fn();
      this.log(actor, label, "ok");
      return r;
    } catch (e) {
      this.log(actor, label, "threw", e);
      return undefined;
    }
  }

  /** Call fn and record its (normalised) return value or what it threw. */
  value(actor: string, label: string, fn: () => unknown): unknown {
    try {
      const r = fn();
      this.log(actor, label, "=", r);
      return r;
    } catch (e) {
      this.log(actor, label, "threw", e);
      return undefined;
    }
  }

  /** Listen on 127.0.0.1:0 and name the port. */
  async listen(srv: nodeNet.Server, name = "srv", host = "127.0.0.1"): Promise<number> {
    this.trackServer(srv);
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(0, host, () => {
        srv.off("error", reject);
        resolve();
      });
    });
    const port = (srv.address() as nodeNet.AddressInfo).port;
    this.namePort(port, name);
    return port;
  }

  trace(): Trace {
    const out: Trace = {};
    for (const [actor, list] of Object.entries(this.entries)) {
      out[actor] = list.map((e) =>
        Array.isArray(e)
          ? e
          : ["data", { types: [...e.types].sort().join("|"), len: e.len, sha256: e.hash.digest("hex").slice(0, 16), ...(e.text !== null ? { text: e.text.slice(0, 200) } : {}) }],
      );
    }
    return out;
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.reverse()) {
      try {
        await fn();
      } catch {
        // cleanup is best effort; leaks are caught by checkLeaks()
      }
    }
    for (const s of this.sockets) s.destroy();
    await Promise.all(
      [...this.servers].map(
        (srv) =>
          new Promise<void>((resolve) => {
            if (!srv.listening) return resolve();
            const t = setTimeout(resolve, 2000);
            srv.close(() => {
              clearTimeout(t);
              resolve();
            });
            for (const s of this.sockets) s.destroy();
          }),
      ),
    );
    // let close events settle
    await new Promise((r) => setTimeout(r, 5));
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
  }
}

export function sha(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex").slice(0, 16);
}

/** Resolve when `ev` fires (or reject on timeout). */
export function once<T = unknown[]>(em: NodeJS.EventEmitter, ev: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      em.off(ev, on);
      reject(new Error(`timed out waiting for '${ev}'`));
    }, ms);
    const on = (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args as T);
    };
    em.once(ev, on);
  });
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Run a scenario with one implementation; never throws: failures go in the trace. */
export async function runWith(impl: Impl, net: Net, scenario: Scenario, timeoutMs = 8000): Promise<Trace> {
  const ctx = new Ctx(impl, net);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      scenario(net, ctx),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`scenario timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (e) {
    ctx.log("scenario", "failed", e);
  } finally {
    clearTimeout(timer);
    await ctx.cleanup();
  }
  return ctx.trace();
}

/** Run against node:net then wasock, and return both traces. */
export async function runBoth(scenario: Scenario, timeoutMs?: number): Promise<{ node: Trace; wasock: Trace }> {
  const node = await runWith("node", nodeNet as Net, scenario, timeoutMs);
  let wasock: Trace;
  try {
    wasock = await runWith("wasock", await wasockNet(), scenario, timeoutMs);
  } catch (e) {
    wasock = { scenario: [["wasock/node failed to load", String(e)]] };
  }
  return { node, wasock };
}

/**
 * Define a differential test. `check` asserts what node:net's own trace must
 * contain, so that a scenario which silently records nothing cannot pass.
 */
export function diff(
  name: string,
  scenario: Scenario,
  check?: (t: Trace) => void,
  timeoutMs?: number,
  opts: { allowNotSupported?: boolean } = {},
): void {
  it(name, async () => {
    const { node, wasock } = await runBoth(scenario, timeoutMs);
    if (process.env.WASOCK_CONFORMANCE_DUMP === "1") console.log(name, JSON.stringify(node, null, 1));
    expect(node.scenario, "the node:net run itself failed").toBeUndefined();
    check?.(node);
    // outside issue 3's surface, a clear ERR_NOT_SUPPORTED is an accepted answer
    if (opts.allowNotSupported && JSON.stringify(wasock.scenario ?? []).includes('"code":"ERR_NOT_SUPPORTED"')) return;
    expect(wasock).toEqual(node);
  });
}

/** Events named in a trace actor's list, in order. */
export function names(t: Trace, actor: string): string[] {
  return (t[actor] ?? []).map((e) => String(e[0]));
}

const IO_RESOURCES = /^(TCPSocketWrap|TCPServerWrap|PipeWrap|PipeServerWrap|TCPWRAP|PIPEWRAP|TCPConnectWrap|PipeConnectWrap|ShutdownWrap|WriteWrap)$/;

function ioResources(): string[] {
  return process.getActiveResourcesInfo().filter((r) => IO_RESOURCES.test(r));
}

let baseline: string[] = [];

/** Call in beforeAll: remember the socket handles the test runner itself holds. */
export function leakBaseline(): void {
  baseline = ioResources();
}

/**
 * Call in afterAll: no socket handle beyond the baseline, and the wasock core
 * table is empty.
 */
export async function checkLeaks(): Promise<void> {
  let now = ioResources();
  let live = -1;
  for (let i = 0; i < 100; i++) {
    now = ioResources();
    const mod = await loadWasock().catch(() => undefined);
    const stats = mod?.default && (mod.default as unknown as Record<symbol, (() => { liveHandles: number }) | undefined>)[STATS];
    live = SELF ? 0 : stats ? stats.call(mod!.default).liveHandles : -1;
    if (now.length <= baseline.length && live === 0) break;
    await delay(20);
  }
  expect(now.sort(), "node socket handles left open").toEqual([...baseline].sort());
  expect(live, "wasock liveHandles after the file").toBe(0);
}
