/**
 * The guest side of the QuickJS net bridge: a `Backend` whose methods are host
 * functions.
 *
 * Inside a sandbox, `net` is the same ts-api module as on Node
 * (`createNetModule(backend)`); only the backend differs. Each Backend method
 * is one host function (see `NetHost`), which calls the sandbox's own driver on
 * the Node side. Plain objects cross as JSON text, bytes as ArrayBuffers
 * (copied once per direction), handles as numbers that the host checks against
 * the handles it issued to this sandbox.
 */
import { Buffer } from "node:buffer";
import type {
  Backend,
  ConnectIpc,
  ConnectTcp,
  Dispatch,
  ErrorInfo,
  ListenIpc,
  ListenTcp,
  ServerAddress,
  SocketCounters,
  SocketInfo,
} from "../host/backend.ts";
import { BEv } from "../host/backend.ts";
import { createNetModule } from "./net.ts";

/** The net host functions, one per Backend method. Objects are JSON text. */
export interface NetHost {
  /**
   * A handle, or an ErrorInfo as JSON. The request crosses as arguments, not
   * as JSON: stringifying it cost about 6 µs per connect in QuickJS. Booleans
   * are TcpFlag bits; an absent option is undefined.
   */
  connectTcp(
    host: string, port: number, flags: number, keepAliveInitialDelay: number | undefined,
    autoSelectFamilyAttemptTimeout: number | undefined, timeout: number | undefined,
    family: number | undefined, hints: number | undefined, localAddress: string | undefined,
    localPort: number | undefined, name: string | undefined,
  ): number | string;
  /** a handle, or an ErrorInfo as JSON */
  connectIpc(req: string): number | string;
  /**
   * bytes[offset, offset + length) are queued: undefined; or 1 when the kernel
   * already took them all (Backend.write's `true`); or an ErrorInfo as JSON on refusal
   */
  write(h: number, bytes: ArrayBufferLike, offset: number, length: number): string | number | undefined;
  end(h: number): void;
  /**
   * Given a 24-byte ArrayBuffer, the socket's counters first, as counters() gives
   * them (written into it and undefined returned, or as JSON)
   */
  destroy(h: number, reset: boolean, out?: ArrayBuffer): string | undefined;
  pause(h: number): void;
  resume(h: number): void;
  setTimeout(h: number, ms: number): void;
  setNoDelay(h: number, on: boolean): void;
  setKeepAlive(h: number, on: boolean, initialDelayMs: number): void;
  ref(h: number, on: boolean): void;
  /**
   * SocketCounters as JSON; or, given a 24-byte ArrayBuffer, written into it as
   * three little-endian float64 (bytesRead, bytesWritten, bufferSize) and
   * undefined returned (when the host can reach the buffer; else JSON as without it)
   */
  counters(h: number, out?: ArrayBuffer): string | undefined;
  /** SocketInfo as JSON */
  socketInfo(h: number): string;
  listenTcp(req: string): number | string;
  listenIpc(req: string): number | string;
  serverClose(h: number): void;
  /** ServerAddress | null as JSON */
  serverAddress(h: number): string;
  getConnections(h: number): number;
  setMaxConnections(h: number, n: number): void;
  serverRef(h: number, on: boolean): void;
}

/** ConnectTcp's booleans as NetHost.connectTcp's `flags`. */
export const enum TcpFlag {
  AllowHalfOpen = 1,
  NoDelay = 2,
  KeepAlive = 4,
  AutoSelectFamily = 8,
  Resolved = 16,
  Multi = 32,
}

/**
 * Which argument of each event the host sends as JSON text (1 = a, 2 = b), or
 * as null when the driver gave none.
 * The host side (host/quickjs/bridge.ts) encodes with the same table.
 */
export const JSON_ARG: Readonly<Record<number, 1 | 2>> = {
  [BEv.Lookup]: 1,
  [BEv.Connect]: 1,
  [BEv.Error]: 1,
  [BEv.Connection]: 2,
  [BEv.Listening]: 1,
  [BEv.Drop]: 1,
  [BEv.Resolved]: 1,
};

function handleOr(r: number | string): number | ErrorInfo {
  return typeof r === "number" ? r : (JSON.parse(r) as ErrorInfo);
}

/** A Backend over host functions. `dispatch` is the entry the host calls for every event. */
export class GuestBackend implements Backend {
  readonly #host: NetHost;
  #dispatch: Dispatch | null = null;
  /** where the host writes a socket's counters */
  readonly #counters = new Float64Array(3);

  constructor(host: NetHost) {
    this.#host = host;
  }

  /** Called by the host, once per event, in the driver's order. */
  deliver(h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
    const which = JSON_ARG[ev];
    if (which === 1) a = typeof a === "string" ? JSON.parse(a) : a;
    else if (which === 2) b = typeof b === "string" ? JSON.parse(b) : b;
    // what Buffer.from(arrayBuffer) makes, without its argument checks (10x faster in QuickJS)
    else if (ev === BEv.Data) a = Object.setPrototypeOf(new Uint8Array(a as ArrayBuffer), Buffer.prototype) as Buffer;
    const dispatch = this.#dispatch;
    if (dispatch === null) throw new Error("wasock: event before setDispatch");
    dispatch(h, ev, a, b, c, d);
  }

  setDispatch(d: Dispatch): void {
    this.#dispatch = d;
  }

  connectTcp(req: ConnectTcp): number | ErrorInfo {
    const flags = (req.allowHalfOpen ? TcpFlag.AllowHalfOpen : 0) | (req.noDelay ? TcpFlag.NoDelay : 0) |
      (req.keepAlive ? TcpFlag.KeepAlive : 0) | (req.autoSelectFamily ? TcpFlag.AutoSelectFamily : 0) |
      (req.resolved ? TcpFlag.Resolved : 0) | (req.multi ? TcpFlag.Multi : 0);
    // a family other than 0, 4 or 6 (possible with a custom lookup) means none to the host
    const family = req.family === 0 || req.family === 4 || req.family === 6 ? req.family : undefined;
    return handleOr(this.#host.connectTcp(req.host, req.port, flags, req.keepAliveInitialDelay,
      req.autoSelectFamilyAttemptTimeout, req.timeout, family, req.hints, req.localAddress, req.localPort, req.name));
  }
  connectIpc(req: ConnectIpc): number | ErrorInfo {
    return handleOr(this.#host.connectIpc(JSON.stringify(req)));
  }
  write(h: number, chunk: Uint8Array): ErrorInfo | undefined | true {
    const r = this.#host.write(h, chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (r === undefined) return undefined;
    return typeof r === "number" ? true : (JSON.parse(r) as ErrorInfo);
  }
  end(h: number): void {
    this.#host.end(h);
  }
  destroy(h: number, reset: boolean): void {
    this.#host.destroy(h, reset);
  }
  pause(h: number): void {
    this.#host.pause(h);
  }
  resume(h: number): void {
    this.#host.resume(h);
  }
  setTimeout(h: number, ms: number): void {
    this.#host.setTimeout(h, ms);
  }
  setNoDelay(h: number, on: boolean): void {
    this.#host.setNoDelay(h, on);
  }
  setKeepAlive(h: number, on: boolean, initialDelayMs: number): void {
    this.#host.setKeepAlive(h, on, initialDelayMs);
  }
  ref(h: number, on: boolean): void {
    this.#host.ref(h, on);
  }
  counters(h: number): SocketCounters {
    return this.#countersFrom(this.#host.counters(h, this.#counters.buffer));
  }
  destroyCounted(h: number, reset: boolean): SocketCounters {
    // every socket asks for its counters once, when it is destroyed: one host call instead of two
    return this.#countersFrom(this.#host.destroy(h, reset, this.#counters.buffer));
  }
  /** what the host wrote into #counters, or its JSON (JSON.parse costs about 2 µs here) */
  #countersFrom(json: string | undefined): SocketCounters {
    if (json !== undefined) return JSON.parse(json) as SocketCounters;
    const out = this.#counters;
    return { bytesRead: out[0]!, bytesWritten: out[1]!, bufferSize: out[2]! };
  }
  socketInfo(h: number): SocketInfo {
    return JSON.parse(this.#host.socketInfo(h)) as SocketInfo;
  }
  listenTcp(req: ListenTcp): number | ErrorInfo {
    return handleOr(this.#host.listenTcp(JSON.stringify(req)));
  }
  listenIpc(req: ListenIpc): number | ErrorInfo {
    return handleOr(this.#host.listenIpc(JSON.stringify(req)));
  }
  serverClose(h: number): void {
    this.#host.serverClose(h);
  }
  serverAddress(h: number): ServerAddress | null {
    return JSON.parse(this.#host.serverAddress(h)) as ServerAddress | null;
  }
  getConnections(h: number): number {
    return this.#host.getConnections(h);
  }
  setMaxConnections(h: number, n: number): void {
    this.#host.setMaxConnections(h, n);
  }
  serverRef(h: number, on: boolean): void {
    this.#host.serverRef(h, on);
  }
}

/** The guest's `net` module and the backend whose `deliver` the host calls. */
export function createGuestNet(host: NetHost): { net: ReturnType<typeof createNetModule>; backend: GuestBackend } {
  const backend = new GuestBackend(host);
  return { net: createNetModule(backend), backend };
}
