/**
 * The contract between `ts-api/` (the `net` that scripts see) and a host.
 *
 * ts-api never touches a socket or the core directly: it calls a `Backend`.
 * - On Node, `host/node/driver.ts` implements it over the core + node:net.
 * - In QuickJS, the guest gets a `Backend` whose methods are host functions
 *   that call the same driver on the outer Node side (one core per sandbox).
 *
 * Everything here is plain data (numbers, strings, Uint8Array, small objects)
 * so that it can cross the QuickJS boundary. Handles are the core's u32
 * generation-tagged handles; a forged or stale number gets an error, never
 * another socket.
 *
 * Asynchronous outcomes arrive through one dispatch function, in the order the
 * core produced them, never re-entrantly from inside a Backend call.
 *
 * Additions after the first version: `listenFd` (optional; host/node implements it);
 * BEv.Resolved with ConnectTcp.multi and ConnectTcp.name (autoSelectFamily when the host resolves).
 */

/** Event kinds delivered through `Dispatch`. Numbers are never reused. */
export const enum BEv {
  /** a: err (ErrorInfo | null), b: address, c: family, d: host */
  Lookup = 1,
  /** socket connected; a: SocketInfo */
  Connect = 2,
  /** a: Uint8Array (owned by the receiver) */
  Data = 3,
  /** the peer ended (FIN) and every buffered byte was delivered */
  End = 4,
  /** idle timeout */
  Timeout = 5,
  /** a: ErrorInfo */
  Error = 6,
  /** a: hadError (boolean). The handle is dead after this. */
  Close = 7,
  /** on a server handle: a: new socket handle, b: SocketInfo */
  Connection = 8,
  /** on a server handle: a: ServerAddress */
  Listening = 9,
  /** on a server handle: it closed (all connections gone). The handle is dead after this. */
  ServerClose = 10,
  /** a: number of earlier writes, in order, now flushed to the kernel */
  Written = 11,
  /** on a server handle: a connection was dropped by maxConnections; a: DropInfo */
  Drop = 12,
  /** the write side finished its FIN (shutdown completed) */
  Finished = 13,
  /**
   * Only for a ConnectTcp with `multi`: the host resolved the name to several
   * addresses. a: { address, family }[] in the resolver's order, b: the name.
   * The handle ends: Close(false) follows, which the caller may ignore (as a
   * QuickJS bridge, it still frees the handle on it). The caller runs Node's
   * attempts (lookupAndConnectMultiple) with one connectTcp per address,
   * each with `resolved: true` and `name` set to b.
   */
  Resolved = 14,
}

export type Dispatch = (h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => void;

/** What ts-api turns into an Error with Node's message, code and properties. */
export interface ErrorInfo {
  /** Node's code: 'ECONNREFUSED', 'ERR_ACCESS_DENIED', 'ERR_QUOTA_EXCEEDED', ... */
  code: string;
  /** negative errno for system errors (Node's `err.errno`) */
  errno?: number;
  /** 'connect', 'listen', 'getaddrinfo', 'read', 'write', ... */
  syscall?: string;
  address?: string;
  port?: number;
  hostname?: string;
  /** a failed TCP connect that asked for localAddress+localPort: Node adds ` - Local (addr:port)` */
  localAddress?: string;
  localPort?: number;
  /** extra text for non-system errors (policy, quota) */
  message?: string;
}

export interface AddressInfo {
  address: string;
  family: "IPv4" | "IPv6";
  port: number;
}

export interface SocketInfo {
  local?: AddressInfo;
  remote?: AddressInfo;
  /** IPC sockets: the path */
  path?: string;
}

export interface DropInfo {
  localAddress?: string;
  localPort?: number;
  localFamily?: string;
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
}

/** AddressInfo for TCP, the path for IPC. */
export type ServerAddress = AddressInfo | string;

export interface ConnectTcp {
  host: string;
  port: number;
  family?: 0 | 4 | 6;
  hints?: number;
  localAddress?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  autoSelectFamily?: boolean;
  autoSelectFamilyAttemptTimeout?: number;
  /** true when `host` is already an IP (from the script's own `lookup`) */
  resolved?: boolean;
  /**
   * With `resolved`: the name `host` was resolved from. The policy checks the
   * name, then the address as if the host had resolved it (a name allowed by a
   * rule allows its addresses), and no Lookup event is dispatched.
   */
  name?: string;
  /**
   * The caller handles BEv.Resolved: when the host's own lookup gives several
   * addresses, it hands them over instead of connecting to the first
   * (autoSelectFamily: set it when family is 0 and there is no localAddress).
   */
  multi?: boolean;
  allowHalfOpen: boolean;
  /** ms; 0 = none. Armed before the connect, as Node's `timeout` option. */
  timeout?: number;
}

export interface ConnectIpc {
  path: string;
  allowHalfOpen: boolean;
  timeout?: number;
}

export interface ListenTcp {
  host?: string;
  port: number;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  reusePort?: boolean;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface ListenIpc {
  path: string;
  backlog?: number;
  readableAll?: boolean;
  writableAll?: boolean;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
}

/**
 * `server.listen({ fd })` / `server.listen(handle)`: listen on an inherited
 * socket (TCP or Unix). The host listens on the fd itself; the core accounts
 * the server and checks its bound address against policy before anything is
 * accepted. A bad fd is Node's asynchronous 'error' EINVAL (syscall 'listen').
 */
export interface ListenFd {
  fd: number;
  backlog?: number;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
}

export interface SocketCounters {
  bytesRead: number;
  bytesWritten: number;
  /** bytes written by the script and not yet flushed to the kernel */
  bufferSize: number;
}

export interface Backend {
  /**
   * false when the host cannot send RST (the component over wasi:sockets):
   * resetAndDestroy() then throws ERR_NOT_SUPPORTED. Absent means it can.
   */
  readonly canReset?: boolean;
  setDispatch(d: Dispatch): void;

  // sockets: a handle, or an ErrorInfo that ts-api emits asynchronously as Node does
  connectTcp(req: ConnectTcp): number | ErrorInfo;
  connectIpc(req: ConnectIpc): number | ErrorInfo;
  /**
   * queue bytes; completion is a Written event. Returns an ErrorInfo on refusal (quota, state),
   * or `true` when the kernel already took every byte (no Written event follows for this write).
   */
  write(h: number, chunk: Uint8Array): ErrorInfo | undefined | true;
  /** half-close after queued writes; Finished when done */
  end(h: number): void;
  /** reset = true sends RST (resetAndDestroy) */
  destroy(h: number, reset: boolean): void;
  /**
   * counters(h), then destroy(h, reset), in one call: for a backend whose every
   * call crosses into a host (the QuickJS guest's, where a call costs a few µs)
   */
  destroyCounted?(h: number, reset: boolean): SocketCounters;
  /** stop / start delivering Data (backpressure reaches the kernel) */
  pause(h: number): void;
  resume(h: number): void;
  setTimeout(h: number, ms: number): void;
  setNoDelay(h: number, on: boolean): void;
  setKeepAlive(h: number, on: boolean, initialDelayMs: number): void;
  ref(h: number, on: boolean): void;
  counters(h: number): SocketCounters;
  socketInfo(h: number): SocketInfo;

  // servers
  listenTcp(req: ListenTcp): number | ErrorInfo;
  listenIpc(req: ListenIpc): number | ErrorInfo;
  serverClose(h: number): void;
  serverAddress(h: number): ServerAddress | null;
  getConnections(h: number): number;
  setMaxConnections(h: number, n: number): void;
  serverRef(h: number, on: boolean): void;
  /** Optional: hosts without file descriptors (QuickJS guests) leave it out; ts-api then throws ERR_NOT_SUPPORTED. */
  listenFd?(req: ListenFd): number | ErrorInfo;
}
