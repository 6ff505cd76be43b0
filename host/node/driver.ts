/**
 * NodeDriver: the `Backend` of wasock/node, over the wasm core and libuv.
 *
 * The core (host/core) is authoritative for socket state, buffering beyond
 * the kernel, timeouts, byte counters, policy and quotas. This driver does
 * the real I/O and feeds each completion into the core; it executes the
 * core's I/O requests and turns its script events into `BEv` dispatches.
 *
 * I/O: TCP connections (accepted, and client) are libuv's handles driven as
 * lib/net.js does (raw.ts); IPC clients, and everything when a binding is
 * missing, wrap a net.Socket. Servers are node:net servers (servers.ts);
 * client connect, with its lookup, is connect.ts. Other files: conn-io.ts
 * (one connection's operations over either), queue.ts (event order),
 * resolve.ts (dns), timer.ts (the core's clock).
 *
 * Flow (see host/core/api.ts for the core's call order):
 *   ts-api call -> core call -> pump(): drain, run I/O requests at once,
 *                                        queue script events
 *   I/O callback -> core input -> pump() -> flush(): dispatch in order
 * Script events are never dispatched from inside a Backend call.
 *
 * Fast paths (accounting stays in the core): writes go straight to the
 * handle (the core counts them with `write(len)`/`onWritten(len)`; the bytes
 * never enter wasm memory); reads go to the script without a copy when the
 * core answers `Code.Deliver` (flowing, nothing buffered).
 */
import type * as net from "node:net";
import { Buffer } from "node:buffer";
import { Code, Ev, Kind, Opt } from "../core/api.ts";
import type { CoreApi, CoreStats, Policy, Quotas } from "../core/api.ts";
import { Core } from "../core/core.ts";
import { BEv } from "../backend.ts";
import type {
  Backend,
  ConnectIpc,
  ConnectTcp,
  Dispatch,
  ErrorInfo,
  ListenFd,
  ListenIpc,
  ListenTcp,
  ServerAddress,
  SocketCounters,
  SocketInfo,
} from "../backend.ts";
import { codeOfErrno, errorEventInfo, systemCodeOf } from "./errors.ts";
import { Conn, Listener } from "./handles.ts";
import { attachRaw, closeRaw, connectRaw, writeRaw } from "./raw.ts";
import { dropInfo, ioSocketInfo, readStart, readStop, setOption, setRef, shutdown } from "./conn-io.ts";
import type { RawHandle, RawSink } from "./raw.ts";
import { ServerSide } from "./servers.ts";
import type { DriverHost } from "./servers.ts";
import { ClientSide } from "./connect.ts";
import type { ClientHost } from "./connect.ts";
import { EventQueue } from "./queue.ts";
import { CoreTimer, now } from "./timer.ts";

export interface NodeDriverOptions {
  policy?: Policy;
  quotas?: Quotas;
  /** connection-table capacity (the core's default when absent) */
  capacity?: number;
  /** a core to drive instead of a new one (tests) */
  core?: CoreApi;
  /**
   * Called once for a chunk passed to `write()` when nothing here references
   * it any more (the kernel took it, or libuv's write completed), so that its
   * owner may reuse it. Chunks of failed or abandoned writes are never handed
   * back; the garbage collector takes them.
   */
  releaseChunk?: (chunk: Uint8Array) => void;
}

export interface DriverStats extends CoreStats {
  liveHandles: number;
}



/** The Conn of a node:net socket, for the shared event handlers below. */
const kConn = Symbol("wasock.conn");
type ConnSocket = net.Socket & { [kConn]: Conn };
type SockHandler = (this: ConnSocket, ...args: any[]) => void;
let onSockData: SockHandler;
let onSockEnd: SockHandler;
let onSockFinish: SockHandler;
let onSockError: SockHandler;
let onSockClose: SockHandler;
let onSockConnect: SockHandler;

/** A write entry whose completion was already reported (the kernel took it synchronously). */
const SYNC_DONE = -1;
/**
 * Bytes node:net may hold for a socket beyond the kernel before a write stops
 * completing at once: with 64 KiB writes one chunk waits queued, so the kernel
 * has the next one when it makes room, while a writer still sees backpressure
 * (write() returning false) soon after its reader stops.
 */
const EARLY_LIMIT = 64 * 1024;


export class NodeDriver implements Backend {
  readonly #core: CoreApi;
  readonly #events = new EventQueue();
  readonly #conns = new Map<number, Conn>();
  readonly #servers: ServerSide;
  readonly #clients: ClientSide;
  /** the server side's map (handle -> Listener) */
  readonly #listeners: Map<number, Listener>;
  /** records drained from the core: 4 numbers each (kind, h, a, b) */
  #recs: number[] = [];
  /** bytes of the Data records, in order */
  #data: Uint8Array[] = [];
  #pumping = false;
  #pumpAgain = false;
  readonly #timer: CoreTimer;
  /** DNS lookups and listen-host lookups in flight (they keep the loop alive) */
  #pendingOps = 0;
  #disposed = false;

  constructor(opts: NodeDriverOptions = {}) {
    this.#core = opts.core ?? Core.create({ policy: opts.policy, quotas: opts.quotas, capacity: opts.capacity });
    this.#release = opts.releaseChunk ?? null;
    this.#timer = new CoreTimer(this.#core, () => this.#settle());
    const self = this;
    const host: DriverHost & ClientHost = {
      core: this.#core,
      conns: this.#conns,
      timer: this.#timer,
      pump: () => this.#pump(),
      settle: () => this.#settle(),
      out: (h, ev, a, b, c, d) => this.#out(h, ev, a, b, c, d),
      accept: (l, sock) => this.#onAccept(l, sock, null),
      acceptRaw: (l, handle) => this.#onAccept(l, null, handle),
      get disposed() { return self.#disposed; },
      opStart: () => { this.#pendingOps++; },
      opEnd: () => { this.#pendingOps--; },
      attachClient: (c, sock) => {
        this.#attach(c, sock);
        if (!c.refed) sock.unref();
        sock.once("connect", onSockConnect);
      },
      connectRaw: (c, o) => {
        c.driver = this;
        connectRaw(c, this.#rawSink, o);
      },
    };
    this.#servers = new ServerSide(host);
    this.#clients = new ClientSide(host);
    this.#listeners = this.#servers.listeners;
  }

  setDispatch(d: Dispatch): void {
    this.#events.dispatch = d;
  }

  // ---- event plumbing -------------------------------------------------------

  readonly #sink = (kind: Ev, h: number, a: number, b: number): void => {
    if (kind === Ev.Data) this.#data.push(this.#core.bytes(a, b));
    this.#recs.push(kind, h, a, b);
  };

  /** Drains the core until it is quiet, running I/O requests and queueing script events. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    const core = this.#core;
    const recs = this.#recs;
    const data = this.#data;
    try {
      for (;;) {
        this.#pumpAgain = false;
        core.drain(this.#sink);
        if (recs.length === 0) {
          if (this.#pumpAgain) continue;
          break;
        }
        let di = 0;
        for (let i = 0; i < recs.length; i += 4) {
          const kind = recs[i];
          if (kind === Ev.Data) {
            const bytes = data[di++];
            this.#out(recs[i + 1], BEv.Data, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
          } else {
            this.#record(kind, recs[i + 1], recs[i + 2], recs[i + 3]);
          }
        }
        recs.length = 0;
        data.length = 0;
      }
    } finally {
      recs.length = 0;
      data.length = 0;
      this.#pumping = false;
    }
    this.#timer.arm();
    this.#events.scheduleFlush();
  }

  #out(h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
    this.#events.out(h, ev, a, b, c, d);
  }

  /** After a node:net callback fed the core. */
  #settle(): void {
    this.#pump();
    this.#events.flush();
  }

  /** One record from the core: run an I/O request or queue a script event. */
  #record(kind: Ev, h: number, a: number, b: number): void {
    switch (kind) {
      case Ev.IoResolve: return this.#clients.ioResolve(h);
      case Ev.IoConnect: return this.#clients.ioConnect(h);
      case Ev.IoListen: return this.#servers.ioListen(h);
      case Ev.IoShutdown: {
        const c = this.#conns.get(h);
        if (c) shutdown(c);
        return;
      }
      case Ev.IoClose: return this.#ioClose(h, a);
      case Ev.IoReadStart: {
        const c = this.#conns.get(h);
        if (c) readStart(c);
        return;
      }
      case Ev.IoReadStop: {
        const c = this.#conns.get(h);
        if (c) readStop(c);
        return;
      }
      case Ev.IoSetOption: return this.#ioSetOption(h, a, b);
      case Ev.IoSend: {
        const c = this.#conns.get(h);
        if (c?.raw) {
          if (c.rawClosing) return;
          if (writeRaw(c, this.#core.bytes(a, b), b) === -1) {
            this.#core.onWritten(h, b, now());
            this.#pump();
          }
          return;
        }
        if (!c?.sock || c.sockClosed) return;
        const bytes = this.#core.bytes(a, b);
        c.sock.write(bytes, () => {
          this.#core.onWritten(h, bytes.byteLength, now());
          this.#settle();
        });
        return;
      }
      case Ev.Connect: {
        // No addresses here: ts-api asks socketInfo() when the script wants them,
        // so a connection costs no getsockname/getpeername it does not use.
        this.#out(h, BEv.Connect);
        return;
      }
      case Ev.End: return this.#out(h, BEv.End);
      case Ev.Drain: return;
      case Ev.Timeout: return this.#out(h, BEv.Timeout);
      case Ev.Error: return this.#out(h, BEv.Error, this.#errorInfo(h, a, b));
      case Ev.Close: {
        const c = this.#conns.get(h);
        if (c) {
          c.reportedClosed = true;
          this.#conns.delete(h);
          if (c.abandoned) return;
        }
        this.#out(h, BEv.Close, a === 1);
        return;
      }
      case Ev.Connection: {
        this.#out(h, BEv.Connection, a);
        return;
      }
      case Ev.Listening: return this.#out(h, BEv.Listening, this.serverAddress(h));
      case Ev.Drop: {
        const dc = this.#conns.get(a);
        if (dc) dc.dropped = true;
        this.#out(h, BEv.Drop, dc?.kind === Kind.Ipc ? undefined : dropInfo(dc));
        return;
      }
      case Ev.Lookup: {
        const c = this.#conns.get(h);
        // an attempt at an address the caller resolved: its 'lookup' events were its own
        if (c?.tcp?.resolved) return;
        const peer = this.#core.peerAddress(h);
        this.#out(h, BEv.Lookup, null, peer?.address, peer?.family, c?.host);
        return;
      }
      case Ev.ServerClose: {
        this.#listeners.delete(h);
        this.#out(h, BEv.ServerClose);
        return;
      }
      default:
        return;
    }
  }

  // ---- errors ------------------------------------------------------------------

  /** The ErrorInfo for a core Error event on `h`: the node:net error it came from, or the core's own. */
  #errorInfo(h: number, code: Code, errno: number): ErrorInfo {
    const c = this.#conns.get(h);
    const l = c ? undefined : this.#listeners.get(h);
    return errorEventInfo(code, errno, c, l, this.#core.peerAddress(h));
  }

  // ---- client connect (host/node/connect.ts) ------------------------------------

  connectTcp(req: ConnectTcp): number | ErrorInfo {
    return this.#clients.connectTcp(req);
  }

  connectIpc(req: ConnectIpc): number | ErrorInfo {
    return this.#clients.connectIpc(req);
  }

  // ---- sockets -------------------------------------------------------------------

  /** A write completed (node:net's callback, or a raw handle's), in order. */
  #written(c: Conn): void {
    const lens = c.lens;
    const len = lens[c.lensHead++];
    if (c.lensHead === lens.length) {
      lens.length = 0;
      c.lensHead = 0;
    }
    if (len === SYNC_DONE || c.reportedClosed) return;
    const h = c.h;
    if (len < 0) {
      // completed early for the script: only the core's accounting is left
      this.#core.onWritten(h, -len - 2, now());
      this.#pump();
      return;
    }
    this.#core.onWritten(h, len, now());
    this.#out(h, BEv.Written, 1);
    this.#settle();
  }

  /** Wires a node:net socket's callbacks to the core, once per socket. */
  #attach(c: Conn, sock: net.Socket): void {
    c.sock = sock;
    c.driver = this;
    c.onWrite = () => this.#written(c);
    (sock as ConnSocket)[kConn] = c;
    sock.on("data", onSockData);
    sock.on("end", onSockEnd);
    sock.on("finish", onSockFinish);
    sock.on("error", onSockError);
    sock.on("close", onSockClose);
  }

  // ---- node:net socket events (shared handlers: `this` is the node:net socket) ----

  #sockData(c: Conn, chunk: Buffer): void {
    const r = this.#core.onData(c.h, chunk, now());
    if (r === Code.Deliver) {
      // Flowing and nothing buffered: the core queued nothing, the chunk goes as is.
      this.#events.deliver(c.h, chunk);
      return;
    }
    this.#settle();
  }

  #sockEnd(c: Conn): void {
    this.#core.onEof(c.h, now());
    this.#settle();
  }

  #sockFinish(c: Conn): void {
    c.finished = true;
    if (!c.endRequested || c.finishedSent || c.reportedClosed) return;
    c.finishedSent = true;
    this.#out(c.h, BEv.Finished);
    this.#settle();
  }

  #sockError(c: Conn, err: NodeJS.ErrnoException): void {
    if (c.closeRequested) return;
    c.lastErr = err;
    this.#core.onError(c.h, codeOfErrno(err.code), typeof err.errno === "number" ? err.errno : 0);
    this.#settle();
  }

  #sockClose(c: Conn): void {
    c.sockClosed = true;
    if (c.closeRequested && !c.reportedClosed) {
      this.#core.onClosed(c.h);
      if (c.dropped) this.#conns.delete(c.h);
      this.#settle();
    }
  }

  #sockConnect(c: Conn): void {
    if (this.#conns.get(c.h) !== c) return;
    // The core does not need the local address; socketInfo() reads it from node:net when asked.
    this.#core.onConnected(c.h, null, now());
    this.#settle();
  }

  static {
    onSockData = function (this: ConnSocket, chunk: Buffer) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockData(c, chunk);
    };
    onSockEnd = function (this: ConnSocket) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockEnd(c);
    };
    onSockFinish = function (this: ConnSocket) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockFinish(c);
    };
    onSockError = function (this: ConnSocket, err: NodeJS.ErrnoException) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockError(c, err);
    };
    onSockClose = function (this: ConnSocket) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockClose(c);
    };
    onSockConnect = function (this: ConnSocket) {
      const c = this[kConn];
      (c.driver as NodeDriver).#sockConnect(c);
    };
  }

  /** how: 0 now, 1 reset (RST), 2 graceful (both sides ended, every byte flushed) */
  #ioClose(h: number, how: number): void {
    const c = this.#conns.get(h);
    if (c) {
      if (c.closeRequested) return;
      c.closeRequested = true;
      if (c.raw && !c.sockClosed) {
        if (how === 2 && c.shutdownPending) c.closeAfterFinish = true;
        else closeRaw(c, how === 1 && c.kind === Kind.Tcp);
        return;
      }
      const sock = c.sock;
      if (sock && !c.sockClosed) {
        if (how === 1 && !sock.destroyed && c.kind === Kind.Tcp) sock.resetAndDestroy();
        else if (how === 2 && !sock.writableFinished && !sock.destroyed) sock.once("finish", () => sock.destroy());
        else sock.destroy();
        return;
      }
      // No OS socket (never connected, or already closed): finish like a handle close callback.
      setImmediate(() => {
        if (c.reportedClosed || this.#disposed) return;
        this.#core.onClosed(h);
        this.#settle();
      });
      return;
    }
    this.#servers.ioClose(h);
  }

  #ioSetOption(h: number, opt: number, value: number): void {
    const c = this.#conns.get(h);
    if (c) {
      setOption(c, opt, value);
      return;
    }
    const l = this.#listeners.get(h);
    if (l && opt === Opt.Ref) this.#servers.setRef(l, value !== 0);
  }

  write(h: number, chunk: Uint8Array): ErrorInfo | undefined | true {
    const c = this.#conns.get(h);
    if (!c || (c.sock === null && c.raw === null) || c.closeRequested) return { code: "ERR_SOCKET_CLOSED" };
    const len = chunk.byteLength;
    const code = this.#core.write(h, len, now());
    if (code !== Code.Ok) {
      this.#pump();
      if (code === Code.QuotaExceeded) {
        return { code: "ERR_QUOTA_EXCEEDED", syscall: "write", message: "maxBufferedBytesPerSocket or maxBufferedBytesTotal" };
      }
      if (code === Code.InvalidState) return { code: "ERR_STREAM_WRITE_AFTER_END" };
      const sys = systemCodeOf(code, 0);
      return { code: sys.code, errno: sys.errno, syscall: "write" };
    }
    const lens = c.lens;
    const at = lens.length;
    let pending: number;
    if (c.raw !== null) {
      if (c.rawClosing) return { code: "ERR_SOCKET_CLOSED" };
      // ts-api holds writes until 'connect', as net.Socket does
      if (!c.rawConnected) return { code: "ENOTCONN", errno: -107, syscall: "write" };
      lens.push(len);
      pending = writeRaw(c, chunk);
      if (pending === -1) {
        // the kernel took it all: no completion follows, so no entry either
        lens.length = at;
        pending = 0;
        this.#release?.(chunk);
      } else if (pending === 0) {
        lens.length = at;
        return undefined; // an error, reported as the core's Error event
      }
    } else {
      lens.push(len);
      c.sock!.write(chunk, c.onWrite);
      pending = c.sock!.writableLength;
    }
    if (pending === 0) {
      // The kernel took it all synchronously (node:net's own fast path): report it
      // now, as node:net calls its write callback, and let onWrite skip this entry.
      if (at < lens.length) lens[at] = SYNC_DONE;
      this.#core.onWritten(h, len, now());
      this.#pump();
      return true;
    }
    if (pending <= EARLY_LIMIT) {
      // node:net holds it, below our limit: complete it for the script now so that
      // the next chunks are queued behind it and the kernel never waits on a
      // callback round trip. The core still counts these bytes until they are flushed.
      lens[at] = -len - 2;
      return true;
    }
    return undefined;
  }

  end(h: number): void {
    const c = this.#conns.get(h);
    if (!c) return;
    c.endRequested = true;
    this.#core.end(h, now());
    this.#pump();
    if (!c.finishedSent && (c.finished || c.sockClosed)) {
      // The FIN already went out (or the socket is gone): complete end() anyway.
      c.finishedSent = true;
      this.#out(h, BEv.Finished);
      this.#events.scheduleFlush();
    }
  }

  destroy(h: number, reset: boolean): void {
    const c = this.#conns.get(h);
    if (!c || c.closeRequested) return;
    this.#core.destroy(h, reset);
    this.#pump();
  }

  pause(h: number): void {
    if (!this.#conns.has(h)) return;
    this.#core.pause(h);
    this.#pump();
  }

  resume(h: number): void {
    const c = this.#conns.get(h);
    if (!c) return;
    this.#core.resume(h);
    this.#pump();
    if (c.initialPause) {
      // pauseOnConnect: nothing was read yet, so no IoReadStop stands behind this.
      readStart(c);
    }
  }

  setTimeout(h: number, ms: number): void {
    if (!this.#conns.has(h)) return;
    if (ms > 0) this.#timer.used = true;
    this.#core.setTimeout(h, ms, now());
    this.#pump();
  }

  setNoDelay(h: number, on: boolean): void {
    const c = this.#conns.get(h);
    if (!c) return;
    this.#core.setNoDelay(h, on);
    this.#pump();
  }

  setKeepAlive(h: number, on: boolean, initialDelayMs: number): void {
    const c = this.#conns.get(h);
    if (!c) return;
    c.keepAliveDelayMs = initialDelayMs;
    this.#core.setKeepAlive(h, on, initialDelayMs);
    this.#pump();
  }

  ref(h: number, on: boolean): void {
    const c = this.#conns.get(h);
    if (!c) return;
    setRef(c, on);
    this.#core.ref(h, on);
    this.#pump();
  }

  counters(h: number): SocketCounters {
    const core = this.#core;
    if (!this.#conns.has(h)) return { bytesRead: 0, bytesWritten: 0, bufferSize: 0 };
    return { bytesRead: core.bytesRead(h), bytesWritten: core.bytesWritten(h), bufferSize: core.bufferSize(h) };
  }

  socketInfo(h: number): SocketInfo {
    const c = this.#conns.get(h);
    const io = c ? ioSocketInfo(c) : null;
    if (io !== null) return io;
    const info: SocketInfo = {};
    const core = this.#core;
    const l = core.localAddress(h);
    const r = core.peerAddress(h);
    if (l) info.local = { address: l.address, family: l.family === 6 ? "IPv6" : "IPv4", port: l.port };
    if (r) info.remote = { address: r.address, family: r.family === 6 ? "IPv6" : "IPv4", port: r.port };
    if (c?.path) info.path = c.path;
    return info;
  }

  // ---- servers (host/node/servers.ts) ----------------------------------------------

  listenTcp(req: ListenTcp): number | ErrorInfo {
    return this.#servers.listenTcp(req);
  }

  listenIpc(req: ListenIpc): number | ErrorInfo {
    return this.#servers.listenIpc(req);
  }

  listenFd(req: ListenFd): number | ErrorInfo {
    return this.#servers.listenFd(req);
  }

  serverClose(h: number): void {
    this.#servers.serverClose(h);
  }

  serverAddress(h: number): ServerAddress | null {
    return this.#servers.serverAddress(h);
  }

  getConnections(h: number): number {
    return this.#servers.getConnections(h);
  }

  setMaxConnections(h: number, n: number): void {
    this.#servers.setMaxConnections(h, n);
  }

  serverRef(h: number, on: boolean): void {
    this.#servers.serverRef(h, on);
  }

  /** A connection accepted for `l`: a node:net socket, or libuv's handle itself (raw.ts). */
  #onAccept(l: Listener, sock: net.Socket | null, handle: RawHandle | null): void {
    const core = this.#core;
    if (l.closing || this.#disposed) {
      sock?.destroy();
      handle?.close();
      return;
    }
    const nh = core.onAccepted(l.h, null, now());
    if (nh < 0) {
      sock?.destroy();
      handle?.close();
      this.#settle();
      return;
    }
    const c = new Conn(nh, l.kind);
    c.path = l.ipc?.path ?? "";
    this.#conns.set(nh, c);
    const pauseOnConnect = l.tcp?.pauseOnConnect ?? l.ipc?.pauseOnConnect ?? false;
    if (pauseOnConnect) c.initialPause = true;
    if (handle !== null) {
      c.driver = this;
      attachRaw(c, handle, this.#rawSink, pauseOnConnect);
    } else {
      this.#attach(c, sock!);
      if (!pauseOnConnect) sock!.resume();
    }
    this.#settle();
  }

  /** NodeDriverOptions.releaseChunk, or null */
  readonly #release: ((chunk: Uint8Array) => void) | null;

  /** raw.ts's reports: the same paths as the node:net socket events. */
  readonly #rawSink: RawSink = {
    released: (chunk) => this.#release?.(chunk),
    data: (c, chunk) => this.#sockData(c as Conn, chunk),
    end: (c) => this.#sockEnd(c as Conn),
    finish: (c) => this.#sockFinish(c as Conn),
    error: (c, err) => this.#sockError(c as Conn, err),
    closed: (c) => this.#sockClose(c as Conn),
    written: (c) => this.#written(c as Conn),
    connected: (c) => this.#sockConnect(c as Conn),
    sent: (c, len) => {
      const conn = c as Conn;
      if (conn.reportedClosed) return;
      this.#core.onWritten(conn.h, len, now());
      this.#settle();
    },
  };

  // ---- lifecycle -------------------------------------------------------------------

  stats(): DriverStats {
    const s = this.#core.stats();
    return {
      sockets: s.sockets,
      servers: s.servers,
      bufferedBytes: s.bufferedBytes,
      bytesRead: s.bytesRead,
      bytesWritten: s.bytesWritten,
      liveHandles: this.#core.liveHandles(),
    };
  }

  /** Whether anything here should keep the event loop alive (a ref'ed socket or server, a lookup). */
  hasRefs(): boolean {
    if (this.#pendingOps > 0) return true;
    // A closing handle counts until its Close/ServerClose record (as a closing
    // libuv handle keeps Node's loop alive until its close callback ran).
    for (const c of this.#conns.values()) {
      if (c.refed && !c.reportedClosed && ((c.sock === null && c.raw === null) || !c.sockClosed)) return true;
    }
    return this.#servers.hasRefs();
  }

  /** Closes every node:net socket and server at once; the driver is unusable afterwards. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#timer.dispose();
    for (const c of this.#conns.values()) {
      c.closeRequested = true;
      c.sock?.destroy();
      closeRaw(c, false);
    }
    this.#servers.dispose();
    this.#conns.clear();
    this.#events.clear();
  }
}

