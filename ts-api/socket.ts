/**
 * `net.Socket`: a real `stream.Duplex` over a backend handle.
 *
 * The stream machinery (buffering, encodings, 'finish', 'end', auto-destroy,
 * async iteration, pipe) is Duplex's own; this class only connects it to the
 * backend, as Node's lib/net.js connects it to a libuv handle:
 *   _write/_writev -> backend.write, completed by BEv.Written
 *   _final         -> backend.end, completed by BEv.Finished
 *   _read          -> backend.resume (only after a push() returned false)
 *   _destroy       -> backend.destroy, then 'close' on BEv.Close
 *
 * The same code runs on Node (node:stream) and in QuickJS guests
 * (readable-stream, swapped in by esbuild), so it uses only the public
 * stream API plus `_undestroy`.
 */
import { Duplex } from "node:stream";
import { BEv } from "../host/backend.ts";
import type { ConnectTcp, ErrorInfo, SocketInfo } from "../host/backend.ts";
import type { HandleOwner, NetContext } from "./context.ts";
import {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_HANDLE_TYPE,
  ERR_NOT_SUPPORTED,
  ERR_SOCKET_CLOSED,
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION,
  errorFromInfo,
} from "./errors.ts";
import { isIP } from "./ip.ts";
import { Attempts, customLookup, lookupRequest, tcpRequest } from "./socket-connect.ts";
import type { Address } from "./socket-connect.ts";
import { Cold } from "./socket-cold.ts";
import { userReader } from "./socket-onread.ts";
import { queuedBytes, writeAfterFIN, writtenAtOnce } from "./socket-write.ts";
import type { WriteReq } from "./socket-write.ts";
import {
  addAbortSignal,
  attemptFailed,
  attemptNT,
  connectAgain,
  connectAlready,
  connectArgs,
  connectErrorNT,
  destroyCounted,
  destroySoon,
  emitAttempt,
  readyState,
  requirePortOrPath,
  STREAM_DEFAULTS,
  streamOptions,
  timeoutListener,
} from "./socket-public.ts";
import { getTimerDuration, validateInt32, validateString } from "./validate.ts";
import type { AbortSignalLike } from "./validate.ts";
import { asBuffer, laterTurn, normalizeArgs, toBuffer } from "./netargs.ts";

export { normalizeArgs };

type Cb = (err?: Error | null) => void;

type Listener = (...args: any[]) => void;

let clearDestroying: (s: SocketBase) => void;

/** A handle handed over by a server's accept, picked up by the next constructor call. */
let acceptHandle = 0;
let acceptInfo: SocketInfo | null = null;

/** Routes one backend event to a socket (set in the class's static block). */
export let socketEvent: (s: SocketBase, ev: BEv, a: unknown, b: unknown, c: unknown, d: unknown) => void;
/**
 * What `socket.connect(normalized)` does, for net.connect's arguments already
 * normalized (no array for them, and no second normalizing).
 */
export let connectNormalized: (s: SocketBase, options: Record<string, any>, cb: Listener | null) => SocketBase;
/** Creates the Socket of an accepted connection (used by server.ts). */
export let acceptSocket: (
  ctx: NetContext, Ctor: new (opts?: object) => SocketBase, h: number, info: SocketInfo | null,
  opts: object,
) => SocketBase;

// SocketBase's booleans, as bits of its #flags: one field instead of twelve
// per socket (memory on V8; on QuickJS every field is a property add).
/** noDelay / keepAlive as the constructor or the setters asked, kept until a handle exists */
const F_NO_DELAY = 1 << 0;
const F_KEEP_ALIVE = 1 << 1;
/** ref()'ed (the default) */
const F_REFED = 1 << 2;
/** reads are stopped at the backend: push() returned false, or `onread` stopped reading */
const F_READ_PAUSED = 1 << 3;
/** set from destroy() until the next tick */
const F_DESTROYING = 1 << 4;
/** connect() was called: Node has a handle from then on, so 'close' carries hadError */
const F_CONNECT_STARTED = 1 << 5;
/** resetAndDestroy() is under way */
const F_RESETTING = 1 << 6;
/** destroy() was given an error */
const F_HAD_ERROR = 1 << 7;
/** the backend already closed the handle (Close arrived before our destroy), and whether with an error */
const F_BACKEND_CLOSED = 1 << 8;
const F_BACKEND_HAD_ERROR = 1 << 9;
/** an error was already emitted for this connect attempt (lookup failure) */
const F_ERROR_GIVEN = 1 << 10;
/** this connect announced its attempt ('connectionAttempt'), so a failure is a failed attempt */
const F_ATTEMPTED = 1 << 11;

export class SocketBase extends Duplex implements HandleOwner {
  connecting = false;
  server: unknown = null;
  _server: { _connectionClosed(): void } | null = null;
  timeout: number | undefined = undefined;
  autoSelectFamilyAttemptedAddresses: string[] | undefined = undefined;
  declare allowHalfOpen: boolean;

  #ctx: NetContext;
  /** the F_* bits */
  #flags = F_REFED;
  /** backend handle; 0 when none (not connected yet, or destroyed) */
  #h = 0;
  #info: SocketInfo | null = null;
  /** the rarely used state, made on first use (see Cold) */
  #cold: Cold | null = null;
  /** the Duplex callback of the write in flight, how many backend writes it covers, their bytes */
  #writeCb: Cb | null = null;
  #writesOut = 0;
  #inflight = 0;
  #finalCb: Cb | null = null;
  /** the counters when the handle went away (bytesRead and bytesWritten after a close) */
  #final: { bytesRead: number; bytesWritten: number } | null = null;
  /** running totals kept here, for after a close the backend reported first */
  #read = 0;
  #written = 0;

  static {
    clearDestroying = (s) => {
      s.#flags &= ~F_DESTROYING;
    };
    socketEvent = (s, ev, a, b, c, d) => s.#onEvent(ev, a, b, c, d);
    connectNormalized = (s, options, cb) => {
      requirePortOrPath(options);
      return s.#connect(options, cb);
    };
    acceptSocket = (ctx, Ctor, h, info, opts) => {
      acceptHandle = h;
      acceptInfo = info;
      try {
        return new Ctor(opts);
      } finally {
        acceptHandle = 0;
        acceptInfo = null;
      }
    };
  }

  constructor(ctx: NetContext, options?: Record<string, any>) {
    // No options (net.connect(port, host) passes none): the shared stream options.
    const opts = options == null ? STREAM_DEFAULTS : streamOptions(options);
    const h = acceptHandle;
    const info = acceptInfo;
    acceptHandle = 0;
    acceptInfo = null;
    const signal = opts.signal as AbortSignalLike | undefined;
    if (opts !== STREAM_DEFAULTS && "signal" in opts) delete opts.signal;
    super(opts);
    this.#ctx = ctx;
    if (opts !== STREAM_DEFAULTS) this.#options(opts);
    if (h !== 0) {
      this.#h = h;
      this.#info = info;
      ctx.owners.set(h, this);
      if (opts.pauseOnCreate) {
        this.#flags |= F_READ_PAUSED;
        (this as any).readableFlowing = false;
      }
    }
    if (signal) addAbortSignal(this, signal);
  }

  /** The constructor's options that are not the stream's. */
  #options(opts: Record<string, any>): void {
    if (opts.fd !== undefined) {
      validateInt32(opts.fd, "fd", 0);
      throw ERR_NOT_SUPPORTED("net.Socket option 'fd'");
    }
    if (opts.handle !== undefined) throw ERR_NOT_SUPPORTED("net.Socket option 'handle'");
    // Node 22.13+: a silent no-op would let a script believe the addresses blocked
    if (opts.blockList) throw ERR_NOT_SUPPORTED("net.Socket option 'blockList'");
    if (opts.onread != null) {
      this.#c().reader = userReader(this, opts.onread, {
        live: () => this.#h !== 0 && !this.connecting,
        stop: () => this.#readStop(),
        resume: () => this.#readResume(),
      });
    }
    if (opts.noDelay) this.#flags |= F_NO_DELAY;
    if (opts.keepAlive) this.#flags |= F_KEEP_ALIVE;
    const keepAliveDelay = ~~(opts.keepAliveInitialDelay / 1000);
    if (keepAliveDelay !== 0) this.#c().keepAliveDelay = keepAliveDelay;
  }

  // ---- connect -------------------------------------------------------------

  connect(...args: unknown[]): this {
    const normalized = connectArgs(args);
    return this.#connect(normalized[0], normalized[1]);
  }

  #connect(options: Record<string, any>, cb: Listener | null): this {
    if (this.#h !== 0 && !this.destroyed) {
      // node:net uses the same handle again (socket-public.ts): EALREADY while it
      // connects, else the connection stays and 'connect' comes again.
      if (this.connecting && !options.path) connectAlready(this, this.#ctx, this.#h, options, cb, () => this.#h);
      else connectAgain(this, options, cb);
      return this;
    }
    if (this.destroyed) {
      this.#info = null;
      if (this.#cold !== null) this.#cold.peer = null;
      this.#flags &= ~(F_CONNECT_STARTED | F_BACKEND_CLOSED | F_ERROR_GIVEN);
      (this as any)._undestroy();
    }
    const path = options.path;
    const pipe = !!path;
    if (cb !== null) this.once("connect", cb);
    this.#flags = (this.#flags | F_CONNECT_STARTED) & ~F_ATTEMPTED;
    this.#cold?.reader?.start();
    if (pipe) {
      validateString(path, "options.path");
      this.connecting = true;
      this.#c().path = path;
      const started = this.#start(this.#ctx.backend.connectIpc({
        path,
        allowHalfOpen: this.allowHalfOpen,
        timeout: this.#cold?.pendingTimeout || undefined,
      }));
      // Node announces a pipe's connect from within connect()
      if (started) this.#attempted(path, undefined);
    } else {
      this.#lookupAndConnect(options);
    }
    return this;
  }

  #lookupAndConnect(options: Record<string, any>): void {
    const flags = this.#flags;
    const cold = this.#cold;
    if (cold !== null) cold.lookupPort = undefined;
    const req = tcpRequest(options, this.#ctx, this.allowHalfOpen, (flags & F_NO_DELAY) !== 0,
      (flags & F_KEEP_ALIVE) !== 0, cold === null ? 0 : cold.keepAliveDelay, cold === null ? 0 : cold.pendingTimeout);
    const host = req.host;
    this.connecting = true;
    const binds = Boolean(req.localAddress || req.localPort);
    if (binds || cold !== null) this.#c().binding(binds);
    if (isIP(host)) {
      req.resolved = true;
      if (!this.#start(this.#ctx.backend.connectTcp(req))) return;
      // Node binds there too (address() while connecting tells)
      if (binds) process.nextTick(() => this.#cold!.bound());
      this.#flags |= F_ATTEMPTED;
      process.nextTick(attemptNT, this, req);
      return;
    }
    const family = lookupRequest(options, req);
    if (options.lookup == null) {
      // node:dns's own check, which node:net reaches synchronously
      if (typeof host !== "string") throw ERR_INVALID_ARG_TYPE("hostname", "string", host);
      if (family !== 4 && family !== 6 && !req.localAddress && req.autoSelectFamily) {
        // Node's lookupAndConnectMultiple: the host hands every address back (BEv.Resolved).
        req.multi = true;
        this.#c().multi = { req, family, options };
      }
      // When the host resolves and connects, 'connectionAttempt' follows its 'lookup'
      // (several addresses come back as BEv.Resolved instead, with no 'lookup').
      this.#c().lookupPort = req.port;
      this.#start(this.#ctx.backend.connectTcp(req));
      return;
    }
    this.#customLookup(options.lookup, host, req, family, options);
  }

  /** The host resolved a `multi` connect to several addresses: Node's attempts over them. */
  #resolved(list: Address[], name: string): void {
    const cold = this.#c();
    const m = cold.multi;
    cold.multi = null;
    // This handle ends here (the backend already destroyed it; its Close goes nowhere).
    const h = this.#h;
    if (h !== 0) {
      this.#h = 0;
      this.#ctx.owners.delete(h);
    }
    if (m === null || !this.connecting) return;
    const req: ConnectTcp = { ...m.req, multi: false, name };
    this.#customLookup((_h: string, _o: unknown, cb: Function) => cb(null, list), name, req, m.family, m.options);
  }

  /** The script's own `lookup` runs here; the backend then connects to its answer. */
  #customLookup(lookup: Function, host: string, req: ConnectTcp, family: unknown,
    options: Record<string, any>): void {
    customLookup(this, lookup, host, req, family, options, {
      connect: (r) => {
        if (!this.#start(this.#ctx.backend.connectTcp(r))) return;
        this.#cold?.bound();
        this.#attempted(r.host, r.port);
      },
      connectMultiple: (list) => this.#connectMultiple(list, req),
      fail: (err) => process.nextTick(connectErrorNT, this, err),
    });
  }

  /** Node's internalConnectMultiple over these addresses (socket-connect.ts). */
  #connectMultiple(list: Address[], req: ConnectTcp): void {
    this.autoSelectFamilyAttemptedAddresses = [];
    const backend = this.#ctx.backend;
    const cold = this.#c();
    cold.attempts = new Attempts(this, list, req,
      req.autoSelectFamilyAttemptTimeout ?? this.#ctx.autoSelectFamilyAttemptTimeout, {
        connect: (r) => backend.connectTcp(r),
        start: (h) => this.#start(h),
        drop: () => this.#dropAttemptHandle(),
        done: () => {
          cold.attempts = null;
        },
        isCurrent: (a) => cold.attempts === a,
      });
    cold.attempts.next();
  }

  /** Forgets the current attempt's handle: its late events go nowhere. */
  #dropAttemptHandle(): void {
    const h = this.#h;
    if (h === 0) return;
    this.#h = 0;
    this.#ctx.owners.delete(h);
    this.#ctx.backend.destroy(h, false);
  }

  /** Node's internalConnect announces the connect it starts ('connectionAttempt'). */
  #attempted(address: string, port: unknown): void {
    this.#flags |= F_ATTEMPTED;
    emitAttempt(this, address, port);
  }

  /**
   * Takes the backend's answer to a connect: a handle (true), or an error to
   * emit on the next tick (false; a connect the host refused is no attempt).
   */
  #start(res: number | ErrorInfo): boolean {
    if (typeof res === "number") {
      this.#h = res;
      this.#ctx.owners.set(res, this);
      if ((this.#flags & F_REFED) === 0) this.#ctx.backend.ref(res, false);
      return true;
    }
    process.nextTick(connectErrorNT, this, errorFromInfo(res));
    return false;
  }

  // ---- backend events ------------------------------------------------------

  #onEvent(ev: BEv, a: unknown, b: unknown, c: unknown, d: unknown): void {
    switch (ev) {
      case BEv.Data: {
        const buf = asBuffer(a);
        this.#read += buf.length;
        const reader = this.#cold === null ? null : this.#cold.reader;
        if (reader !== null) reader.data(buf);
        else if (!this.push(buf)) this.#readStop();
        return;
      }
      case BEv.Written: {
        this.#writesOut -= a as number;
        if (this.#writesOut <= 0 && this.#writeCb !== null) {
          const cb = this.#writeCb;
          this.#writeCb = null;
          this.#writesOut = 0;
          this.#inflight = 0;
          cb();
        }
        return;
      }
      case BEv.Lookup: {
        const err = a ? errorFromInfo(a as ErrorInfo) : null;
        this.emit("lookup", err, b, c, d);
        if (err && this.connecting) {
          this.#flags |= F_ERROR_GIVEN;
          process.nextTick(connectErrorNT, this, err);
        } else if (!err && this.#cold !== null && this.#cold.lookupPort !== undefined) {
          this.#cold.bound();
          this.#attempted(b as string, this.#cold.lookupPort);
        }
        return;
      }
      case BEv.Resolved:
        this.#resolved(a as Address[], b as string);
        return;
      case BEv.Connect: {
        if (this.destroyed) return;
        const cold = this.#cold;
        if (cold !== null) {
          if (cold.attempts !== null) {
            cold.attempts.cancel();
            cold.attempts = null;
          }
          cold.multi = null;
        }
        this.connecting = false;
        if (cold !== null) cold.binding(false);
        // addresses come with the event, or lazily from backend.socketInfo()
        this.#info = (a as SocketInfo | undefined) ?? null;
        this.emit("connect");
        this.emit("ready");
        if (!this.isPaused()) this.read(0);
        else if (cold !== null && cold.reader !== null) cold.reader.pause();
        return;
      }
      case BEv.End:
        if (this.#cold !== null && this.#cold.reader !== null && !this.#cold.reader.end()) return;
        this.push(null);
        this.read(0);
        return;
      case BEv.Finished: {
        const cb = this.#finalCb;
        this.#finalCb = null;
        if (cb) cb();
        return;
      }
      case BEv.Timeout:
        this.emit("timeout");
        return;
      case BEv.Error: {
        const attempts = this.#cold === null ? null : this.#cold.attempts;
        if (attempts !== null && this.connecting) {
          attempts.failed(errorFromInfo(a as ErrorInfo));
          return;
        }
        if ((this.#flags & F_ERROR_GIVEN) !== 0 || this.destroyed) return;
        this.#flags |= F_ERROR_GIVEN;
        const ex = errorFromInfo(a as ErrorInfo);
        // a failed connect() call, not a bind or a refusal before any attempt
        if (this.connecting && (this.#flags & F_ATTEMPTED) !== 0 && (a as ErrorInfo).syscall === "connect") {
          attemptFailed(this, a as ErrorInfo, ex);
        }
        this.destroy(ex);
        return;
      }
      case BEv.Close: {
        // net.ts already dropped the handle from the owner table.
        if (this.#h !== 0) {
          // The backend closed first (its own decision); the stream follows.
          this.#final = { bytesRead: this.#read, bytesWritten: this.#written };
          this.#h = 0;
          this.#flags |= F_BACKEND_CLOSED;
          this.#put(F_BACKEND_HAD_ERROR, a);
          const cb = this.#finalCb;
          this.#finalCb = null;
          if (cb) cb();
          return;
        }
        if ((this.#flags & F_DESTROYING) !== 0) {
          // Closed within the destroy() call's own tick: keep 'error' first, as Node's
          // handle close callback does.
          const hadError = (this.#flags & F_HAD_ERROR) !== 0;
          laterTurn(() => this.#emitClose(hadError));
        } else {
          this.#emitClose((this.#flags & F_HAD_ERROR) !== 0);
        }
        return;
      }
      default:
        return;
    }
  }

  #emitClose(hadError: boolean | undefined): void {
    const cold = this.#cold;
    if (cold !== null && cold.closeWriteCb !== null) {
      const wcb = cold.closeWriteCb;
      cold.closeWriteCb = null;
      wcb();
    }
    if (hadError === undefined) this.emit("close");
    else this.emit("close", hadError);
  }

  // ---- stream implementation ----------------------------------------------

  override _read(_n: number): void {
    // Before the connection there is nothing to resume: reads start flowing at
    // BEv.Connect (Node waits for 'connect' with a listener; this saves one per socket).
    // With `onread`, read(), resume() and pause() start and stop reading instead.
    if (this.#h === 0 || this.connecting || (this.#cold !== null && this.#cold.reader !== null)) return;
    this.#readResume();
  }

  /** Stops the backend's reads: the stream's buffer is full, or `onread` stopped reading. */
  #readStop(): void {
    if ((this.#flags & F_READ_PAUSED) === 0 && this.#h !== 0) {
      this.#flags |= F_READ_PAUSED;
      this.#ctx.backend.pause(this.#h);
    }
  }

  #readResume(): void {
    if ((this.#flags & F_READ_PAUSED) !== 0 && this.#h !== 0) {
      this.#flags &= ~F_READ_PAUSED;
      this.#ctx.backend.resume(this.#h);
    }
  }

  override _write(chunk: any, encoding: BufferEncoding, cb: Cb): void {
    this.#writeGeneric(false, chunk, encoding, cb);
  }

  override _writev(chunks: { chunk: any; encoding: BufferEncoding }[], cb: Cb): void {
    this.#writeGeneric(true, chunks, "", cb);
  }

  #writeGeneric(writev: boolean, data: any, encoding: string, cb: Cb): void {
    if (this.connecting) {
      const cold = this.#c();
      cold.pendingData = data;
      cold.pendingEncoding = encoding;
      const onClose = (): void => cb(ERR_SOCKET_CLOSED_BEFORE_CONNECTION());
      this.once("connect", () => {
        this.off("close", onClose);
        this.#writeGeneric(writev, data, encoding, cb);
      });
      this.once("close", onClose);
      return;
    }
    const cold = this.#cold;
    if (cold !== null) {
      cold.pendingData = null;
      cold.pendingEncoding = "";
    }
    const h = this.#h;
    if (h === 0) {
      cb(ERR_SOCKET_CLOSED());
      return;
    }
    const backend = this.#ctx.backend;
    this.#writeCb = null;
    if (writev) {
      const list = data as { chunk: any; encoding: string }[];
      let n = 0;
      for (let i = 0; i < list.length; i++) {
        const buf = toBuffer(list[i].chunk, list[i].encoding);
        const r = backend.write(h, buf);
        this.#written += buf.length;
        if (r === true) continue;
        if (r !== undefined) {
          this.#writesOut += n;
          cb(errorFromInfo(r));
          return;
        }
        this.#inflight += buf.length;
        n++;
      }
      if (n === 0) {
        cb();
        return;
      }
      this.#writesOut += n;
    } else {
      const buf = toBuffer(data, encoding);
      const r = backend.write(h, buf);
      this.#written += buf.length;
      if (r === true) {
        // Already in the kernel: complete now, as node:net does for a synchronous write.
        cb();
        return;
      }
      if (r !== undefined) {
        cb(errorFromInfo(r));
        return;
      }
      this.#inflight += buf.length;
      this.#writesOut++;
    }
    if (this.#writesOut === 0) cb();
    else this.#writeCb = cb;
  }

  override _final(cb: Cb): void {
    // The backend closed the handle first (e.g. End and Close in one poll):
    // nothing is left to half-close, and no 'connect' will ever come.
    if ((this.#flags & F_BACKEND_CLOSED) !== 0) {
      cb();
      return;
    }
    if (this.pending) {
      this.once("connect", () => this._final(cb));
      return;
    }
    if (this.#h === 0) {
      cb();
      return;
    }
    this.#finalCb = cb;
    this.#ctx.backend.end(this.#h);
  }

  override _destroy(err: Error | null, cb: Cb): void {
    this.connecting = false;
    const cold = this.#cold;
    if (cold !== null && cold.attempts !== null) {
      cold.attempts.cancel();
      cold.attempts = null;
    }
    const h = this.#h;
    if (h !== 0) {
      const backend = this.#ctx.backend;
      this.#put(F_HAD_ERROR, err);
      this.#h = 0;
      const reset = (this.#flags & F_RESETTING) !== 0;
      this.#flags &= ~F_RESETTING;
      this.#flags |= F_DESTROYING;
      process.nextTick(clearDestroying, this);
      this.#final = destroyCounted(backend, h, reset);
      cb(err);
    } else {
      cb(err);
      if ((this.#flags & (F_BACKEND_CLOSED | F_CONNECT_STARTED)) !== 0) {
        // Node closes its handle here: 'close' comes a loop turn later, after 'error'.
        const hadError = (this.#flags & F_BACKEND_HAD_ERROR) !== 0 || Boolean(err);
        laterTurn(() => this.#emitClose(hadError));
      } else {
        process.nextTick(() => this.#emitClose(undefined));
      }
    }
    // A write in flight completes when the handle closes, as libuv's cancelled write
    // requests do in Node: then Writable errors the buffered ones.
    const wcb = this.#writeCb;
    this.#writeCb = null;
    this.#writesOut = 0;
    this.#inflight = 0;
    if (wcb !== null) this.#c().closeWriteCb = wcb;
    const server = this._server;
    if (server) server._connectionClosed();
  }

  // ---- public API ----------------------------------------------------------

  override write(chunk: any, encoding?: any, cb?: any): boolean {
    // Node swaps in writeAfterFIN on 'end' without allowHalfOpen; checking here
    // saves an 'end' listener per socket (readableEnded: 'end' was emitted).
    if (this.writableEnded && this.readableEnded && !this.allowHalfOpen) {
      return writeAfterFIN(this, chunk, encoding, cb);
    }
    // write()'s answer as Node gives it (see writtenAtOnce)
    return super.write(chunk, encoding, cb) || writtenAtOnce(this);
  }

  override end(data?: any, encoding?: any, cb?: any): this {
    super.end(data, encoding, cb);
    return this;
  }

  destroySoon(): void {
    destroySoon(this);
  }

  resetAndDestroy(): this {
    if (this.#h !== 0 || this.connecting) {
      if (this.#isPipe()) throw ERR_INVALID_HANDLE_TYPE();
      // A host that cannot send RST (wasi:sockets has no SO_LINGER) says so
      // rather than closing with a FIN that looks like success.
      if (this.#ctx.backend.canReset === false) {
        throw ERR_NOT_SUPPORTED("resetAndDestroy() on this host (it cannot send RST)");
      }
      if (this.connecting) {
        this.once("connect", () => this.#reset());
      } else {
        this.#reset();
      }
    } else {
      this.destroy(ERR_SOCKET_CLOSED());
    }
    return this;
  }

  /** the rarely used state, made now if it was not yet */
  #c(): Cold {
    return this.#cold ??= new Cold();
  }

  #isPipe(): boolean {
    return this.#cold !== null && this.#cold.path !== "";
  }

  /** sets or clears one of the F_* bits */
  #put(bit: number, on: unknown): void {
    this.#flags = on ? this.#flags | bit : this.#flags & ~bit;
  }

  #reset(): void {
    this.#flags |= F_RESETTING;
    this.destroy();
  }

  setTimeout(msecs: number, callback?: Listener): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    msecs = getTimerDuration(msecs, "msecs");
    if (this.#h !== 0) this.#ctx.backend.setTimeout(this.#h, msecs);
    else this.#c().pendingTimeout = msecs;
    timeoutListener(this, msecs, callback);
    return this;
  }

  setNoDelay(enable?: boolean): this {
    const on = Boolean(enable === undefined ? true : enable);
    if (this.#h === 0) {
      this.#put(F_NO_DELAY, on);
      return this;
    }
    if (on !== ((this.#flags & F_NO_DELAY) !== 0) && !this.#isPipe()) {
      this.#put(F_NO_DELAY, on);
      this.#ctx.backend.setNoDelay(this.#h, on);
    }
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelayMsecs?: number): this {
    const on = Boolean(enable);
    const initialDelay = ~~((initialDelayMsecs as number) / 1000);
    if (this.#h === 0) {
      this.#put(F_KEEP_ALIVE, on);
      this.#c().keepAliveDelay = initialDelay;
      return this;
    }
    if (this.#isPipe()) return this;
    if (on !== ((this.#flags & F_KEEP_ALIVE) !== 0) || (on && (this.#cold?.keepAliveDelay ?? 0) !== initialDelay)) {
      this.#put(F_KEEP_ALIVE, on);
      this.#c().keepAliveDelay = initialDelay;
      this.#ctx.backend.setKeepAlive(this.#h, on, initialDelay * 1000);
    }
    return this;
  }

  address(): { address?: string; family?: string; port?: number } {
    if (this.#h === 0) return {};
    if (this.connecting) return this.#cold === null ? {} : this.#cold.localWhileConnecting(this.#ctx.backend, this.#h);
    return this.#socketInfo()?.local ?? {};
  }

  /** The backend's addresses for this socket, asked once (as Node's getsockname/getpeername). */
  #socketInfo(): SocketInfo | null {
    if (this.#info === null && this.#h !== 0 && !this.connecting) {
      this.#info = this.#ctx.backend.socketInfo(this.#h);
    }
    return this.#info;
  }

  ref(): this {
    this.#flags |= F_REFED;
    if (this.#h === 0) {
      if (this.connecting) return this;
      this.once("connect", this.ref);
      return this;
    }
    this.#ctx.backend.ref(this.#h, true);
    return this;
  }

  unref(): this {
    this.#flags &= ~F_REFED;
    if (this.#h === 0) {
      if (this.connecting) return this;
      this.once("connect", this.unref);
      return this;
    }
    this.#ctx.backend.ref(this.#h, false);
    return this;
  }

  get readyState(): string {
    return readyState(this);
  }

  get pending(): boolean {
    return this.#h === 0 || this.connecting;
  }

  get bufferSize(): number | undefined {
    if (this.#h === 0) return undefined;
    // Bytes the backend accepted and completed early (a write returned true before
    // they reached the kernel) are still buffered: count them too.
    const queued = this.#ctx.backend.counters(this.#h).bufferSize - this.#inflight;
    return this.writableLength + (queued > 0 ? queued : 0);
  }

  get bytesRead(): number {
    if (this.#h !== 0) return this.#ctx.backend.counters(this.#h).bytesRead;
    return this.#final === null ? 0 : this.#final.bytesRead;
  }

  get bytesWritten(): number | undefined {
    const bytes = this.#h !== 0
      ? this.#ctx.backend.counters(this.#h).bytesWritten
      : this.#final === null ? 0 : this.#final.bytesWritten;
    const buffered = (this as any).writableBuffer as WriteReq[] | undefined;
    if (!buffered) return undefined;
    const cold = this.#cold;
    return bytes + queuedBytes(buffered, cold === null ? null : cold.pendingData, cold === null ? "" : cold.pendingEncoding);
  }

  get _connecting(): boolean {
    return this.connecting;
  }

  /** Node's _getpeername: cached on the first query while connected, kept after close. */
  #peer(): { address?: string; family?: string; port?: number } {
    const cached = this.#cold === null ? null : this.#cold.peer;
    if (cached === null && this.#h !== 0 && !this.connecting) {
      const remote = this.#socketInfo()?.remote;
      if (remote) this.#c().peer = remote;
    }
    return this.#cold?.peer ?? {};
  }

  get remoteAddress(): string | undefined {
    return this.#peer().address;
  }

  get remoteFamily(): string | undefined {
    return this.#peer().family;
  }

  get remotePort(): number | undefined {
    return this.#peer().port;
  }

  get localAddress(): string | undefined {
    return this.address().address;
  }

  get localPort(): number | undefined {
    return this.address().port;
  }

  get localFamily(): string | undefined {
    return this.address().family;
  }
}
