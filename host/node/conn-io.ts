/**
 * One connection's I/O operations, over whichever it has: libuv's handle
 * itself (`c.raw`, host/node/raw.ts) or a wrapped node:net socket (`c.sock`,
 * the fallback, and IPC clients). The driver calls these for the core's I/O
 * requests; completions come back through its handlers.
 */
import { Kind, Opt } from "../core/api.ts";
import type { DropInfo, SocketInfo } from "../backend.ts";
import { Conn, addrOf, socketInfoOf } from "./handles.ts";
import { rawAddresses, shutdownRaw } from "./raw.ts";

/** The core's IoReadStart (and resume() after pauseOnConnect). */
export function readStart(c: Conn): void {
  c.initialPause = false;
  if (c.raw) {
    c.rawReadStopped = false;
    if (!c.rawClosing && !c.rawEof && c.rawConnected) c.raw.readStart();
    return;
  }
  const s = c.sock;
  if (s && !s.destroyed) s.resume();
}

/** The core's IoReadStop: backpressure reaches the kernel. */
export function readStop(c: Conn): void {
  if (c.raw) {
    c.rawReadStopped = true;
    if (!c.rawClosing && c.rawConnected) c.raw.readStop();
    return;
  }
  const s = c.sock;
  if (s && !s.destroyed) s.pause();
}

/** The core's IoShutdown: FIN after the queued writes. */
export function shutdown(c: Conn): void {
  if (c.raw) shutdownRaw(c);
  else if (c.sock && !c.sockClosed) c.sock.end();
}

export function setRef(c: Conn, on: boolean): void {
  c.refed = on;
  const io = c.raw ?? c.sock;
  if (io !== null && !c.rawClosing) {
    if (on) io.ref();
    else io.unref();
  }
}

/** The core's IoSetOption on a socket. */
export function setOption(c: Conn, opt: number, value: number): void {
  if (opt === Opt.KeepAliveDelayMs) {
    c.keepAliveDelayMs = value;
    return;
  }
  if (opt === Opt.Ref) {
    setRef(c, value !== 0);
    return;
  }
  const r = c.raw;
  if (r !== null) {
    if (c.rawClosing) return;
    if (opt === Opt.NoDelay) r.setNoDelay?.(value !== 0);
    else if (opt === Opt.KeepAlive) r.setKeepAlive?.(value !== 0, ~~(c.keepAliveDelayMs / 1000));
    return;
  }
  const s = c.sock;
  if (!s || s.destroyed || c.kind !== Kind.Tcp) return;
  if (opt === Opt.NoDelay) s.setNoDelay(value !== 0);
  else if (opt === Opt.KeepAlive) s.setKeepAlive(value !== 0, c.keepAliveDelayMs);
}

/** Both ends of a connection refused by maxConnections (the server's 'drop'). */
export function dropInfo(c: Conn | undefined): DropInfo {
  const info: DropInfo = Object.create(null);
  if (c?.raw) {
    const { local, remote } = rawAddresses(c);
    info.localAddress = local.address;
    info.localPort = local.port;
    info.localFamily = local.family;
    info.remoteAddress = remote.address;
    info.remotePort = remote.port;
    info.remoteFamily = remote.family;
  } else if (c?.sock) {
    const s = c.sock;
    info.localAddress = s.localAddress;
    info.localPort = s.localPort;
    info.localFamily = s.localFamily;
    info.remoteAddress = s.remoteAddress;
    info.remotePort = s.remotePort;
    info.remoteFamily = s.remoteFamily;
  }
  return info;
}

/** The addresses as the OS has them; null when the connection has no OS socket. */
export function ioSocketInfo(c: Conn): SocketInfo | null {
  if (c.sock) return socketInfoOf(c.sock, c.path);
  if (!c.raw) return null;
  if (c.path) return { path: c.path };
  const { local, remote } = rawAddresses(c);
  const info: SocketInfo = {};
  const l = addrOf(local.address, local.port, local.family);
  const r = addrOf(remote.address, remote.port, remote.family);
  if (l) info.local = l;
  if (r) info.remote = r;
  return info;
}
