/**
 * One connection's I/O operations, over whichever it has: libuv's handle
 * itself (`c.raw`, host/node/raw.ts) or a wrapped node:net socket (`c.sock`,
 * the fallback, and IPC clients). The driver calls these for the core's I/O
 * requests; completions come back through its handlers.
 */
import { Kind, Opt } from "../core/api.ts";
import type { DropInfo, SocketInfo } from "../backend.ts";
import { Conn, addrOf } from "./handles.ts";
import { rawAddresses, shutdownRaw } from "./raw.ts";
import type { RawAddress } from "./raw.ts";

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

/** Both ends as the OS has them, from libuv's handle or the node:net socket; null when there is neither. */
function connEnds(c: Conn): { local: RawAddress; remote: RawAddress } | null {
  if (c.raw) return rawAddresses(c);
  const s = c.sock;
  if (!s) return null;
  return {
    local: { address: s.localAddress, port: s.localPort, family: s.localFamily },
    remote: { address: s.remoteAddress, port: s.remotePort, family: s.remoteFamily },
  };
}

/** Both ends of a connection refused by maxConnections (the server's 'drop'). */
export function dropInfo(c: Conn | undefined): DropInfo {
  const info: DropInfo = Object.create(null);
  const ends = c ? connEnds(c) : null;
  if (ends) {
    info.localAddress = ends.local.address;
    info.localPort = ends.local.port;
    info.localFamily = ends.local.family;
    info.remoteAddress = ends.remote.address;
    info.remotePort = ends.remote.port;
    info.remoteFamily = ends.remote.family;
  }
  return info;
}

/** The addresses as the OS has them; null when the connection has no OS socket. */
export function ioSocketInfo(c: Conn): SocketInfo | null {
  if (!c.raw && !c.sock) return null;
  if (c.path) return { path: c.path };
  const ends = connEnds(c)!;
  const info: SocketInfo = {};
  const l = addrOf(ends.local.address, ends.local.port, ends.local.family);
  const r = addrOf(ends.remote.address, ends.remote.port, ends.remote.family);
  if (l) info.local = l;
  if (r) info.remote = r;
  return info;
}
