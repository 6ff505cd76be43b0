/**
 * The driver's per-handle records and the address helpers it shares.
 *
 * A `Conn` is one socket handle of the core with its node:net socket; a
 * `Listener` is one server handle with its node:net server. They hold only
 * what the driver needs to finish the core's requests and to word errors.
 */
import type * as net from "node:net";
import { Kind } from "../core/api.ts";
import type { CoreAddress } from "../core/api.ts";
import type { AddressInfo, ConnectTcp, ListenIpc, ListenTcp } from "../backend.ts";
import type { RawHandle, RawSink } from "./raw.ts";

/** Conn's boolean flags: bits of `Conn.flags`, read and written as properties. */
const CONN_FLAGS = [
  "closeRequested",
  "sockClosed",
  "reportedClosed",
  "dropped",
  "abandoned",
  "endRequested",
  "finished",
  "finishedSent",
  "initialPause",
  "refed",
  "rawClosing",
  "shutdownPending",
  "closeAfterFinish",
  "rawEof",
  "rawConnected",
  "rawReadStopped",
] as const;

/** One socket handle: its node:net socket and what the driver needs to finish its requests. */
export class Conn {
  readonly h: number;
  readonly kind: Kind;
  sock: net.Socket | null = null;
  /** TCP connect request (client sockets) */
  tcp: ConnectTcp | null = null;
  path = "";
  /** the name connect() was given, for 'lookup' and error messages */
  host = "";
  port = 0;
  /** the address the lookup gave, for errors after the core freed the handle */
  resolved = "";
  /** the last node:net error, whose details the core's Error event refers to */
  lastErr: NodeJS.ErrnoException | null = null;
  /** lengths of the writes in flight, oldest first */
  lens: number[] = [];
  lensHead = 0;
  /**
   * The boolean fields below, one bit each (CONN_FLAGS order). A server holds
   * one Conn per idle connection: 16 fields of their own made each Conn about
   * 120 bytes bigger.
   */
  flags = 1 << CONN_FLAGS.indexOf("refed");
  declare closeRequested: boolean;
  declare sockClosed: boolean;
  declare reportedClosed: boolean;
  /** refused by maxConnections: the core frees it without a Close event */
  declare dropped: boolean;
  /** its connect was refused synchronously: the caller never got the handle, so no Close is dispatched */
  declare abandoned: boolean;
  /** the script asked for end(); node:net's 'finish' seen; Finished dispatched */
  declare endRequested: boolean;
  declare finished: boolean;
  declare finishedSent: boolean;
  /** accepted with pauseOnConnect and not resumed yet */
  declare initialPause: boolean;
  declare refed: boolean;
  declare rawClosing: boolean;
  declare shutdownPending: boolean;
  /** IoClose graceful while the FIN is still queued: close once it went out */
  declare closeAfterFinish: boolean;
  declare rawEof: boolean;
  declare rawConnected: boolean;
  declare rawReadStopped: boolean;
  keepAliveDelayMs = 0;
  /** bound once per socket: node:net calls it per completed write, in order */
  onWrite: () => void = noop;
  /** the driver that owns this handle (for the shared node:net event handlers) */
  driver: object | null = null;
  /** an accepted connection on libuv's handle itself (host/node/raw.ts), instead of `sock` */
  raw: RawHandle | null = null;
  sink: RawSink | null = null;
  rawInflight = 0;

  constructor(h: number, kind: Kind) {
    this.h = h;
    this.kind = kind;
  }
}

CONN_FLAGS.forEach((name, i) => {
  const bit = 1 << i;
  Object.defineProperty(Conn.prototype, name, {
    get(this: Conn): boolean {
      return (this.flags & bit) !== 0;
    },
    set(this: Conn, on: boolean) {
      this.flags = on ? this.flags | bit : this.flags & ~bit;
    },
  });
});

/** One server handle and its node:net server. */
export class Listener {
  readonly h: number;
  readonly kind: Kind;
  srv: net.Server | null = null;
  tcp: ListenTcp | null = null;
  ipc: ListenIpc | null = null;
  bindHost: string | undefined = undefined;
  lastErr: NodeJS.ErrnoException | null = null;
  closing = false;
  refed = true;

  constructor(h: number, kind: Kind) {
    this.h = h;
    this.kind = kind;
  }
}

export function noop(): void {}

export function familyName(f: number | string | undefined): "IPv4" | "IPv6" {
  return f === 6 || f === "IPv6" ? "IPv6" : "IPv4";
}

export function addrOf(address: string | undefined, port: number | undefined, family: string | number | undefined):
  AddressInfo | undefined {
  if (address === undefined) return undefined;
  return { address, family: familyName(family), port: port ?? 0 };
}

export function coreAddr(address: string | undefined, port: number | undefined, family: string | number | undefined):
  CoreAddress | null {
  if (address === undefined) return null;
  return { address, port: port ?? 0, family: familyName(family) === "IPv6" ? 6 : 4 };
}
