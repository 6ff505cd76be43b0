/**
 * A ts-api `Backend` over the core component's exported interface
 * (wasock:core/sockets, wasm/wit-component/world.wit).
 *
 * The component holds the table, the buffers, the policy and the I/O (its own
 * wasi:sockets driver). This backend only translates: script calls go straight
 * to the interface, and `pump(timeoutMs)` calls `poll` and dispatches the script
 * events it returns as `BEv` events, in order. Never re-entrant: events are only
 * dispatched from `pump`.
 *
 * The same code runs inside a componentize-qjs plugin (u64 arrives as a number)
 * and on Node over jco's bindings (u64 arrives as a bigint): counters go through
 * Number(). Error results arrive as thrown error-code strings (both bindings).
 */
import { Buffer } from "node:buffer";
import { BEv } from "../../host/backend.ts";
import type {
  Backend, ConnectIpc, ConnectTcp, Dispatch, ErrorInfo, ListenIpc, ListenTcp,
  ServerAddress, SocketCounters, SocketInfo, AddressInfo,
} from "../../host/backend.ts";
import { isIP } from "../../ts-api/ip.ts";
import { ERR_NOT_SUPPORTED } from "../../ts-api/errors.ts";
import { Code } from "../../host/core/api.ts";
import { systemCodeOf } from "../../host/core/system-codes.ts";

/** wasi:sockets ip-socket-address, as both bindings lift it. */
export type IpSocketAddress =
  | { tag: "ipv4"; val: { port: number; address: [number, number, number, number] } }
  | { tag: "ipv6"; val: { port: number; flowInfo: number; address: number[]; scopeId: number } };

export interface CoreEvent { kind: number; handle: number; a: number; b: number; data: Uint8Array }

/** The component's exports that this backend uses. */
export interface CoreSockets {
  socketOpen(kind: number, allowHalfOpen: boolean): number;
  serverOpen(kind: number, allowHalfOpen: boolean, pauseOnConnect: boolean): number;
  connectName(h: number, name: string, port: number, family: number): void;
  connectAddress(h: number, address: IpSocketAddress): void;
  listenAddress(h: number, address: IpSocketAddress, backlog: number): void;
  write(h: number, data: Uint8Array): boolean;
  end(h: number): void;
  destroy(h: number, reset: boolean): void;
  pause(h: number): void;
  resume(h: number): void;
  setTimeout(h: number, ms: number): void;
  setNoDelay(h: number, on: boolean): void;
  setKeepAlive(h: number, on: boolean, delayMs: number): void;
  ref(h: number, on: boolean): void;
  serverClose(h: number): void;
  setMaxConnections(h: number, n: number): void;
  poll(timeoutMs: number): CoreEvent[];
  hasRefs(): boolean;
  bufferSize(h: number): number;
  peerAddress(h: number): IpSocketAddress;
  localAddress(h: number): IpSocketAddress;
  connections(h: number): number;
  liveHandles(): number;
}

/** Event kinds of the component (host/core/api.ts Ev). */
const enum Ev {
  Connect = 32, Data = 33, End = 34, Drain = 35, Timeout = 36, Error = 37, Close = 38,
  Connection = 39, Listening = 40, Drop = 41, Lookup = 42, ServerClose = 43,
}

/** The error-code names of the WIT enum, in order (Code = index + 1). */
const CODE_NAMES = [
  "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
  "concurrency-conflict", "not-in-progress", "would-block", "invalid-state", "new-socket-limit",
  "address-not-bindable", "address-in-use", "remote-unreachable", "connection-refused",
  "connection-reset", "connection-aborted", "datagram-too-large", "name-unresolvable",
  "temporary-resolver-failure", "permanent-resolver-failure", "invalid-handle", "policy-denied",
  "quota-exceeded", "out-of-bounds", "table-full",
];

/** The core Code of an error a component call threw. */
function codeOfThrown(err: unknown): number {
  const name = typeof err === "string" ? err : (err as { payload?: unknown })?.payload;
  const i = CODE_NAMES.indexOf(String(name));
  if (i < 0) throw err; // not an error-code result: a real failure
  return i + 1;
}

function tryCall(fn: () => unknown): number {
  try {
    fn();
    return 0;
  } catch (err) {
    return codeOfThrown(err);
  }
}

const NO_DELAY = "setNoDelay(true) in the component (wasi:sockets has no TCP_NODELAY)";

function notSupported(feature: string): ErrorInfo {
  return { code: "ERR_NOT_SUPPORTED", message: feature };
}

/** Text IP -> ip-socket-address; null when `host` is not an IP literal. */
export function toSocketAddress(host: string, port: number): IpSocketAddress | null {
  const fam = isIP(host);
  if (fam === 4) {
    const b = host.split(".").map(Number) as [number, number, number, number];
    return { tag: "ipv4", val: { port, address: b } };
  }
  if (fam === 6) {
    const groups = expand6(host);
    return { tag: "ipv6", val: { port, flowInfo: 0, address: groups, scopeId: 0 } };
  }
  return null;
}

function expand6(host: string): number[] {
  let h = host.replace(/%.*$/, "");
  let tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(h);
  if (v4) {
    const b = v4[1].split(".").map(Number);
    tail = [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
    h = h.slice(0, -v4[1].length).replace(/:$/, ":0").replace(/::0$/, "::");
    if (h.endsWith(":") && !h.endsWith("::")) h = h.slice(0, -1);
  }
  const [head, rest] = h.includes("::") ? h.split("::") : [h, undefined];
  const parse = (s: string) => (s ? s.split(":").filter((x) => x !== "").map((x) => parseInt(x, 16)) : []);
  const a = parse(head);
  const b = rest === undefined ? [] : parse(rest);
  const fill = 8 - tail.length - a.length - b.length;
  const groups = [...a, ...(rest === undefined ? [] : new Array(Math.max(0, fill)).fill(0)), ...b, ...tail];
  return groups.slice(0, 8);
}

/** ip-socket-address -> Node's AddressInfo. */
export function addressInfo(sa: IpSocketAddress): AddressInfo {
  if (sa.tag === "ipv4") return { address: sa.val.address.join("."), family: "IPv4", port: sa.val.port };
  return { address: compress6(sa.val.address), family: "IPv6", port: sa.val.port };
}

function compress6(g: number[]): string {
  // the longest run of zero groups (length >= 2) becomes "::" (RFC 5952)
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

interface Conn {
  server: boolean;
  host?: string;
  port?: number;
  address?: string;
  /** lengths of writes not yet reported Written, oldest first */
  writes: number[];
  /** bytes of those writes */
  unflushed: number;
  bytesRead: number;
  bytesWritten: number;
  ended: boolean;
  finished: boolean;
  closed: boolean;
  local?: AddressInfo;
  remote?: AddressInfo;
}

function newConn(server: boolean): Conn {
  return { server, writes: [], unflushed: 0, bytesRead: 0, bytesWritten: 0, ended: false, finished: false, closed: false };
}

export class ComponentBackend implements Backend {
  readonly #core: CoreSockets;
  #dispatch: Dispatch = () => {};
  readonly #conns = new Map<number, Conn>();

  constructor(core: CoreSockets) {
    this.#core = core;
  }

  setDispatch(d: Dispatch): void {
    this.#dispatch = d;
  }

  /** true while a ref'ed socket, server or timer keeps the loop alive */
  hasRefs(): boolean {
    return this.#late.length > 0 || this.#core.hasRefs();
  }

  // ---- sockets -------------------------------------------------------------------

  connectTcp(req: ConnectTcp): number | ErrorInfo {
    const core = this.#core;
    if (req.localAddress !== undefined || req.localPort !== undefined) {
      return notSupported("localAddress/localPort on a component connect");
    }
    if (req.noDelay) return notSupported(NO_DELAY);
    let h = 0;
    const open = tryCall(() => { h = core.socketOpen(0, req.allowHalfOpen); });
    if (open !== 0) return this.#refusal(open, "connect", req.host, req.port);
    const c = newConn(false);
    c.host = req.host;
    c.port = req.port;
    this.#conns.set(h, c);
    if (req.timeout) tryCall(() => core.setTimeout(h, req.timeout!));
    const sa = toSocketAddress(req.host, req.port);
    if (sa) c.address = req.host;
    const code = tryCall(() => (sa ? core.connectAddress(h, sa) : core.connectName(h, req.host, req.port, req.family ?? 0)));
    if (code !== 0) {
      this.#conns.delete(h);
      tryCall(() => core.destroy(h, false));
      return this.#refusal(code, "connect", req.host, req.port);
    }
    if (req.keepAlive) tryCall(() => core.setKeepAlive(h, true, req.keepAliveInitialDelay ?? 0));
    return h;
  }

  connectIpc(_req: ConnectIpc): number | ErrorInfo {
    return notSupported("Unix domain sockets in the component (wasi:sockets has none)");
  }

  write(h: number, chunk: Uint8Array): ErrorInfo | undefined {
    const c = this.#conns.get(h);
    const code = tryCall(() => this.#core.write(h, chunk));
    if (code === Code.QuotaExceeded) {
      return { code: "ERR_QUOTA_EXCEEDED", syscall: "write", message: "maxBufferedBytesPerSocket or maxBufferedBytesTotal" };
    }
    if (code !== 0) {
      if (code === Code.InvalidState) return { code: "EPIPE", errno: -32, syscall: "write" };
      const sys = systemCodeOf(code, 0, ["EPIPE", -32]);
      return { code: sys.code, errno: sys.errno, syscall: "write" };
    }
    if (c) {
      c.writes.push(chunk.byteLength);
      c.unflushed += chunk.byteLength;
      c.bytesWritten += chunk.byteLength;
    }
    return undefined;
  }

  end(h: number): void {
    const c = this.#conns.get(h);
    if (c) c.ended = true;
    tryCall(() => this.#core.end(h));
  }

  /** wasi:sockets cannot send RST: resetAndDestroy() throws ERR_NOT_SUPPORTED in ts-api. */
  readonly canReset = false;

  /** reset: the component closes with FIN (wasi:sockets cannot send RST) and says not-supported. */
  destroy(h: number, reset: boolean): void {
    tryCall(() => this.#core.destroy(h, reset));
  }

  pause(h: number): void { tryCall(() => this.#core.pause(h)); }
  resume(h: number): void { tryCall(() => this.#core.resume(h)); }
  setTimeout(h: number, ms: number): void { tryCall(() => this.#core.setTimeout(h, ms)); }
  /** Throws ERR_NOT_SUPPORTED for on = true: wasi:sockets has no TCP_NODELAY. */
  setNoDelay(h: number, on: boolean): void {
    if (on) throw ERR_NOT_SUPPORTED(NO_DELAY);
    tryCall(() => this.#core.setNoDelay(h, false));
  }
  setKeepAlive(h: number, on: boolean, delay: number): void { tryCall(() => this.#core.setKeepAlive(h, on, delay)); }
  ref(h: number, on: boolean): void { tryCall(() => this.#core.ref(h, on)); }

  counters(h: number): SocketCounters {
    const c = this.#conns.get(h);
    let bufferSize = 0;
    if (c && !c.closed) tryCall(() => { bufferSize = this.#core.bufferSize(h); });
    return { bytesRead: c?.bytesRead ?? 0, bytesWritten: c?.bytesWritten ?? 0, bufferSize };
  }

  socketInfo(h: number): SocketInfo {
    const c = this.#conns.get(h);
    if (!c) return {};
    if (!c.closed) {
      tryCall(() => { c.local = addressInfo(this.#core.localAddress(h)); });
      tryCall(() => { c.remote = addressInfo(this.#core.peerAddress(h)); });
    }
    const info: SocketInfo = {};
    if (c.local) info.local = c.local;
    if (c.remote) info.remote = c.remote;
    return info;
  }

  // ---- servers -------------------------------------------------------------------

  listenTcp(req: ListenTcp): number | ErrorInfo {
    const core = this.#core;
    if (req.reusePort) return notSupported("reusePort (wasi:sockets has no SO_REUSEPORT)");
    if (req.ipv6Only) return notSupported("ipv6Only (wasi:sockets 0.2 has no IPV6_V6ONLY setter)");
    if (req.noDelay) return notSupported(NO_DELAY);
    // No name lookup for listen inside the component: the unspecified address, or
    // localhost's loopback address, or an IP literal.
    const host = req.host === undefined ? "0.0.0.0" : req.host === "localhost" ? "127.0.0.1" : req.host;
    const sa = toSocketAddress(host, req.port);
    if (!sa) return notSupported(`listening on a host name (${host}) in the component`);
    let h = 0;
    const open = tryCall(() => { h = core.serverOpen(0, req.allowHalfOpen, req.pauseOnConnect); });
    if (open !== 0) return this.#refusal(open, "listen", host, req.port);
    const c = newConn(true);
    c.host = host;
    c.port = req.port;
    this.#conns.set(h, c);
    const code = tryCall(() => core.listenAddress(h, sa, req.backlog ?? 511));
    if (code !== 0) {
      this.#conns.delete(h);
      tryCall(() => core.serverClose(h));
      return this.#refusal(code, "listen", host, req.port);
    }
    return h;
  }

  listenIpc(_req: ListenIpc): number | ErrorInfo {
    return notSupported("Unix domain sockets in the component (wasi:sockets has none)");
  }

  serverClose(h: number): void { tryCall(() => this.#core.serverClose(h)); }

  serverAddress(h: number): ServerAddress | null {
    const c = this.#conns.get(h);
    if (!c || c.closed) return null;
    let a: AddressInfo | null = null;
    tryCall(() => { a = addressInfo(this.#core.localAddress(h)); });
    if (a !== null && (a as AddressInfo).port === 0) return null;
    return a;
  }

  getConnections(h: number): number {
    let n = 0;
    tryCall(() => { n = this.#core.connections(h); });
    return n;
  }

  setMaxConnections(h: number, n: number): void { tryCall(() => this.#core.setMaxConnections(h, n)); }
  serverRef(h: number, on: boolean): void { tryCall(() => this.#core.ref(h, on)); }

  // ---- the loop ------------------------------------------------------------------

  /**
   * One turn: poll the component and dispatch its events. Returns how many.
   *
   * Close events wait for the next turn. Inside the component a whole exchange
   * (data, FIN, orderly close) can complete in one poll, so End and Close arrive
   * together; the script must first see 'end' (and end its own side, as
   * allowHalfOpen=false does) on the ticks in between, as it would on Node where
   * the close comes from a later event-loop turn.
   */
  pump(timeoutMs: number): number {
    const late = this.#late;
    this.#late = [];
    for (const e of late) this.#event(e);
    const evs = this.#core.poll(late.length > 0 ? 0 : timeoutMs);
    for (const e of evs) {
      if (e.kind === Ev.Close) this.#late.push(e);
      else this.#event(e);
    }
    this.#settleWrites();
    return evs.length + late.length;
  }

  #late: CoreEvent[] = [];

  #event(e: CoreEvent): void {
    const h = e.handle;
    const c = this.#conns.get(h);
    const d = this.#dispatch;
    switch (e.kind) {
      case Ev.Connect:
        d(h, BEv.Connect, this.socketInfo(h));
        return;
      case Ev.Data:
        if (c) c.bytesRead += e.data.byteLength;
        d(h, BEv.Data, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
        return;
      case Ev.End: d(h, BEv.End); return;
      case Ev.Drain: return; // ts-api counts Written instead
      case Ev.Timeout: d(h, BEv.Timeout); return;
      case Ev.Error: d(h, BEv.Error, this.#errorInfo(c, e.a, e.b)); return;
      case Ev.Close:
        // The slot is already free: bufferSize(h) cannot answer any more. A clean
        // close means the core flushed every queued byte first (an orderly close
        // waits for the queue); after an error the writes never complete.
        if (c && e.a === 0) {
          if (c.writes.length > 0) d(h, BEv.Written, c.writes.length);
          if (c.ended && !c.finished) d(h, BEv.Finished);
        }
        if (c) {
          c.writes = [];
          c.unflushed = 0;
          c.finished = true;
          c.closed = true;
        }
        d(h, BEv.Close, e.a === 1);
        this.#conns.delete(h);
        return;
      case Ev.Connection: {
        const n = newConn(false);
        this.#conns.set(e.a, n);
        d(h, BEv.Connection, e.a, this.socketInfo(e.a));
        return;
      }
      case Ev.Listening: d(h, BEv.Listening, this.serverAddress(h)); return;
      case Ev.Drop: d(h, BEv.Drop, {}); return;
      case Ev.Lookup: {
        let addr: string | undefined;
        tryCall(() => { addr = addressInfo(this.#core.peerAddress(h)).address; });
        if (c && addr) c.address = addr;
        d(h, BEv.Lookup, null, addr, e.a, c?.host);
        return;
      }
      case Ev.ServerClose:
        if (c) c.closed = true;
        d(h, BEv.ServerClose);
        this.#conns.delete(h);
        return;
      default:
        return;
    }
  }

  /** Reports writes the component has flushed (BEv.Written), then Finished after end. */
  #settleWrites(): void {
    for (const [h, c] of this.#conns) {
      if (c.server || c.closed) continue;
      if (c.writes.length > 0) {
        let left = 0;
        if (tryCall(() => { left = this.#core.bufferSize(h); }) !== 0) continue;
        let flushed = c.unflushed - left;
        let n = 0;
        while (c.writes.length > 0 && c.writes[0] <= flushed) {
          flushed -= c.writes[0];
          c.unflushed -= c.writes[0];
          c.writes.shift();
          n++;
        }
        if (n > 0) this.#dispatch(h, BEv.Written, n);
      }
      if (c.ended && !c.finished && c.writes.length === 0) {
        c.finished = true;
        this.#dispatch(h, BEv.Finished);
      }
    }
  }

  #errorInfo(c: Conn | undefined, code: number, errno: number): ErrorInfo {
    const syscall = c?.server ? "listen" : "connect";
    switch (code) {
      case Code.PolicyDenied: {
        const info: ErrorInfo = { code: "ERR_ACCESS_DENIED", syscall };
        if (c?.address ?? c?.host) info.address = c?.address ?? c?.host;
        if (c?.port !== undefined) info.port = c.port;
        if (c?.host && c.host !== c.address) info.hostname = c.host;
        return info;
      }
      case Code.QuotaExceeded:
        return { code: "ERR_QUOTA_EXCEEDED", message: "maxBufferedBytesPerSocket or maxBufferedBytesTotal" };
      case Code.NameUnresolvable:
      case Code.PermanentResolverFailure:
      case Code.TemporaryResolverFailure:
        return {
          code: code === Code.TemporaryResolverFailure ? "EAI_AGAIN" : "ENOTFOUND",
          errno: errno || (code === Code.TemporaryResolverFailure ? -3001 : -3008),
          syscall: "getaddrinfo", hostname: c?.host,
        };
      default: {
        const sys = systemCodeOf(code, errno);
        const info: ErrorInfo = { code: sys.code, errno: sys.errno, syscall };
        if (c?.address ?? c?.host) info.address = c?.address ?? c?.host;
        if (c?.port !== undefined) info.port = c.port;
        return info;
      }
    }
  }

  #refusal(code: number, syscall: string, host: string, port: number): ErrorInfo {
    switch (code) {
      case Code.PolicyDenied: {
        const info: ErrorInfo = { code: "ERR_ACCESS_DENIED", syscall, port };
        if (isIP(host)) info.address = host;
        else info.hostname = host;
        return info;
      }
      case Code.QuotaExceeded:
      case Code.TableFull:
        return { code: "ERR_QUOTA_EXCEEDED", syscall, message: code === Code.TableFull ? "connection table full" : "maxSockets" };
      case Code.NotSupported:
        return notSupported(`${syscall} with these options in the component`);
      default: {
        const sys = systemCodeOf(code, 0);
        return { code: sys.code, errno: sys.errno, syscall, address: host, port };
      }
    }
  }
}
