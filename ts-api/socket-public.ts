/**
 * Cold parts of `net.Socket`'s public API that need none of its private
 * state: connect()'s arguments, connect() called again on a socket that has
 * a handle (node:net reuses it), the abort signal, the 'timeout' listener of
 * setTimeout(), readyState and destroySoon(). The socket passes in what it
 * keeps privately (its handle, its context) as arguments.
 */
import type { Duplex } from "node:stream";
import type { Backend, ErrorInfo, SocketCounters } from "../host/backend.ts";
import type { NetContext } from "./context.ts";
import { AbortError, ERR_INVALID_ARG_VALUE, ERR_MISSING_ARGS, exceptionWithHostPort } from "./errors.ts";
import { isIP } from "./ip.ts";
import { kNormalized, normalizeArgs } from "./netargs.ts";
import type { NormalizedArgs } from "./netargs.ts";
import { validateAbortSignal, validateFunction, validateNumber, validatePort } from "./validate.ts";
import type { AbortSignalLike } from "./validate.ts";

type Listener = (...args: any[]) => void;

/** The socket as these helpers see it: its public members only. */
interface SocketLike extends Duplex {
  connecting: boolean;
}

/** connect()'s arguments, normalized (or as normalizeArgs already made them); a port or a path is required. */
export function connectArgs(args: unknown[]): NormalizedArgs {
  let normalized: NormalizedArgs;
  if (Array.isArray(args[0]) && (args[0] as NormalizedArgs)[kNormalized]) {
    normalized = args[0] as NormalizedArgs;
  } else {
    normalized = normalizeArgs(args);
  }
  requirePortOrPath(normalized[0]);
  return normalized;
}

/** connect() needs a port or a path. */
export function requirePortOrPath(options: Record<string, any>): void {
  if (options.port === undefined && options.path == null) {
    throw ERR_MISSING_ARGS(["options", "port", "path"]);
  }
}

/**
 * The Duplex options of a socket constructed without options: shared, since
 * Duplex only reads its options (a fresh object and its four properties cost
 * about 1.5 µs per socket in QuickJS).
 */
export const STREAM_DEFAULTS: Readonly<Record<string, any>> = Object.freeze({
  allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false,
});

/**
 * The constructor's checks before the Duplex exists, and the Duplex's options:
 * the stream options first, then the caller's (not changed).
 */
export function streamOptions(options: Record<string, any> | number): Record<string, any> {
  const o = options as Record<string, any>;
  if (o.objectMode) {
    throw ERR_INVALID_ARG_VALUE("options.objectMode", o.objectMode, "is not supported");
  } else if (o.readableObjectMode || o.writableObjectMode) {
    const name = o.readableObjectMode ? "readableObjectMode" : "writableObjectMode";
    throw ERR_INVALID_ARG_VALUE(`options.${name}`, o[name], "is not supported");
  }
  if (typeof o.keepAliveInitialDelay !== "undefined") {
    validateNumber(o.keepAliveInitialDelay, "options.keepAliveInitialDelay");
  }
  // V8 gives each object made by `{ ...options }` and then extended a map of its
  // own, and that made `new Socket({ ... })` cost about 5 µs instead of about 0.3
  // (node:net has it too). So STREAM_DEFAULTS' four are spelled out here as a
  // literal, not spread in.
  const opts: Record<string, any> = typeof options === "number"
    ? { fd: options }
    : { allowHalfOpen: false, emitClose: false, autoDestroy: true, decodeStrings: false, ...options };
  if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
  opts.allowHalfOpen = Boolean(opts.allowHalfOpen);
  opts.emitClose = false;
  opts.autoDestroy = true;
  opts.decodeStrings = false;
  if (opts.signal !== undefined) validateAbortSignal(opts.signal, "signal");
  return opts;
}

/**
 * connect() again while the socket's handle `h` connects: node:net connects the
 * same handle again, which fails with EALREADY on the next tick (unless `handle()`,
 * the socket's handle then, is no longer `h`).
 */
export function connectAlready(self: SocketLike, ctx: NetContext, h: number, options: Record<string, any>,
  cb: Listener | null, handle: () => number): void {
  if (cb !== null) self.once("connect", cb);
  const port = validatePort(options.port ?? 0);
  const host = options.host || "localhost";
  process.nextTick(() => {
    if (self.destroyed || handle() !== h) return;
    // internalConnect announces the attempt, then libuv answers EALREADY
    if (isIP(host)) emitAttempt(self, host, port);
    const local = ctx.backend.socketInfo(h).local;
    const ex = exceptionWithHostPort(-114, "connect", host, port,
      local ? `${local.address}:${local.port}` : undefined, "EALREADY");
    self.destroy(ex);
  });
}

/** connect() again on a connected socket: node:net reconnects the same handle; the connection stays, 'connect' comes again. */
export function connectAgain(self: SocketLike, options: Record<string, any>, cb: Listener | null): void {
  if (cb !== null) self.once("connect", cb);
  self.connecting = true;
  process.nextTick(() => {
    if (self.destroyed || !self.connecting) return;
    if (isIP(options.host)) emitAttempt(self, options.host, Number(options.port));
    self.connecting = false;
    self.emit("connect");
    self.emit("ready");
  });
}

/** A connect refused or failed before the socket had a handle: its error, on the next tick. */
export function connectErrorNT(self: Duplex, err: Error): void {
  self.destroy(err);
}

/**
 * Node's internalConnect announces the connect it starts: 'connectionAttempt'
 * with the address, the port and the address's family (a pipe: its path, no
 * port, no family).
 */
export function emitAttempt(self: Duplex & { connecting: boolean }, address: string, port: unknown): void {
  if (self.connecting) self.emit("connectionAttempt", address, port, addressType(address));
}

/** Node's req.addressType for the attempt events: 4 or 6 for an IP, none for a pipe's path. */
function addressType(address: unknown): 4 | 6 | undefined {
  const family = isIP(address);
  return family === 0 ? undefined : family;
}

/**
 * emitAttempt() on the tick after connect() to an IP, where Node's
 * lookupAndConnect calls internalConnect. Two arguments, so the guest's
 * nextTick makes no array; with no listener (the common case) it emits nothing.
 */
export function attemptNT(self: Duplex & { connecting: boolean }, req: { host: string; port: unknown }): void {
  // listenerCount() without its call: node:events and the events package both keep _events
  const events = (self as unknown as { _events?: Record<string, unknown> })._events;
  if (events !== undefined && events.connectionAttempt !== undefined) emitAttempt(self, req.host, req.port);
}

/**
 * A connect that started failed (Node's afterConnect): no longer connecting,
 * 'connectionAttemptFailed' with the address, port and family (none for a
 * pipe), then the caller destroys the socket with `ex`.
 */
export function attemptFailed(self: SocketLike, info: ErrorInfo, ex: Error): void {
  self.connecting = false;
  self.emit("connectionAttemptFailed", info.address, info.port, addressType(info.address), ex);
}

/** The constructor's `signal` option: abort destroys the socket. */
export function addAbortSignal(self: Duplex, signal: AbortSignalLike): void {
  const onAbort = (): void => {
    signal.removeEventListener("abort", onAbort);
    self.destroy(AbortError(signal.reason));
  };
  if (signal.aborted) {
    // As node:stream's addAbortSignal: destroyed at once, in the constructor (a
    // connect() that follows undoes it; the 'error' and 'close' still come).
    self.destroy(AbortError(signal.reason));
  } else {
    signal.addEventListener("abort", onAbort);
    self.once("close", () => signal.removeEventListener("abort", onAbort));
  }
}

/** setTimeout()'s `callback`: a 'timeout' listener, removed again by a timeout of 0. */
export function timeoutListener(self: Duplex, msecs: number, callback: Listener | undefined): void {
  if (msecs === 0) {
    if (callback !== undefined) {
      validateFunction(callback, "callback");
      self.removeListener("timeout", callback);
    }
  } else if (callback !== undefined) {
    validateFunction(callback, "callback");
    self.once("timeout", callback);
  }
}

/** Node's readyState, from the stream's own state. */
export function readyState(self: SocketLike): string {
  if (self.connecting) return "opening";
  if (self.readable && self.writable) return "open";
  if (self.readable && !self.writable) return "readOnly";
  if (!self.readable && self.writable) return "writeOnly";
  return "closed";
}

/** Ends the writable side, then destroys once it finished. */
export function destroySoon(self: Duplex): void {
  if (self.writable) self.end();
  if (self.writableFinished) self.destroy();
  else self.once("finish", self.destroy);
}

/** The handle's counters, then the handle destroyed: in one call where the backend has one. */
export function destroyCounted(backend: Backend, h: number, reset: boolean): SocketCounters {
  if (backend.destroyCounted !== undefined) return backend.destroyCounted(h, reset);
  const counters = backend.counters(h);
  backend.destroy(h, reset);
  return counters;
}
