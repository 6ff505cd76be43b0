// Numbers shared with host/core/api.ts. They are never reused: add, never renumber.

/** Error codes (wasi-sockets names where they fit, then wasock's own). */
export enum Code {
  Ok = 0,
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
  InvalidHandle = 22,
  PolicyDenied = 23,
  QuotaExceeded = 24,
  OutOfBounds = 25,
  TableFull = 26,
  Deliver = 27,
}

/** The last code a host may report through on_error. */
export const LAST_HOST_CODE: i32 = Code.TableFull;

export enum Kind { Tcp = 0, Ipc = 1 }
export enum Role { Client = 0, Server = 1, Accepted = 2 }

export enum SockState {
  Idle = 0,
  Resolving = 1,
  Connecting = 2,
  Open = 3,
  ReadOnly = 4,
  WriteOnly = 5,
  Closing = 6,
  Closed = 7,
}

export enum ServState {
  Idle = 0,
  Binding = 1,
  Listening = 2,
  Closing = 3,
  Closed = 4,
}

/** Record kinds: below 32 are I/O requests, from 32 script events. */
export enum Ev {
  IoResolve = 1,
  IoConnect = 2,
  IoListen = 3,
  IoShutdown = 4,
  IoClose = 5,
  IoReadStart = 6,
  IoReadStop = 7,
  IoSetOption = 8,
  IoSend = 9,
  Connect = 32,
  Data = 33,
  End = 34,
  Drain = 35,
  Timeout = 36,
  Error = 37,
  Close = 38,
  Connection = 39,
  Listening = 40,
  Drop = 41,
  Lookup = 42,
  ServerClose = 43,
  /** internal, never drained: deliver a socket's read buffer (then End) when popped */
  Flush = 60,
}

export enum Opt { NoDelay = 1, KeepAlive = 2, KeepAliveDelayMs = 3, Ref = 4 }

/** IoClose's `a`: how the host closes the OS socket. */
export enum CloseHow {
  /** now; queued writes are dropped (destroy) */
  Now = 0,
  /** with a reset (RST) */
  Reset = 1,
  /** both sides ended and every queued byte was flushed: an orderly close */
  Graceful = 2,
}
