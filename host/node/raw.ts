/**
 * libuv's stream handles without a net.Socket around them, as Node's own
 * lib/net.js drives them (tcp_wrap, pipe_wrap, stream_wrap bindings).
 *
 * Used for the connections a server accepts: node:net's server still binds
 * and listens, but its handle's `onconnection` goes to the driver, so an
 * accepted connection is one libuv handle, one core entry and the script's
 * Duplex (instead of a second stream, the net.Socket). When a binding is
 * missing, `RAW` is null and the driver keeps wrapping net.Socket.
 *
 * The calling conventions are those of lib/net.js and
 * lib/internal/stream_base_commons.js (Node 20):
 * - `handle.onread(arrayBuffer)`, `this` = the handle; the byte count (or a
 *   negative errno, UV_EOF at the end) is in `streamBaseState[kReadBytesOrError]`,
 *   the offset in `streamBaseState[kArrayBufferOffset]`;
 * - `handle.writeBuffer(req, buf)` returns an errno; `kLastWriteWasAsync` says
 *   whether `req.oncomplete(status)` will follow (0: the kernel took it all);
 * - `handle.shutdown(req)`: `req.oncomplete(status)` once queued writes are out;
 * - `handle.close(cb)`, `handle.reset(cb)` (RST), `readStart()`, `readStop()`,
 *   `getsockname(out)`, `getpeername(out)`, `setNoDelay(on)`,
 *   `setKeepAlive(on, seconds)`, `ref()`, `unref()`, `writeQueueSize`.
 */
import { getSystemErrorName } from "node:util";

export interface RawHandle {
  readStart(): number;
  readStop(): number;
  writeBuffer(req: RawReq, buf: Uint8Array): number;
  shutdown(req: RawReq): number;
  close(cb?: () => void): void;
  reset?(cb?: () => void): number;
  ref(): void;
  unref(): void;
  setNoDelay?(on: boolean): number;
  setKeepAlive?(on: boolean, seconds: number): number;
  getsockname?(out: Record<string, unknown>): number;
  getpeername?(out: Record<string, unknown>): number;
  writeQueueSize: number;
  onread: ((this: RawHandle, ab: ArrayBuffer | undefined) => void) | null;
  [k: symbol]: unknown;
}

export interface RawReq {
  handle: RawHandle;
  oncomplete: ((this: RawReq, status: number) => void) | null;
  /** keeps a write's bytes alive while libuv holds a pointer into them */
  buffer?: Uint8Array;
  [k: symbol]: unknown;
}

interface Bindings {
  TCP: new (type: number) => RawHandle;
  TCPConnectWrap: new () => RawReq & Record<string, unknown>;
  TCP_SOCKET: number;
  WriteWrap: new () => RawReq;
  ShutdownWrap: new () => RawReq;
  state: Int32Array;
  kReadBytesOrError: number;
  kArrayBufferOffset: number;
  kLastWriteWasAsync: number;
  UV_EOF: number;
  UV_EADDRINUSE: number;
}

function load(): Bindings | null {
  try {
    const binding = (process as unknown as { binding?: (name: string) => any }).binding;
    if (typeof binding !== "function") return null;
    const sw = binding("stream_wrap");
    const uv = binding("uv");
    const tcp = binding("tcp_wrap");
    const b: Bindings = {
      TCP: tcp.TCP,
      TCPConnectWrap: tcp.TCPConnectWrap,
      TCP_SOCKET: tcp.constants?.SOCKET,
      WriteWrap: sw.WriteWrap,
      ShutdownWrap: sw.ShutdownWrap,
      state: sw.streamBaseState,
      kReadBytesOrError: sw.kReadBytesOrError,
      kArrayBufferOffset: sw.kArrayBufferOffset,
      kLastWriteWasAsync: sw.kLastWriteWasAsync,
      UV_EOF: uv.UV_EOF,
      UV_EADDRINUSE: uv.UV_EADDRINUSE,
    };
    if (typeof b.TCP !== "function" || typeof b.TCPConnectWrap !== "function" || typeof b.TCP_SOCKET !== "number" ||
      typeof b.WriteWrap !== "function" || typeof b.ShutdownWrap !== "function" || !b.state ||
      typeof b.kReadBytesOrError !== "number" || typeof b.UV_EOF !== "number") return null;
    return b;
  } catch {
    return null;
  }
}

/** The bindings, or null (then the driver wraps net.Socket everywhere). */
export const RAW: Bindings | null = process.env.WASOCK_NO_RAW ? null : load();

/** Whether a node:net server's handle can hand its connections to the driver. */
export function rawServerHandle(srv: object): { onconnection: unknown; [k: symbol]: unknown } | null {
  if (RAW === null) return null;
  const h = (srv as { _handle?: { onconnection?: unknown } })._handle;
  return h && typeof h.onconnection === "function" ? h as { onconnection: unknown } : null;
}

/**
 * Node's errnoException (`${syscall} ${code}`), or with an address its
 * exceptionWithHostPort (`${syscall} ${code} ${address}:${port}`, then
 * ` - Local (${local})`).
 */
export function uvError(errno: number, syscall: string, address?: string, port?: number,
  localAddress?: string, localPort?: number): NodeJS.ErrnoException {
  let code: string;
  try {
    code = getSystemErrorName(errno);
  } catch {
    code = `Unknown system error ${errno}`;
  }
  let msg = `${syscall} ${code}`;
  if (address !== undefined) msg += port ? ` ${address}:${port}` : ` ${address}`;
  const local = localAddress !== undefined && localPort ? `${localAddress}:${localPort}` : "";
  if (local) msg += ` - Local (${local})`;
  const e = new Error(msg) as NodeJS.ErrnoException & Record<string, unknown>;
  e.errno = errno;
  e.code = code;
  e.syscall = syscall;
  if (address !== undefined) e.address = address;
  if (port) e.port = port;
  if (local) {
    e.localAddress = localAddress;
    e.localPort = localPort;
  }
  return e;
}

// ---- accepted connections on raw handles -------------------------------------------

/** What a raw connection reports to the driver (its node:net-socket handlers, by another road). */
export interface RawSink {
  data(c: RawConn, chunk: Buffer): void;
  end(c: RawConn): void;
  /** the shutdown (FIN) completed */
  finish(c: RawConn): void;
  error(c: RawConn, err: NodeJS.ErrnoException): void;
  /** the handle's close callback ran */
  closed(c: RawConn): void;
  /** an asynchronous write completed (after the errors, if any, were reported) */
  written(c: RawConn): void;
  /** an IoSend write completed */
  sent(c: RawConn, len: number): void;
  /** a client connection's connect completed */
  connected(c: RawConn): void;
  /** libuv no longer holds a pointer into this chunk of an asynchronous writeRaw */
  released?(chunk: Uint8Array): void;
}

/** The fields of a Conn that this file uses. */
export interface RawConn {
  raw: RawHandle | null;
  sink: RawSink | null;
  closeRequested: boolean;
  sockClosed: boolean;
  rawClosing: boolean;
  shutdownPending: boolean;
  closeAfterFinish: boolean;
  /** the peer's FIN arrived: reading is over for good */
  rawEof: boolean;
  /** bytes of the script's writes libuv has not completed */
  rawInflight: number;
  /** a client connection: its connect completed */
  rawConnected: boolean;
  /** the core asked to stop reading (before the connect completed too) */
  rawReadStopped: boolean;
}

const kConn = Symbol("wasock.rawConn");
const kSendLen = Symbol("wasock.sendLen");
const kLen = Symbol("wasock.len");

function onRead(this: RawHandle, ab: ArrayBuffer | undefined): void {
  const c = this[kConn] as RawConn;
  const b = RAW!;
  const n = b.state[b.kReadBytesOrError];
  if (n > 0) {
    c.sink!.data(c, Buffer.from(ab!, b.state[b.kArrayBufferOffset], n));
    return;
  }
  if (n === 0) return;
  if (n === b.UV_EOF) {
    this.readStop();
    if (c.rawEof) return;
    c.rawEof = true;
    c.sink!.end(c);
    return;
  }
  fail(c, n, "read");
}

function onWrite(this: RawReq, status: number): void {
  const c = this.handle[kConn] as RawConn;
  if (status < 0) fail(c, status, "write");
  const len = this[kSendLen];
  if (typeof len === "number") {
    c.sink!.sent(c, len);
    return;
  }
  c.rawInflight -= this[kLen] as number;
  const chunk = this.buffer;
  this.buffer = undefined;
  c.sink!.written(c);
  if (chunk !== undefined) c.sink!.released?.(chunk);
}

function onShutdown(this: RawReq): void {
  // As lib/net.js's afterShutdown: the status does not matter, the write side is done.
  const c = this.handle[kConn] as RawConn;
  c.shutdownPending = false;
  c.sink!.finish(c);
  if (c.closeAfterFinish) closeRaw(c, false);
}

function onClose(this: RawHandle): void {
  const c = this[kConn] as RawConn;
  c.sink!.closed(c);
}

/** An I/O error: report it, then close the handle as net.Socket's destroy(err) does. */
function fail(c: RawConn, errno: number, syscall: string, err?: NodeJS.ErrnoException): void {
  if (c.closeRequested || c.rawClosing) return;
  c.sink!.error(c, err ?? uvError(errno, syscall));
  closeRaw(c, false);
}

// ---- client connections (lib/net.js internalConnect / afterConnect) ----------------

export interface RawConnect {
  address: string;
  port: number;
  localAddress?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveDelayMs?: number;
  refed: boolean;
}

function onConnect(this: RawReq & Record<string, unknown>, status: number, handle: RawHandle): void {
  const c = handle[kConn] as RawConn;
  if (c.rawClosing || c.closeRequested) return;
  if (status !== 0) {
    const la = this.localAddress as string | undefined;
    const lp = this.localPort as number | undefined;
    fail(c, status, "connect", uvError(status, "connect", this.address as string, this.port as number,
      la && lp ? la : undefined, la && lp ? lp : undefined));
    return;
  }
  c.rawConnected = true;
  if (!c.rawReadStopped) handle.readStart();
  c.sink!.connected(c);
}

/**
 * Opens a TCP handle and connects it; `sink.connected` or `sink.error` follows
 * (never from inside this call: a synchronous failure is reported on the next tick).
 */
export function connectRaw(c: RawConn, sink: RawSink, o: RawConnect): void {
  const b = RAW!;
  const handle = new b.TCP(b.TCP_SOCKET);
  c.raw = handle;
  c.sink = sink;
  handle[kConn] = c;
  handle.onread = onRead;
  if (!o.refed) handle.unref();
  const v6 = o.address.includes(":");
  if (o.noDelay) handle.setNoDelay?.(true);
  if (o.keepAlive) handle.setKeepAlive?.(true, ~~((o.keepAliveDelayMs ?? 0) / 1000));
  let localAddress = o.localAddress;
  const localPort = o.localPort ?? 0;
  if (localAddress || localPort) {
    localAddress ||= v6 ? "::" : "0.0.0.0";
    const h = handle as unknown as { bind(a: string, p: number): number; bind6(a: string, p: number, f: number): number };
    let err = v6 ? h.bind6(localAddress, localPort, 0) : h.bind(localAddress, localPort);
    if (err === 0 && localPort > 0) {
      // lib/net.js's checkBindError: libuv reports EADDRINUSE only at connect(), after
      // binding another port; a bound port other than the one asked for is that error.
      const out: Record<string, unknown> = {};
      const e = handle.getsockname?.(out) ?? 0;
      err = e !== 0 ? e : out.port !== localPort ? b.UV_EADDRINUSE : 0;
    }
    if (err !== 0) {
      process.nextTick(fail, c, err, "bind", uvError(err, "bind", localAddress, localPort));
      return;
    }
  }
  const req = new b.TCPConnectWrap();
  req.oncomplete = onConnect as RawReq["oncomplete"];
  req.address = o.address;
  req.port = o.port;
  req.localAddress = localAddress;
  req.localPort = localPort;
  const h = handle as unknown as { connect(r: unknown, a: string, p: number): number; connect6(r: unknown, a: string, p: number): number };
  const err = v6 ? h.connect6(req, o.address, o.port) : h.connect(req, o.address, o.port);
  if (err !== 0) {
    const name: Record<string, unknown> = {};
    handle.getsockname?.(name);
    const la = typeof name.address === "string" ? name.address : undefined;
    process.nextTick(fail, c, err, "connect", uvError(err, "connect", o.address, o.port, la, name.port as number));
  }
}

/** Takes an accepted handle: reads start when `paused` is false. */
export function attachRaw(c: RawConn, handle: RawHandle, sink: RawSink, paused: boolean): void {
  c.raw = handle;
  c.sink = sink;
  handle[kConn] = c;
  handle.onread = onRead;
  c.rawConnected = true;
  if (paused) c.rawReadStopped = true;
  else handle.readStart();
}

/** Closes the handle once (reset: an RST first, TCP only); `sink.closed` follows. */
export function closeRaw(c: RawConn, reset: boolean): void {
  const r = c.raw;
  if (r === null || c.rawClosing) return;
  c.rawClosing = true;
  if (reset && typeof r.reset === "function" && r.reset(onClose) === 0) return;
  r.close(onClose);
}

/** Half-close after the queued writes; `sink.finish` follows. */
export function shutdownRaw(c: RawConn): void {
  const r = c.raw;
  if (r === null || c.rawClosing || c.shutdownPending) return;
  const req = new RAW!.ShutdownWrap();
  req.handle = r;
  req.oncomplete = onShutdown;
  const err = r.shutdown(req);
  if (err !== 0) {
    fail(c, err, "shutdown");
    return;
  }
  c.shutdownPending = true;
}

/**
 * Writes `chunk`. Returns -1 when the kernel took it all at once (no callback
 * follows), 0 after an error (already reported), else the bytes of the
 * script's writes not completed yet, this one included (`sink.written`, or
 * `sink.sent` with `sendLen`, follows). Counting whole writes, as net.Socket's
 * writableLength does, keeps Node's backpressure: one write still in flight
 * holds the next ones back, even when the kernel would take them.
 */
export function writeRaw(c: RawConn, chunk: Uint8Array, sendLen?: number): number {
  const r = c.raw!;
  const b = RAW!;
  const req = new b.WriteWrap();
  req.handle = r;
  req.oncomplete = onWrite;
  // libuv holds only a pointer into `chunk` until the write completes: the req
  // must keep the bytes alive, or GC may free them under an async write (EFAULT).
  req.buffer = chunk;
  if (sendLen !== undefined) req[kSendLen] = sendLen;
  const err = r.writeBuffer(req, chunk);
  if (err !== 0) {
    fail(c, err, "write");
    return 0;
  }
  if (b.state[b.kLastWriteWasAsync] === 0) return -1;
  if (sendLen !== undefined) return 1;
  req[kLen] = chunk.byteLength;
  c.rawInflight += chunk.byteLength;
  return c.rawInflight;
}

export interface RawAddress {
  address?: string;
  family?: string;
  port?: number;
}

export function rawAddresses(c: RawConn): { local: RawAddress; remote: RawAddress } {
  const local: RawAddress = {};
  const remote: RawAddress = {};
  const r = c.raw;
  if (r !== null && !c.rawClosing) {
    r.getsockname?.(local as Record<string, unknown>);
    r.getpeername?.(remote as Record<string, unknown>);
  }
  return { local, remote };
}
