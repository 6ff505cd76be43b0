/**
 * `net.Server` over a backend listening handle.
 *
 * Follows Node's lib/net.js Server: argument shapes of listen(), 'listening'
 * after the bind, 'close' once the listening handle is closed and every
 * connection it produced was destroyed, maxConnections with 'drop'.
 * Accepted sockets are this module's Socket class, created through
 * socket.ts's private accept path.
 */
import { EventEmitter } from "node:events";
import { BEv } from "../host/backend.ts";
import type { DropInfo, ErrorInfo, ServerAddress, SocketInfo } from "../host/backend.ts";
import type { HandleOwner, NetContext } from "./context.ts";
import {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_NOT_SUPPORTED,
  ERR_SERVER_ALREADY_LISTEN,
  ERR_SERVER_NOT_RUNNING,
  errorFromInfo,
} from "./errors.ts";
import { acceptSocket, normalizeArgs } from "./socket.ts";
import type { SocketBase } from "./socket.ts";
import { isPipeName, toNumber, validateAbortSignal, validateNumber, validatePort } from "./validate.ts";
import type { AbortSignalLike } from "./validate.ts";

type Listener = (...args: any[]) => void;

/** Routes one backend event to a server (set in the class's static block). */
export let serverEvent: (s: ServerBase, ev: BEv, a: unknown, b: unknown) => void;

const kAsyncDispose: symbol = (Symbol as { asyncDispose?: symbol }).asyncDispose ??
  Symbol.for("nodejs.asyncDispose");

export class ServerBase extends EventEmitter implements HandleOwner {
  _connections = 0;
  allowHalfOpen: boolean;
  pauseOnConnect: boolean;
  noDelay: boolean;
  keepAlive: boolean;
  keepAliveInitialDelay: number;
  highWaterMark: number | undefined;

  #ctx: NetContext;
  #Socket: new (opts?: object) => SocketBase;
  #h = 0;
  /** the bind completed ('listening' is due or was emitted) */
  #bound = false;
  #pipeName: string | undefined = undefined;
  #unref = false;
  #maxConnections: unknown = undefined;
  /** listen(port, host) waits for its host lookup: Node's `_handle` is still null */
  #lookupPending = false;

  static {
    serverEvent = (s, ev, a, b) => s.#onEvent(ev, a, b);
  }

  constructor(ctx: NetContext, SocketCtor: new (opts?: object) => SocketBase,
    options?: unknown, connectionListener?: Listener) {
    super();
    this.#ctx = ctx;
    this.#Socket = SocketCtor;
    let opts: Record<string, any>;
    if (typeof options === "function") {
      connectionListener = options as Listener;
      opts = {};
      this.on("connection", connectionListener);
    } else if (options == null || typeof options === "object") {
      opts = { ...(options as object) };
      if (typeof connectionListener === "function") this.on("connection", connectionListener);
    } else {
      throw ERR_INVALID_ARG_TYPE("options", "Object", options);
    }
    if (typeof opts.keepAliveInitialDelay !== "undefined") {
      validateNumber(opts.keepAliveInitialDelay, "options.keepAliveInitialDelay");
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
    }
    if (typeof opts.highWaterMark !== "undefined") {
      validateNumber(opts.highWaterMark, "options.highWaterMark");
      if (opts.highWaterMark < 0) opts.highWaterMark = undefined;
    }
    // Node 22.13+: a silent no-op would let a script believe the addresses blocked
    if (opts.blockList) throw ERR_NOT_SUPPORTED("net.Server option 'blockList'");
    this.allowHalfOpen = opts.allowHalfOpen || false;
    this.pauseOnConnect = !!opts.pauseOnConnect;
    this.noDelay = Boolean(opts.noDelay);
    this.keepAlive = Boolean(opts.keepAlive);
    this.keepAliveInitialDelay = ~~(opts.keepAliveInitialDelay / 1000);
    this.highWaterMark = opts.highWaterMark;
  }

  listen(...args: unknown[]): this {
    const normalized = normalizeArgs(args);
    let options = normalized[0];
    const cb = normalized[1];
    if (this.#h !== 0 && !this.#lookupPending) throw ERR_SERVER_ALREADY_LISTEN();
    // Node has no handle while the host lookup of a previous listen() runs: that
    // listen is abandoned for this one.
    if (this.#h !== 0) this.#abandonPending();
    if (cb !== null) this.once("listening", cb);
    const backlogFromArgs =
      toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
    const backend = this.#ctx.backend;
    // Node: options = options._handle || options.handle || options; a handle is
    // listened on through its fd (the host listens on it; hosts without file
    // descriptors have no listenFd).
    const viaHandle = options._handle || options.handle;
    if (viaHandle) {
      if (!(typeof viaHandle.fd === "number" && viaHandle.fd >= 0) || backend.listenFd === undefined) {
        throw ERR_NOT_SUPPORTED("server.listen(handle)");
      }
      options = viaHandle;
    }
    if (options.signal !== undefined) {
      validateAbortSignal(options.signal, "options.signal");
      this.#addAbortSignal(options.signal as AbortSignalLike);
    }
    if (typeof options.fd === "number" && options.fd >= 0) {
      if (backend.listenFd === undefined) throw ERR_NOT_SUPPORTED("server.listen({ fd })");
      this.#start(backend.listenFd({
        fd: options.fd,
        backlog: backlogFromArgs || undefined,
        allowHalfOpen: this.allowHalfOpen,
        pauseOnConnect: this.pauseOnConnect,
      }));
      return this;
    }
    if (args.length === 0 || typeof args[0] === "function" ||
        (typeof options.port === "undefined" && "port" in options) || options.port === null) {
      options = { ...options, port: 0 };
    }
    if (typeof options.port === "number" || typeof options.port === "string") {
      validatePort(options.port, "options.port");
      const backlog = options.backlog || backlogFromArgs || undefined;
      if (options.reusePort === true) throw ERR_NOT_SUPPORTED("server.listen({ reusePort })");
      if (options.host && typeof options.host !== "string") {
        // node:dns's check, which node:net reaches synchronously
        throw ERR_INVALID_ARG_TYPE("hostname", "string", options.host);
      }
      this.#lookupPending = Boolean(options.host);
      this.#start(backend.listenTcp({
        host: options.host || undefined,
        port: (options.port as number) | 0,
        backlog,
        exclusive: options.exclusive,
        ipv6Only: options.ipv6Only,
        allowHalfOpen: this.allowHalfOpen,
        pauseOnConnect: this.pauseOnConnect,
        noDelay: this.noDelay,
        keepAlive: this.keepAlive,
        keepAliveInitialDelay: this.keepAliveInitialDelay * 1000,
      }));
      return this;
    }
    if (options.path && isPipeName(options.path)) {
      this.#pipeName = options.path;
      const backlog = options.backlog || backlogFromArgs || undefined;
      this.#start(backend.listenIpc({
        path: options.path,
        backlog,
        readableAll: options.readableAll === true,
        writableAll: options.writableAll === true,
        allowHalfOpen: this.allowHalfOpen,
        pauseOnConnect: this.pauseOnConnect,
      }));
      return this;
    }
    if (!("port" in options || "path" in options)) {
      throw ERR_INVALID_ARG_VALUE("options", options, 'must have the property "port" or "path"');
    }
    throw ERR_INVALID_ARG_VALUE("options", options);
  }

  #start(res: number | ErrorInfo): void {
    if (typeof res !== "number") {
      this.#lookupPending = false;
      process.nextTick(emitErrorNT, this, errorFromInfo(res));
      return;
    }
    this.#h = res;
    this.#bound = false;
    this.#ctx.owners.set(res, this);
    if (this.#unref) this.#ctx.backend.serverRef(res, false);
    if (this.#maxConnections !== undefined) this.#applyMaxConnections();
  }

  #addAbortSignal(signal: AbortSignalLike): void {
    const onAborted = (): void => {
      this.close();
    };
    if (signal.aborted) {
      process.nextTick(onAborted);
    } else {
      signal.addEventListener("abort", onAborted);
      this.once("close", () => signal.removeEventListener("abort", onAborted));
    }
  }

  #onEvent(ev: BEv, a: unknown, b: unknown): void {
    switch (ev) {
      case BEv.Listening:
        if (this.#h === 0) return;
        this.#lookupPending = false;
        this.#bound = true;
        this.emit("listening");
        return;
      case BEv.Connection: {
        const h = a as number;
        if (this.#h === 0) {
          this.#ctx.backend.destroy(h, false);
          return;
        }
        const opts: Record<string, unknown> = {
          allowHalfOpen: this.allowHalfOpen,
          pauseOnCreate: this.pauseOnConnect,
          readable: true,
          writable: true,
        };
        if (this.highWaterMark !== undefined) {
          opts.readableHighWaterMark = this.highWaterMark;
          opts.writableHighWaterMark = this.highWaterMark;
        }
        const socket = acceptSocket(this.#ctx, this.#Socket, h, (b as SocketInfo | undefined) ?? null, opts);
        this._connections++;
        socket.server = this;
        socket._server = this;
        this.emit("connection", socket);
        return;
      }
      case BEv.Drop:
        // Node passes no argument for a pipe: it has no addresses to report.
        if (a === undefined) this.emit("drop");
        else this.emit("drop", a as DropInfo);
        return;
      case BEv.Error: {
        const err = errorFromInfo(a as ErrorInfo);
        this.#lookupPending = false;
        const h = this.#h;
        if (h !== 0 && !this.#bound) {
          // A failed bind: Node drops the handle, so listen() may be retried.
          this.#h = 0;
          this.#ctx.backend.serverClose(h);
        }
        this.emit("error", err);
        return;
      }
      case BEv.ServerClose:
        return;
      default:
        return;
    }
  }

  #abandonPending(): void {
    const h = this.#h;
    this.#lookupPending = false;
    this.#h = 0;
    this.#bound = false;
    if (h !== 0) this.#ctx.backend.serverClose(h);
  }

  /** Whether a listening handle is open (Node's `this._handle`). */
  _hasHandle(): boolean {
    return this.#h !== 0 && !this.#lookupPending;
  }

  /** Called by an accepted socket's _destroy. */
  _connectionClosed(): void {
    this._connections--;
    this.#emitCloseIfDrained();
  }

  #emitCloseIfDrained(): void {
    if (this.#h !== 0 || this._connections) return;
    process.nextTick(emitCloseNT, this);
  }

  close(cb?: (err?: Error) => void): this {
    // During the host lookup Node has no handle yet: closing then cancels the
    // listen and reports ERR_SERVER_NOT_RUNNING.
    if (this.#lookupPending) this.#abandonPending();
    if (typeof cb === "function") {
      if (this.#h === 0) {
        this.once("close", function close() {
          cb(ERR_SERVER_NOT_RUNNING());
        });
      } else {
        this.once("close", cb);
      }
    }
    const h = this.#h;
    if (h !== 0) {
      this.#h = 0;
      this.#bound = false;
      this.#ctx.backend.serverClose(h);
    }
    this.#emitCloseIfDrained();
    return this;
  }

  address(): ServerAddress | null {
    if (this.#h !== 0) {
      const a = this.#ctx.backend.serverAddress(this.#h);
      if (a !== null && typeof a === "object") return a;
    }
    if (this.#pipeName !== undefined) return this.#pipeName;
    return null;
  }

  get listening(): boolean {
    if (this.#h === 0) return false;
    if (this.#bound) return true;
    return this.#ctx.backend.serverAddress(this.#h) !== null;
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    process.nextTick(cb, null, this._connections);
    return this;
  }

  get maxConnections(): unknown {
    return this.#maxConnections;
  }

  set maxConnections(v: unknown) {
    this.#maxConnections = v;
    if (this.#h !== 0) this.#applyMaxConnections();
  }

  #applyMaxConnections(): void {
    const v = this.#maxConnections;
    // Node tests `maxConnections && connections >= maxConnections`: 0 means no limit.
    const n = typeof v === "number" && v > 0 && v !== Infinity ? Math.ceil(v) : -1;
    this.#ctx.backend.setMaxConnections(this.#h, n);
  }

  ref(): this {
    this.#unref = false;
    if (this.#h !== 0) this.#ctx.backend.serverRef(this.#h, true);
    return this;
  }

  unref(): this {
    this.#unref = true;
    if (this.#h !== 0) this.#ctx.backend.serverRef(this.#h, false);
    return this;
  }
}

/** Symbol.asyncDispose: close, resolved on 'close' (a no-op when not listening). */
Object.defineProperty(ServerBase.prototype, kAsyncDispose, {
  value: function asyncDispose(this: ServerBase): Promise<void> {
    if (!this._hasHandle()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.close((err) => (err ? reject(err) : resolve()));
    });
  },
  writable: true,
  configurable: true,
  enumerable: false,
});

function emitErrorNT(self: ServerBase, err: Error): void {
  self.emit("error", err);
}

function emitCloseNT(self: ServerBase): void {
  self.emit("close");
}
