// The driver inside the component: performs the core's I/O requests through
// wasi:sockets and waits with wasi:io/poll. Nothing here knows about Node.
//
// One `Conn` per core handle that has touched the network. The driver owns every
// wasi resource it creates and drops children before parents (pollables, then
// streams, then the socket), as the wasi 0.2 resource rules require.
//
// Call order of one poll() (see world.wit `poll`):
//   1. pump(): drain the core; perform I/O requests; keep script events
//   2. wait: wasi:io/poll over the pollables of pending work, plus a timer for
//      the timeout or the core's next deadline (no wait when events are queued)
//   3. complete what is ready (finish-connect, accept, read, write, lookup) and
//      feed the outcomes to the core; tick(now); pump() again
import * as w from "./wasi";
import * as port from "./port";
import { freeList, adopt } from "./cabi";
import { Code, Ev, Opt, CloseHow } from "../assembly/codes";
import { pushEvent, pushEventOwned } from "./events";

/** What the driver is waiting for on a connection. */
enum Phase { Idle = 0, Resolving = 1, Connecting = 2, Open = 3, Listening = 4 }

/** A queued write: the block the host allocated for the `write` argument. */
class Chunk {
  constructor(public ptr: usize, public len: i32, public off: i32) {}
}

class Conn {
  h: u32 = 0;
  phase: Phase = Phase.Idle;
  sock: i32 = 0;
  inp: i32 = 0;
  out: i32 = 0;
  resolver: i32 = 0;
  /** pollables, created once per resource and dropped before it */
  pSock: i32 = 0;
  pIn: i32 = 0;
  pOut: i32 = 0;
  pRes: i32 = 0;
  /** the core wants bytes read (IoReadStop clears it) */
  reading: bool = true;
  /** the input stream reported closed (FIN) */
  eof: bool = false;
  /** IoShutdown arrived: close the write side once the queue is empty */
  shutdownWanted: bool = false;
  /** backlog given to listen-address, for IoListen */
  backlog: i32 = 0;
  /** family wanted by connect-name: 0 any, 4, 6 */
  family: i32 = 0;
  /** name given to connect-name, for IoResolve */
  name: string = "";
  queue: Chunk[] = [];
}

const READ_MAX: i64 = 65536;
const SA: usize = memory.data(<i32>w.SA_SIZE, 4);

let net: i32 = 0;
const conns = new Map<u32, Conn>();

function network(): i32 {
  if (net == 0) net = w.instanceNetwork();
  return net;
}

export function nowMs(): f64 {
  return <f64>(w.clockNow() / 1000) / 1000.0;
}

function conn(h: u32): Conn {
  if (conns.has(h)) return conns.get(h);
  const c = new Conn();
  c.h = h;
  conns.set(h, c);
  return c;
}

/** Remembers the name of a connect-name call (IoResolve carries only the handle). */
export function rememberName(h: u32, name: string, family: i32): void {
  const c = conn(h);
  c.name = name;
  c.family = family;
}

export function rememberBacklog(h: u32, backlog: i32): void {
  conn(h).backlog = backlog;
}

/** Keeps the bytes of an accepted write; the driver frees them once sent. */
export function enqueue(h: u32, ptr: usize, len: i32): void {
  adopt(ptr);
  if (len == 0) { heap.free(ptr); return; }
  conn(h).queue.push(new Chunk(ptr, len, 0));
}

/** A wasi error-code outcome (negative i64) as a core Code. */
function codeOf(r: i64): i32 {
  return <i32>(-r); // wasi error-code index + 1 == Code
}

/** Node's negative errno for a core Code reported by the driver. */
export function errnoOf(code: i32): i32 {
  switch (code) {
    case Code.AccessDenied: return -13;         // EACCES
    case Code.NotSupported: return -95;         // EOPNOTSUPP
    case Code.InvalidArgument: return -22;      // EINVAL
    case Code.OutOfMemory: return -12;          // ENOMEM
    case Code.Timeout: return -110;             // ETIMEDOUT
    case Code.NewSocketLimit: return -24;       // EMFILE
    case Code.AddressNotBindable: return -99;   // EADDRNOTAVAIL
    case Code.AddressInUse: return -98;         // EADDRINUSE
    case Code.RemoteUnreachable: return -113;   // EHOSTUNREACH
    case Code.ConnectionRefused: return -111;   // ECONNREFUSED
    case Code.ConnectionReset: return -104;     // ECONNRESET
    case Code.ConnectionAborted: return -103;   // ECONNABORTED
    case Code.NameUnresolvable: return -3008;   // ENOTFOUND (getaddrinfo)
    case Code.TemporaryResolverFailure: return -3001; // EAI_AGAIN
    case Code.PermanentResolverFailure: return -3008;
    default: return 0;
  }
}

function fail(c: Conn, code: i32): void {
  port.onError(c.h, code, errnoOf(code));
}

// ---- releasing wasi resources ---------------------------------------------------

function dropStreams(c: Conn): void {
  if (c.pIn) { w.pollableDrop(c.pIn); c.pIn = 0; }
  if (c.pOut) { w.pollableDrop(c.pOut); c.pOut = 0; }
  if (c.inp) { w.inputDrop(c.inp); c.inp = 0; }
  if (c.out) { w.outputDrop(c.out); c.out = 0; }
}

function release(c: Conn): void {
  if (c.pRes) { w.pollableDrop(c.pRes); c.pRes = 0; }
  if (c.resolver) { w.resolveDrop(c.resolver); c.resolver = 0; }
  dropStreams(c);
  if (c.pSock) { w.pollableDrop(c.pSock); c.pSock = 0; }
  if (c.sock) { w.tcpDrop(c.sock); c.sock = 0; }
  const q = c.queue;
  for (let i = 0, k = q.length; i < k; i++) heap.free(unchecked(q[i]).ptr);
  c.queue = [];
  c.phase = Phase.Idle;
}

/** Closes the write side: wasi's shutdown(send) where it works; see docs/component.md. */
function closeWrite(c: Conn): void {
  c.shutdownWanted = false;
  if (c.out == 0) return;
  w.outputFlush(c.out);
  // preview2-shim destroys the whole socket on shutdown(send); dropping the output
  // stream sends FIN there, and is what wasi 0.2 specifies for ending a stream.
  if (c.pOut) { w.pollableDrop(c.pOut); c.pOut = 0; }
  w.outputDrop(c.out);
  c.out = 0;
}

// ---- I/O requests ------------------------------------------------------------------

function doResolve(c: Conn): void {
  const name = String.UTF8.encode(c.name);
  const r = w.resolveAddresses(network(), changetype<usize>(name), name.byteLength);
  if (r < 0) { fail(c, codeOf(r) == Code.InvalidArgument ? Code.NameUnresolvable : codeOf(r)); return; }
  c.resolver = <i32>r;
  c.pRes = w.resolveSubscribe(c.resolver);
  c.phase = Phase.Resolving;
}

function doConnect(c: Conn): void {
  if (port.peerAddress(c.h, SA) != 1) { fail(c, Code.InvalidState); return; }
  let r = w.createTcpSocket(load<u8>(SA) == 4 ? 0 : 1);
  if (r < 0) { fail(c, codeOf(r)); return; }
  c.sock = <i32>r;
  r = w.tcpStartConnect(c.sock, network(), SA);
  if (r < 0) { fail(c, codeOf(r)); return; }
  c.pSock = w.tcpSubscribe(c.sock);
  c.phase = Phase.Connecting;
}

function doListen(c: Conn, backlog: i32): void {
  if (port.localAddress(c.h, SA) != 1) { fail(c, Code.InvalidState); return; }
  let r = w.createTcpSocket(load<u8>(SA) == 4 ? 0 : 1);
  if (r < 0) { fail(c, codeOf(r)); return; }
  c.sock = <i32>r;
  c.pSock = w.tcpSubscribe(c.sock);
  r = w.tcpStartBind(c.sock, network(), SA);
  if (r >= 0) r = finishBlocking(c, 0);
  if (r >= 0 && backlog > 0) w.tcpSetBacklog(c.sock, backlog);
  if (r >= 0) r = w.tcpStartListen(c.sock);
  if (r >= 0) r = finishBlocking(c, 1);
  if (r >= 0) r = w.tcpLocalAddress(c.sock, SA);
  if (r < 0) {
    // A failed listen leaves the server Idle in the core (listen may be retried, or
    // the server closed without any IoClose): release the wasi socket now.
    release(c);
    conns.delete(c.h); // a retried listen makes a new record
    fail(c, codeOf(r));
    return;
  }
  c.phase = Phase.Listening;
  port.onListening(c.h, SA);
}

/** finish-bind (0) or finish-listen (1), waiting on the socket's pollable. */
function finishBlocking(c: Conn, which: i32): i64 {
  while (true) {
    const r = which == 0 ? w.tcpFinishBind(c.sock) : w.tcpFinishListen(c.sock);
    if (r != w.WOULD_BLOCK) return r;
    ensureWait(1);
    store<i32>(PLIST, c.pSock);
    w.pollList(PLIST, 1, READY);
  }
  return 0;
}

function doOption(c: Conn, opt: i32, v: i32): void {
  if (c.sock == 0) return;
  switch (opt) {
    case Opt.KeepAlive: w.tcpSetKeepAlive(c.sock, v != 0); break;
    case Opt.KeepAliveDelayMs:
      if (v > 0) w.tcpSetKeepAliveIdle(c.sock, <i64>v * 1000000);
      break;
    // NoDelay: wasi:sockets 0.2 has no TCP_NODELAY (docs/component.md). Ref: the
    // core keeps the ref flag; has-refs reads it.
    default: break;
  }
}

function doClose(c: Conn, how: i32): void {
  if (how == CloseHow.Graceful) closeWrite(c);
  // CloseHow.Reset: wasi:sockets cannot send RST (no SO_LINGER); dropping the
  // socket closes it normally (docs/component.md).
  release(c);
  conns.delete(c.h);
  port.onClosed(c.h);
}

/**
 * Drains the core: performs I/O requests, passes script events on. Loops because a
 * request done at once (a failed connect) queues more records.
 */
export function pump(): void {
  while (port.drainOne()) {
    const kind = port.recKind, h = port.recHandle, a = port.recA, b = port.recB;
    if (kind >= 32) {
      if (kind == Ev.Data) pushEvent(kind, h, 0, 0, <usize>a, b);
      else pushEvent(kind, h, a, b, 0, 0);
      continue;
    }
    const c = conn(h);
    switch (kind) {
      case Ev.IoResolve: doResolve(c); break;
      case Ev.IoConnect:
        if (c.sock == 0) doConnect(c);
        break;
      case Ev.IoListen: doListen(c, c.backlog); break;
      case Ev.IoShutdown:
        c.shutdownWanted = true;
        if (c.queue.length == 0) closeWrite(c);
        break;
      case Ev.IoClose: doClose(c, a); break;
      case Ev.IoReadStart: c.reading = true; break;
      case Ev.IoReadStop: c.reading = false; break;
      case Ev.IoSetOption: doOption(c, a, b); break;
      default: break;
    }
  }
}

// ---- completions -----------------------------------------------------------------

function finishConnect(c: Conn, now: f64): void {
  const r = w.tcpFinishConnect(c.sock);
  if (r == w.WOULD_BLOCK) return;
  if (r < 0) { c.phase = Phase.Idle; fail(c, codeOf(r)); return; }
  c.inp = w.gotInput;
  c.out = w.gotOutput;
  c.phase = Phase.Open;
  const ok = w.tcpLocalAddress(c.sock, SA) >= 0;
  port.onConnected(c.h, ok ? SA : 0, now);
}

function acceptAll(c: Conn, now: f64): void {
  while (true) {
    const r = w.tcpAccept(c.sock);
    if (r < 0) return; // would-block, or a transient accept error: keep listening
    const s = <i32>r, inp = w.gotInput, out = w.gotOutput;
    const okAddr = w.tcpRemoteAddress(s, SA) >= 0;
    const h = port.onAccepted(c.h, okAddr ? SA : 0, now);
    if (h <= 0) {
      w.inputDrop(inp); w.outputDrop(out); w.tcpDrop(s);
      continue;
    }
    const n = conn(<u32>h);
    n.sock = s;
    n.inp = inp;
    n.out = out;
    n.phase = Phase.Open;
  }
}

function finishResolve(c: Conn, now: f64): void {
  // The first address (of the wanted family), as Node's lookup without autoSelectFamily.
  let r = w.resolveNext(c.resolver, SA);
  while (r == 0 && c.family != 0 && <i32>load<u8>(SA) != c.family) r = w.resolveNext(c.resolver, SA);
  if (r == w.WOULD_BLOCK) return;
  w.pollableDrop(c.pRes); c.pRes = 0;
  w.resolveDrop(c.resolver); c.resolver = 0;
  c.phase = Phase.Idle;
  if (r == w.RESOLVE_DONE) { fail(c, Code.NameUnresolvable); return; }
  if (r < 0) { fail(c, codeOf(r) == Code.InvalidArgument ? Code.NameUnresolvable : codeOf(r)); return; }
  port.onResolved(c.h, SA, now);
}

function readSome(c: Conn, now: f64): void {
  const n = w.inputRead(c.inp, READ_MAX);
  if (n == w.STREAM_CLOSED) {
    c.eof = true;
    port.onEof(c.h, now);
    return;
  }
  if (n == w.STREAM_FAILED) {
    c.eof = true;
    fail(c, Code.ConnectionReset);
    return;
  }
  if (n == 0) return;
  const p = w.readPtr;
  const code = port.onData(c.h, p, <i32>n, now);
  if (code == Code.Deliver) {
    adopt(p);
    pushEventOwned(Ev.Data, c.h, p, <i32>n); // the event list takes the block
  } else {
    freeList(p, <usize>n);
  }
}

function writeSome(c: Conn, now: f64): void {
  let sent = 0;
  while (c.queue.length > 0) {
    const room = w.outputCheckWrite(c.out);
    if (room < 0) {
      port.onWritten(c.h, sent, now);
      fail(c, room == w.STREAM_CLOSED ? Code.ConnectionReset : Code.ConnectionAborted);
      return;
    }
    if (room == 0) break;
    const ch = c.queue[0];
    const left = ch.len - ch.off;
    const n = <i32>min<i64>(room, <i64>left);
    const r = w.outputWrite(c.out, ch.ptr + <usize>ch.off, n);
    if (r < 0) {
      port.onWritten(c.h, sent, now);
      fail(c, Code.ConnectionReset);
      return;
    }
    sent += n;
    ch.off += n;
    if (ch.off == ch.len) {
      heap.free(ch.ptr);
      c.queue.shift();
    }
  }
  if (sent > 0) {
    w.outputFlush(c.out);
    port.onWritten(c.h, sent, now);
  }
  if (c.queue.length == 0 && c.shutdownWanted) closeWrite(c);
}

/** Writes queued by the script go out at once while the streams have room. */
function flushWrites(now: f64): void {
  const vals = conns.values();
  for (let i = 0, k = vals.length; i < k; i++) {
    const c = unchecked(vals[i]);
    if (c.phase == Phase.Open && c.out && c.queue.length > 0) writeSome(c, now);
  }
}

// ---- waiting -------------------------------------------------------------------------

// The wait list, grown to fit: per entry a pollable (PLIST), its connection (OWNER),
// what it waits for (WHAT) and whether poll found it ready (READY).
let waitCap: i32 = 0;
let PLIST: usize = 0;
let READY: usize = 0;
let OWNER: usize = 0;
let WHAT: usize = 0;

/** Room for `n` pollables plus the timer. */
function ensureWait(n: i32): void {
  if (n + 1 <= waitCap) return;
  let cap = waitCap == 0 ? 64 : waitCap;
  while (cap < n + 1) cap <<= 1;
  if (waitCap != 0) {
    heap.free(PLIST); heap.free(READY); heap.free(OWNER); heap.free(WHAT);
  }
  PLIST = heap.alloc(<usize>cap << 2);
  OWNER = heap.alloc(<usize>cap << 2);
  READY = heap.alloc(<usize>cap);
  WHAT = heap.alloc(<usize>cap);
  waitCap = cap;
}

const W_SOCK: u8 = 1, W_IN: u8 = 2, W_OUT: u8 = 3, W_RES: u8 = 4;

/** Pollables of pending work, written to PLIST; returns their count. */
function collect(): i32 {
  let n = 0;
  const vals = conns.values();
  ensureWait(vals.length * 2); // at most an input and an output per connection
  for (let i = 0, k = vals.length; i < k; i++) {
    const c = unchecked(vals[i]);
    if (c.phase == Phase.Idle && port.state(c.h) < 0) {
      // the core freed this handle without an IoClose (closed before any I/O)
      release(c);
      conns.delete(c.h);
      continue;
    }
    if (c.phase == Phase.Resolving && c.pRes) n = add(n, c.pRes, c.h, W_RES);
    if ((c.phase == Phase.Connecting || c.phase == Phase.Listening) && c.pSock) n = add(n, c.pSock, c.h, W_SOCK);
    if (c.phase == Phase.Open) {
      if (c.inp && c.reading && !c.eof) {
        if (!c.pIn) c.pIn = w.inputSubscribe(c.inp);
        n = add(n, c.pIn, c.h, W_IN);
      }
      if (c.out && c.queue.length > 0) {
        if (!c.pOut) c.pOut = w.outputSubscribe(c.out);
        n = add(n, c.pOut, c.h, W_OUT);
      }
    }
  }
  return n;
}

function add(n: i32, p: i32, h: u32, what: u8): i32 {
  store<i32>(PLIST + (<usize>n << 2), p);
  store<u32>(OWNER + (<usize>n << 2), h);
  store<u8>(WHAT + <usize>n, what);
  return n + 1;
}

/**
 * One turn of the loop (world.wit `poll`). timeoutMs: 0 = no wait, < 0 = until
 * something happens (returns at once when nothing can happen).
 */
export function turn(timeoutMs: i32): void {
  let now = nowMs();
  pump();
  flushWrites(now);
  pump();
  let n = collect();
  let wait: f64 = timeoutMs < 0 ? -1 : <f64>timeoutMs;
  const deadline = port.nextDeadline();
  if (deadline >= 0) {
    const d = max<f64>(0, deadline - now);
    wait = wait < 0 ? d : min<f64>(wait, d);
  }
  if (port.pendingEvents()) wait = 0;
  if (n == 0 && wait < 0) return; // nothing can happen
  let timer = 0;
  if (wait >= 0) {
    timer = w.clockSubscribeDuration(<u64>(wait * 1000000.0));
    store<i32>(PLIST + (<usize>n << 2), timer);
    store<u8>(WHAT + <usize>n, 0);
  }
  w.pollList(PLIST, timer ? n + 1 : n, READY);
  if (timer) w.pollableDrop(timer);
  now = nowMs();
  for (let i = 0; i < n; i++) {
    if (load<u8>(READY + <usize>i) == 0) continue;
    const h = load<u32>(OWNER + (<usize>i << 2));
    if (!conns.has(h)) continue; // closed by an earlier completion in this turn
    const c = conns.get(h);
    switch (load<u8>(WHAT + <usize>i)) {
      case W_RES: if (c.phase == Phase.Resolving) finishResolve(c, now); break;
      case W_SOCK:
        if (c.phase == Phase.Connecting) finishConnect(c, now);
        else if (c.phase == Phase.Listening) acceptAll(c, now);
        break;
      case W_IN: if (c.phase == Phase.Open && c.inp && c.reading) readSome(c, now); break;
      case W_OUT: if (c.out) writeSome(c, now); break;
      default: break;
    }
    pump();
  }
  flushWrites(now);
  port.tick(now);
  pump();
}

/** true while records wait, or a connection whose core entry is ref'ed is open or pending */
export function hasRefs(): bool {
  if (port.pendingEvents()) return true; // requests or events not yet polled
  const vals = conns.values();
  for (let i = 0, k = vals.length; i < k; i++) {
    const c = unchecked(vals[i]);
    if (c.phase != Phase.Idle && port.isRefed(c.h) == 1) return true;
  }
  return false;
}
