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

/** `Conn.flags` bit of the socket kind (Kind.Ipc), above the booleans. */
const IPC_BIT = 1 << CONN_FLAGS.length;

/**
 * What only some connections need (client connects, IPC paths, errors, node:net
 * sockets): a Conn allocates it when one of these is first set to a value other
 * than its default, so that a server's idle accepted connections never do. (No
 * private methods on Conn: they would cost each instance a brand slot.)
 */
class ConnMore {
  tcp: ConnectTcp | null = null;
  path = "";
  host = "";
  port = 0;
  resolved = "";
  lastErr: NodeJS.ErrnoException | null = null;
  keepAliveDelayMs = 0;
  onWrite: () => void = noop;
}

/**
 * One socket handle: its node:net socket and what the driver needs to finish its requests.
 *
 * A server holds one Conn per idle connection, so only what every connection uses is
 * a field of its own (V8 gives each 8 bytes here): the booleans and the kind are bits
 * of `flags`, the rest lives in a ConnMore allocated on first use, and the queue of
 * write lengths is created by the first write.
 */
export class Conn {
  readonly h: number;
  sock: net.Socket | null = null;
  /** the boolean fields below and the kind, one bit each (CONN_FLAGS order, then IPC_BIT) */
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
  lensHead = 0;
  /** the driver that owns this handle (for the shared node:net event handlers) */
  driver: object | null = null;
  /** an accepted connection on libuv's handle itself (host/node/raw.ts), instead of `sock` */
  raw: RawHandle | null = null;
  sink: RawSink | null = null;
  rawInflight = 0;
  #lens: number[] | null = null;
  /** the rarely used fields (MORE_FIELDS), once one of them was set to other than its default */
  more: ConnMore | null = null;

  constructor(h: number, kind: Kind) {
    this.h = h;
    if (kind === Kind.Ipc) this.flags |= IPC_BIT;
  }

  get kind(): Kind {
    return this.flags & IPC_BIT ? Kind.Ipc : Kind.Tcp;
  }

  /** lengths of the writes in flight, oldest first (from `lensHead`) */
  get lens(): number[] {
    return (this.#lens ??= []);
  }

  // MORE_FIELDS, kept in `more` (accessors defined below)
  /** TCP connect request (client sockets) */
  declare tcp: ConnectTcp | null;
  declare path: string;
  /** the name connect() was given, for 'lookup' and error messages */
  declare host: string;
  declare port: number;
  /** the address the lookup gave, for errors after the core freed the handle */
  declare resolved: string;
  /** the last node:net error, whose details the core's Error event refers to */
  declare lastErr: NodeJS.ErrnoException | null;
  declare keepAliveDelayMs: number;
  /** bound once per socket: node:net calls it per completed write, in order */
  declare onWrite: () => void;
}

/** Conn's fields that live in its ConnMore, read and written as properties of the Conn. */
const MORE_FIELDS = ["tcp", "path", "host", "port", "resolved", "lastErr", "keepAliveDelayMs", "onWrite"] as const;
const MORE_DEFAULTS = new ConnMore();

MORE_FIELDS.forEach((name) => {
  const dflt = MORE_DEFAULTS[name];
  Object.defineProperty(Conn.prototype, name, {
    get(this: Conn): unknown {
      const m = this.more;
      return m === null ? dflt : m[name];
    },
    // a default stays unallocated
    set(this: Conn, v: unknown) {
      if (v !== dflt || this.more !== null) ((this.more ??= new ConnMore()) as unknown as Record<string, unknown>)[name] = v;
    },
  });
});

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
