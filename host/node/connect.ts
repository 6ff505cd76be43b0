/**
 * The driver's client side: connect (TCP, IPC), the core's IoResolve (dns)
 * and IoConnect requests, over libuv's TCP handle (raw.ts) or a node:net socket.
 *
 * The core owns the socket's state, its policy checks (the name, then the
 * address) and its connect timeout; this file opens the handle, runs the
 * lookup and the connect, and feeds their results back. Once connecting, a
 * socket's events go to the driver (`ClientHost.attachClient`/`connectRaw`),
 * as an accepted connection's do.
 */
import * as net from "node:net";
import { Code, Kind } from "../core/api.ts";
import type { CoreApi } from "../core/api.ts";
import { BEv } from "../backend.ts";
import type { ConnectIpc, ConnectTcp, ErrorInfo } from "../backend.ts";
import { errorInfoOf, refusalInfo } from "./errors.ts";
import { Conn } from "./handles.ts";
import { lookupAll } from "./resolve.ts";
import { RAW } from "./raw.ts";
import type { RawConnect } from "./raw.ts";
import { now } from "./timer.ts";
import type { CoreTimer } from "./timer.ts";

/** What the client side needs from the driver that owns it. */
export interface ClientHost {
  readonly core: CoreApi;
  /** the driver's connections (handle -> Conn) */
  readonly conns: Map<number, Conn>;
  /** the core's clock (`used` once a socket asks for a timeout) */
  readonly timer: CoreTimer;
  /** drain the core, run its I/O requests, queue its script events */
  pump(): void;
  /** pump, then dispatch what is queued (after a node:net callback) */
  settle(): void;
  /** queue one script event */
  out(h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void;
  readonly disposed: boolean;
  /** lookups in flight keep the loop alive */
  opStart(): void;
  opEnd(): void;
  /** wires a client's new node:net socket to the driver: its events, its ref, its 'connect' */
  attachClient(c: Conn, sock: net.Socket): void;
  /** connects `c` on libuv's TCP handle itself (raw.ts), reporting to the driver */
  connectRaw(c: Conn, o: RawConnect): void;
}

export class ClientSide {
  readonly #host: ClientHost;

  constructor(host: ClientHost) {
    this.#host = host;
  }

  connectTcp(req: ConnectTcp): number | ErrorInfo {
    const host = this.#host;
    const core = host.core;
    // Half-open rules are ts-api's (Duplex ends the write side after 'end'), so the
    // core never shuts a socket down on its own ahead of writes still in the stream.
    const h = core.socketOpen(Kind.Tcp, true);
    if (h < 0) return refusalInfo(-h as Code, "connect", req.host, req.port);
    const c = new Conn(h, Kind.Tcp);
    c.tcp = req;
    c.host = req.host;
    c.port = req.port;
    c.keepAliveDelayMs = req.keepAliveInitialDelay ?? 0;
    host.conns.set(h, c);
    const t = now();
    if (req.timeout) {
      host.timer.used = true;
      core.setTimeout(h, req.timeout, t);
    }
    const ip = net.isIP(req.host);
    // An address resolved from a name: the core checks the name, then (at once, in
    // ioResolve) the address as the name's, as if it had resolved it itself.
    const viaName = req.resolved === true && ip !== 0 && typeof req.name === "string";
    const code = viaName ? core.connectName(h, req.name!, req.port, t)
      : req.resolved || ip !== 0 ? core.connectAddress(h, req.host, req.port, t)
      : core.connectName(h, req.host, req.port, t);
    if (code !== Code.Ok) {
      this.#abandon(c);
      const ip = net.isIP(req.host) !== 0;
      return refusalInfo(code, "connect", ip ? req.host : undefined, req.port, ip ? undefined : req.host);
    }
    host.pump();
    return h;
  }

  connectIpc(req: ConnectIpc): number | ErrorInfo {
    const host = this.#host;
    const core = host.core;
    const h = core.socketOpen(Kind.Ipc, true);
    if (h < 0) return refusalInfo(-h as Code, "connect", req.path);
    const c = new Conn(h, Kind.Ipc);
    c.path = req.path;
    host.conns.set(h, c);
    const t = now();
    if (req.timeout) {
      host.timer.used = true;
      core.setTimeout(h, req.timeout, t);
    }
    const code = core.connectPath(h, req.path, t);
    if (code !== Code.Ok) {
      this.#abandon(c);
      return refusalInfo(code, "connect", req.path);
    }
    host.pump();
    return h;
  }

  /** Frees a handle whose connect was refused synchronously. */
  #abandon(c: Conn): void {
    c.abandoned = true;
    c.closeRequested = true;
    c.sockClosed = true;
    this.#host.core.destroy(c.h, false);
    this.#host.pump();
  }

  /** The core's IoResolve. */
  ioResolve(h: number): void {
    const host = this.#host;
    const c = host.conns.get(h);
    const req = c?.tcp;
    if (!c || !req) return;
    if (req.resolved) {
      // connectTcp's `name` path: the address is known, only the core's check is left.
      c.resolved = req.host;
      const code = host.core.onResolved(h, req.host, net.isIP(req.host) === 6 ? 6 : 4, now());
      if (code !== Code.Ok && code !== Code.PolicyDenied) host.core.onError(h, code, 0);
      return;
    }
    host.opStart();
    lookupAll(req, (err, addresses) => {
      host.opEnd();
      if (host.disposed || host.conns.get(h) !== c || c.closeRequested) return;
      const core = host.core;
      if (err) {
        c.lastErr = err;
        host.out(h, BEv.Lookup, errorInfoOf(err, req.host), undefined, undefined, req.host);
        core.onError(h, Code.NameUnresolvable, typeof err.errno === "number" ? err.errno : 0);
        host.settle();
        return;
      }
      if (req.multi && addresses.length > 1) {
        // autoSelectFamily: the caller runs Node's attempts over every address
        // (BEv.Resolved); this handle ends here (Close(false) follows).
        const list = addresses.map((x) => ({ address: x.address, family: x.family }));
        host.out(h, BEv.Resolved, list, req.host);
        core.destroy(h, false);
        host.settle();
        return;
      }
      // Without `multi` one address is tried: the first answer (Node's first choice).
      const chosen = addresses[0];
      c.resolved = chosen.address;
      const code = core.onResolved(h, chosen.address, chosen.family === 6 ? 6 : 4, now());
      if (code !== Code.Ok && code !== Code.PolicyDenied) core.onError(h, code, 0);
      host.settle();
    });
  }

  /** The core's IoConnect. */
  ioConnect(h: number): void {
    const host = this.#host;
    const c = host.conns.get(h);
    if (!c || c.sock || c.raw) return;
    if (RAW !== null && c.kind === Kind.Tcp) {
      // libuv's TCP handle itself (raw.ts), as lib/net.js's internalConnect
      const req = c.tcp!;
      const peer = host.core.peerAddress(h);
      host.connectRaw(c, {
        address: peer?.address ?? req.host,
        port: peer?.port ?? req.port,
        localAddress: req.localAddress,
        localPort: req.localPort,
        noDelay: req.noDelay,
        keepAlive: req.keepAlive,
        keepAliveDelayMs: req.keepAliveInitialDelay,
        refed: c.refed,
      });
      return;
    }
    const sock = new net.Socket({ allowHalfOpen: true });
    host.attachClient(c, sock);
    if (c.kind === Kind.Ipc) {
      sock.connect({ path: c.path });
      return;
    }
    const req = c.tcp!;
    const peer = host.core.peerAddress(h);
    const opts: net.TcpNetConnectOpts = {
      host: peer?.address ?? req.host,
      port: peer?.port ?? req.port,
      noDelay: req.noDelay,
      keepAlive: req.keepAlive,
      keepAliveInitialDelay: req.keepAliveInitialDelay,
    };
    if (req.localAddress) opts.localAddress = req.localAddress;
    if (req.localPort) opts.localPort = req.localPort;
    sock.connect(opts);
  }
}
