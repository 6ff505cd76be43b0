/**
 * The typed face of the wasm socket core, shared by every host.
 *
 * This file is the contract between `wasm/` (the core) and the hosts
 * (`host/node`, `host/quickjs`, the component driver). `host/core/core.ts`
 * implements `CoreApi` on top of the wasm exports in `wasm/assembly/abi.ts`.
 *
 * Call order (the same as quinn-proto's Connection docs):
 *   1. feed inputs: script calls (`socketOpen`, `connect`, `write`, ...) and
 *      I/O completions (`onConnected`, `onData`, `onWritten`, ...), each with
 *      the current time where it matters;
 *   2. `tick(now)` when `nextDeadline()` has passed;
 *   3. `drain(sink)` to receive the queued I/O requests and script events,
 *      in the order the core produced them.
 *
 * The core never reads a clock or touches a socket. Every method returns a
 * numeric `Code` (0 = ok) rather than throwing, so hot paths allocate nothing.
 */

/** Error codes. Numbers are never reused. Names follow wasi-sockets where they fit. */
export const enum Code {
  Ok = 0,
  // wasi-sockets error-code names
  Unknown = 1,
  AccessDenied = 2,
  NotSupported = 3,
  InvalidArgument = 4,
  OutOfMemory = 5,
  Timeout = 6,
  ConcurrencyConflict = 7,
  NotInProgress = 8,
  WouldBlock = 9,
  InvalidState = 10,
  NewSocketLimit = 11,
  AddressNotBindable = 12,
  AddressInUse = 13,
  RemoteUnreachable = 14,
  ConnectionRefused = 15,
  ConnectionReset = 16,
  ConnectionAborted = 17,
  DatagramTooLarge = 18,
  NameUnresolvable = 19,
  TemporaryResolverFailure = 20,
  PermanentResolverFailure = 21,
  // wasock's own
  InvalidHandle = 22,
  PolicyDenied = 23,
  QuotaExceeded = 24,
  /** pointer/length out of the granted range */
  OutOfBounds = 25,
  /** the table is full (capacity, not quota) */
  TableFull = 26,
  /** the host should deliver the bytes itself: see onData */
  Deliver = 27,
}

export const enum Kind { Tcp = 0, Ipc = 1 }
export const enum Role { Client = 0, Server = 1, Accepted = 2 }

/** Socket states: see wasm/STATES.md. */
export const enum SocketState {
  Idle = 0,       // created, not connected          readyState 'closed'
  Resolving = 1,  // waiting for the host's lookup   readyState 'opening'
  Connecting = 2, // waiting for the host's connect  readyState 'opening'
  Open = 3,       //                                 readyState 'open'
  ReadOnly = 4,   // we ended; peer still sends      readyState 'readOnly'
  WriteOnly = 5,  // peer ended; we still send       readyState 'writeOnly'
  Closing = 6,    // both sides done or destroyed; waiting for the host's close
  Closed = 7,     // terminal; the slot is freed once 'close' is queued
}

export const enum ServerState {
  Idle = 0,
  Binding = 1,    // listen requested, waiting for the host
  Listening = 2,
  Closing = 3,    // not accepting; waiting for its connections to close
  Closed = 4,
}

/**
 * Records drained from the core. Kinds below 32 are I/O requests for the host;
 * kinds from 32 are script events. One queue keeps them in order.
 */
export const enum Ev {
  // I/O requests
  IoResolve = 1,     // look up the name given to connect(); answer with onResolved
  IoConnect = 2,     // connect to the address the core holds (see peerAddress)
  IoListen = 3,      // bind+listen; answer with onListening or onError
  IoShutdown = 4,    // half-close the write side (FIN) once queued bytes are sent
  IoClose = 5,       // close the OS socket; a = 1 for a reset (RST); answer with onClosed
                     // (a = 0: now, queued writes dropped; a = 2: orderly, both sides ended and all writes flushed)
  IoReadStart = 6,
  IoReadStop = 7,    // backpressure: stop reading from the kernel
  IoSetOption = 8,   // a = Opt, b = value
  IoSend = 9,        // send ptr=a len=b from core memory (queued bytes); answer with onWritten
  // script events
  Connect = 32,
  Data = 33,         // a = ptr, b = len: bytes in core memory, valid until the next core call
  End = 34,
  Drain = 35,
  Timeout = 36,
  Error = 37,        // a = Code, b = OS errno (negative libuv-style) or 0
  Close = 38,        // a = hadError (0/1)
  Connection = 39,   // on the server: a = accepted socket handle
  Listening = 40,
  Drop = 41,         // on the server: a connection was refused by maxConnections; a = handle dropped
  Lookup = 42,       // the core accepted the resolved address (after the policy check)
  ServerClose = 43,
}

export const enum Opt { NoDelay = 1, KeepAlive = 2, KeepAliveDelayMs = 3, Ref = 4 }

/** Receives drained records. `handle` is the socket or server handle. */
export type EventSink = (kind: Ev, handle: number, a: number, b: number) => void;

export interface Quotas {
  /** sockets and servers alive at once */
  maxSockets?: number;
  /** bytes buffered per socket: queued writes + paused reads */
  maxBufferedBytesPerSocket?: number;
  /** bytes buffered over all sockets of this core */
  maxBufferedBytesTotal?: number;
}

/** One rule. Ports are inclusive ranges; absent means any port. */
export type Rule =
  | { host: string; ports?: [number, number] }      // exact name, or "*.example.com"
  | { cidr: string; ports?: [number, number] }      // "10.0.0.0/8", "::1/128", "127.0.0.1"
  | { unixPrefix: string };                         // "/tmp/"

export interface RuleSet {
  default: "allow" | "deny";
  allow: Rule[];
  deny: Rule[];
}

/**
 * A connect is allowed iff: the name is not denied, the resolved IP is not
 * denied, and (the name is allowed, or the IP is allowed, or the default is
 * allow). Deny wins over allow. Listen is checked the same way on its address.
 */
export interface Policy {
  connect: RuleSet;
  listen: RuleSet;
}

export interface CoreOptions {
  /** connection-table capacity, 1..65535 */
  capacity?: number;
  policy?: Policy;
  quotas?: Quotas;
}

export interface CoreStats {
  sockets: number;
  servers: number;
  bufferedBytes: number;
  bytesRead: number;
  bytesWritten: number;
}

/** An address held by the core: 16 bytes (IPv4 as ::ffff:a.b.c.d) + port + family. */
export interface CoreAddress {
  address: string;  // textual form, produced host-side from the bytes
  port: number;
  family: 4 | 6;
}

export interface CoreApi {
  // ---- script calls ------------------------------------------------------
  /** Returns a handle (> 0) or a negative Code. */
  socketOpen(kind: Kind, allowHalfOpen: boolean): number;
  /** Returns a handle (> 0) or a negative Code. */
  /** Returns a handle (> 0) or a negative Code. Accepted sockets inherit allowHalfOpen and start paused with pauseOnConnect. */
  serverOpen(kind: Kind, allowHalfOpen?: boolean, pauseOnConnect?: boolean): number;
  /** Name connect: checks the name against policy, queues IoResolve. */
  connectName(h: number, name: string, port: number, now: number): Code;
  /** Address connect: checks the IP against policy, queues Lookup-less IoConnect. */
  connectAddress(h: number, address: string, port: number, now: number): Code;
  connectPath(h: number, path: string, now: number): Code;
  listenAddress(h: number, address: string, port: number, backlog: number): Code;
  listenPath(h: number, path: string, backlog: number): Code;
  /**
   * Account `len` bytes the script wrote. Returns Ok, or Ok|NeedDrain flag via
   * `writeNeedsDrain()`, or an error (InvalidState after end, QuotaExceeded).
   * The host sends the bytes itself and reports completion with onWritten.
   */
  write(h: number, len: number, now: number): Code;
  /** true when the last successful write left the queue at or above highWaterMark */
  writeNeedsDrain(h: number): boolean;
  end(h: number, now: number): Code;
  /** hadError sets Close's hadError (Node's destroy(err)). */
  destroy(h: number, reset: boolean, hadError?: boolean): Code;
  pause(h: number): Code;
  resume(h: number): Code;
  setTimeout(h: number, ms: number, now: number): Code;
  setNoDelay(h: number, on: boolean): Code;
  setKeepAlive(h: number, on: boolean, delayMs: number): Code;
  ref(h: number, on: boolean): Code;
  setHighWaterMark(h: number, bytes: number): Code;
  serverClose(h: number): Code;
  setMaxConnections(h: number, n: number): Code;  // n < 0: unlimited

  // ---- I/O completions ---------------------------------------------------
  onResolved(h: number, address: string, family: 4 | 6, now: number): Code;
  onConnected(h: number, local: CoreAddress | null, now: number): Code;
  onListening(h: number, local: CoreAddress | null): Code;
  /** A server accepted a connection. Returns the new socket's handle or a negative Code. */
  onAccepted(server: number, remote: CoreAddress | null, now: number): number;
  /**
   * The kernel delivered `bytes`. Returns Code.Deliver when the socket is
   * flowing and nothing is buffered: the host hands `bytes` to the script
   * itself (no copy). Otherwise the core copies them into its read buffer
   * and returns Ok (and may queue IoReadStop), or QuotaExceeded.
   */
  onData(h: number, bytes: Uint8Array, now: number): Code;
  onEof(h: number, now: number): Code;
  onWritten(h: number, len: number, now: number): Code;
  /** errno is Node's negative errno (e.g. -111 for ECONNREFUSED), code maps it */
  onError(h: number, code: Code, errno: number): Code;
  onClosed(h: number): Code;

  // ---- time --------------------------------------------------------------
  tick(now: number): void;
  /** ms timestamp of the earliest timer, or -1 when none is armed */
  nextDeadline(): number;

  // ---- outputs -----------------------------------------------------------
  drain(sink: EventSink): void;
  /** bytes of a Data event (a = ptr, b = len), copied out */
  bytes(ptr: number, len: number): Uint8Array;

  // ---- queries -----------------------------------------------------------
  state(h: number): number;          // SocketState / ServerState, or negative Code
  bytesRead(h: number): number;
  bytesWritten(h: number): number;
  bufferSize(h: number): number;     // queued write bytes
  peerAddress(h: number): CoreAddress | null;
  localAddress(h: number): CoreAddress | null;
  connections(server: number): number;
  isRefed(h: number): boolean;
  stats(): CoreStats;
  /** live entries in the table (0 after every test: the leak check) */
  liveHandles(): number;
}
