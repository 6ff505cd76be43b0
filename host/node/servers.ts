/**
 * The driver's server side: listen (TCP, IPC, an inherited fd), close,
 * address, connection count, maxConnections, ref, over node:net servers.
 *
 * The core owns the server's state, its policy check and its connection
 * count; this file runs its IoListen/IoClose requests and feeds node:net's
 * server events back. Accepted node:net sockets go to `DriverHost.accept`
 * (the socket side of the driver).
 */
import * as net from "node:net";
import * as dns from "node:dns";
import { Code, Kind } from "../core/api.ts";
import type { CoreApi } from "../core/api.ts";
import { BEv } from "../backend.ts";
import type { ErrorInfo, ListenFd, ListenIpc, ListenTcp, ServerAddress } from "../backend.ts";
import { codeOfErrno, errorInfoOf, refusalInfo } from "./errors.ts";
import { Listener, coreAddr, familyName } from "./handles.ts";
import { rawServerHandle, uvError } from "./raw.ts";
import type { RawHandle } from "./raw.ts";

const kOwner = Symbol("wasock.listener");
type ServerHandle = { [kOwner]?: [ServerSide, Listener] };

/** lib/net.js's onconnection, for a server whose connections the driver takes raw. */
function onRawConnection(this: ServerHandle, err: number, handle: RawHandle | undefined): void {
  const [side, l] = this[kOwner]!;
  side.rawConnection(l, err, handle);
}

/** What the server side needs from the driver that owns it. */
export interface DriverHost {
  readonly core: CoreApi;
  /** drain the core, run its I/O requests, queue its script events */
  pump(): void;
  /** pump, then dispatch what is queued (after a node:net callback) */
  settle(): void;
  /** queue one script event */
  out(h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void;
  /** a node:net server accepted `sock` for `l` */
  accept(l: Listener, sock: net.Socket): void;
  /** libuv accepted `handle` for `l` (raw.ts: no net.Socket) */
  acceptRaw(l: Listener, handle: RawHandle): void;
  readonly disposed: boolean;
  /** lookups in flight keep the loop alive */
  opStart(): void;
  opEnd(): void;
}

/** Core's serverOpen also takes the accepted sockets' half-open and pause flags. */
type ServerOpen = (kind: Kind, allowHalfOpen: boolean, pauseOnConnect: boolean) => number;

export class ServerSide {
  readonly #host: DriverHost;
  readonly listeners = new Map<number, Listener>();

  constructor(host: DriverHost) {
    this.#host = host;
  }

  #open(kind: Kind, pauseOnConnect: boolean): number {
    return (this.#host.core as unknown as { serverOpen: ServerOpen }).serverOpen(kind, true, pauseOnConnect);
  }

  listenTcp(req: ListenTcp): number | ErrorInfo {
    const host = this.#host;
    const core = host.core;
    const h = this.#open(Kind.Tcp, req.pauseOnConnect);
    if (h < 0) return refusalInfo(-h as Code, "listen", req.host, req.port);
    const l = new Listener(h, Kind.Tcp);
    l.tcp = req;
    this.listeners.set(h, l);
    const name = req.host;
    if (name === undefined || net.isIP(name) !== 0) {
      l.bindHost = name;
      const code = core.listenAddress(h, name ?? "::", req.port, req.backlog ?? 511);
      if (code !== Code.Ok) {
        this.#abandon(l);
        return refusalInfo(code, "listen", name ?? "::", req.port);
      }
      host.pump();
      return h;
    }
    // A name: resolve it as Node does (dns.lookup), then bind its first address.
    host.opStart();
    const done = (err: NodeJS.ErrnoException | null, address: string): void => {
      host.opEnd();
      if (host.disposed || this.listeners.get(h) !== l || l.closing) return;
      if (err) {
        l.lastErr = err;
        core.onError(h, Code.NameUnresolvable, typeof err.errno === "number" ? err.errno : 0);
        host.settle();
        return;
      }
      l.bindHost = address;
      const code = core.listenAddress(h, address, req.port, req.backlog ?? 511);
      if (code !== Code.Ok) {
        const info = refusalInfo(code, "listen", address, req.port);
        this.#abandon(l);
        host.out(h, BEv.Error, info);
      }
      host.settle();
    };
    try {
      dns.lookup(name, done);
    } catch (e) {
      process.nextTick(done, e as NodeJS.ErrnoException, "");
    }
    return h;
  }

  listenIpc(req: ListenIpc): number | ErrorInfo {
    const host = this.#host;
    const h = this.#open(Kind.Ipc, req.pauseOnConnect);
    if (h < 0) return refusalInfo(-h as Code, "listen", req.path);
    const l = new Listener(h, Kind.Ipc);
    l.ipc = req;
    this.listeners.set(h, l);
    const code = host.core.listenPath(h, req.path, req.backlog ?? 511);
    if (code !== Code.Ok) {
      this.#abandon(l);
      return refusalInfo(code, "listen", req.path);
    }
    host.pump();
    return h;
  }

  /**
   * node:net listens on the fd at once (its handle exists when listen() returns,
   * 'listening' follows on the next tick): the bound address is known here, so
   * the core's policy check runs before node:net can accept anything. A denied
   * address closes the node:net server and refuses, as listenTcp does.
   */
  listenFd(req: ListenFd): number | ErrorInfo {
    const host = this.#host;
    const core = host.core;
    const srv = this.#createServer(null);
    srv.listen({ fd: req.fd, backlog: req.backlog });
    const a = srv.address();
    const kind = typeof a === "string" ? Kind.Ipc : Kind.Tcp;
    const h = this.#open(kind, req.pauseOnConnect);
    if (h < 0) {
      srv.on("error", noopErr);
      srv.close();
      return refusalInfo(-h as Code, "listen");
    }
    const l = new Listener(h, kind);
    l.srv = srv;
    this.listeners.set(h, l);
    if (a === null) {
      // node:net could not listen (EINVAL for a bad fd): its 'error' follows on the
      // next tick. The core's server stays Idle (listen may be retried), as Node's.
      srv.on("error", (err: NodeJS.ErrnoException) => {
        if (l.closing || host.disposed) return;
        l.srv = null;
        host.out(h, BEv.Error, errorInfoOf(err));
        host.settle();
      });
      return h;
    }
    let code: Code;
    if (typeof a === "string") {
      l.ipc = { path: a, backlog: req.backlog, allowHalfOpen: req.allowHalfOpen, pauseOnConnect: req.pauseOnConnect };
      code = core.listenPath(h, a, req.backlog ?? 511);
    } else {
      l.tcp = { host: a.address, port: a.port, backlog: req.backlog, allowHalfOpen: req.allowHalfOpen,
        pauseOnConnect: req.pauseOnConnect };
      l.bindHost = a.address;
      code = core.listenAddress(h, a.address, a.port, req.backlog ?? 511);
    }
    if (code !== Code.Ok) {
      srv.on("error", noopErr);
      srv.close();
      l.srv = null;
      this.#abandon(l);
      return typeof a === "string" ? refusalInfo(code, "listen", a) : refusalInfo(code, "listen", a.address, a.port);
    }
    this.#wire(l, srv);
    host.pump();
    return h;
  }

  #abandon(l: Listener): void {
    l.closing = true;
    this.#host.core.serverClose(l.h);
    this.#host.pump();
  }

  #createServer(tcp: ListenTcp | null): net.Server {
    return net.createServer({
      allowHalfOpen: true,
      pauseOnConnect: true,
      noDelay: tcp?.noDelay,
      keepAlive: tcp?.keepAlive,
      keepAliveInitialDelay: tcp?.keepAliveInitialDelay,
    });
  }

  /** node:net server events -> core inputs. */
  #wire(l: Listener, srv: net.Server): void {
    const host = this.#host;
    const h = l.h;
    srv.on("connection", (sock: net.Socket) => host.accept(l, sock));
    srv.on("error", (err: NodeJS.ErrnoException) => {
      if (l.closing) return;
      l.lastErr = err;
      host.core.onError(h, codeOfErrno(err.code), typeof err.errno === "number" ? err.errno : 0);
      host.settle();
    });
    srv.on("listening", () => {
      if (l.closing) return;
      // From here libuv's accepted handles come to the driver without a net.Socket.
      const sh = rawServerHandle(srv);
      if (sh !== null) {
        (sh as ServerHandle)[kOwner] = [this, l];
        sh.onconnection = onRawConnection;
      }
      const a = srv.address();
      const local = a !== null && typeof a === "object" ? coreAddr(a.address, a.port, a.family) : null;
      host.core.onListening(h, local);
      host.settle();
    });
    if (!l.refed) srv.unref();
  }

  /** An accepted handle (or accept's error, as node:net's server 'error'). */
  rawConnection(l: Listener, err: number, handle: RawHandle | undefined): void {
    const host = this.#host;
    if (err !== 0 || handle === undefined) {
      if (l.closing) return;
      l.lastErr = uvError(err, "accept");
      host.core.onError(l.h, codeOfErrno(l.lastErr.code), err);
      host.settle();
      return;
    }
    const tcp = l.tcp;
    // node:net's server options, as its onconnection applies them
    if (tcp?.noDelay && handle.setNoDelay) handle.setNoDelay(true);
    if (tcp?.keepAlive && handle.setKeepAlive) handle.setKeepAlive(true, ~~((tcp.keepAliveInitialDelay ?? 0) / 1000));
    host.acceptRaw(l, handle);
  }

  /** The core's IoListen: bind and listen with node:net. */
  ioListen(h: number): void {
    const l = this.listeners.get(h);
    if (!l || l.srv) return;
    const tcp = l.tcp;
    const srv = this.#createServer(tcp);
    l.srv = srv;
    this.#wire(l, srv);
    if (l.ipc) {
      srv.listen({
        path: l.ipc.path,
        backlog: l.ipc.backlog,
        readableAll: l.ipc.readableAll,
        writableAll: l.ipc.writableAll,
        exclusive: true,
      });
      return;
    }
    srv.listen({
      host: l.bindHost,
      port: tcp!.port,
      backlog: tcp!.backlog,
      ipv6Only: tcp!.ipv6Only,
      exclusive: true,
    });
  }

  /** The core's IoClose on a server handle: ServerClose follows once node:net let go. */
  ioClose(h: number): void {
    const l = this.listeners.get(h);
    if (!l) return;
    l.closing = true;
    if (l.srv) l.srv.close();
    setImmediate(() => {
      if (this.#host.disposed || !this.listeners.has(h)) return;
      this.#host.core.onClosed(h);
      this.#host.settle();
    });
  }

  serverClose(h: number): void {
    const l = this.listeners.get(h);
    if (!l || l.closing) return;
    l.closing = true;
    if (l.srv?.listening) l.srv.close();
    this.#host.core.serverClose(h);
    this.#host.pump();
  }

  serverAddress(h: number): ServerAddress | null {
    const l = this.listeners.get(h);
    if (!l?.srv || l.closing) return null;
    const a = l.srv.address();
    if (a === null) return null;
    if (typeof a === "string") return a;
    return { address: a.address, family: familyName(a.family), port: a.port };
  }

  getConnections(h: number): number {
    const n = this.#host.core.connections(h);
    return n < 0 ? 0 : n;
  }

  setMaxConnections(h: number, n: number): void {
    if (!this.listeners.has(h)) return;
    this.#host.core.setMaxConnections(h, n);
    this.#host.pump();
  }

  /** ref/unref of the node:net server (the core's Opt.Ref, or the script's call). */
  setRef(l: Listener, on: boolean): void {
    l.refed = on;
    if (l.srv) {
      if (on) l.srv.ref();
      else l.srv.unref();
    }
  }

  serverRef(h: number, on: boolean): void {
    const l = this.listeners.get(h);
    if (!l) return;
    this.setRef(l, on);
    this.#host.core.ref(h, on);
    this.#host.pump();
  }

  /** A ref'ed server keeps the loop alive until its ServerClose record (then it leaves the map). */
  hasRefs(): boolean {
    for (const l of this.listeners.values()) {
      if (l.refed) return true;
    }
    return false;
  }

  dispose(): void {
    for (const l of this.listeners.values()) {
      l.closing = true;
      if (l.srv?.listening) l.srv.close();
    }
    this.listeners.clear();
  }
}

function noopErr(): void {}
