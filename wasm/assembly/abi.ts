// The core's only exports. Each one decodes its handle, bounds-checks pointers and
// lengths, and returns a Code (negated where the result is otherwise a handle or a
// pointer). Bad input never traps. The ABI is described in wasm/wit/core.wit.
//
// Call order (as quinn-proto): feed inputs (script calls, I/O completions), tick(now)
// when next_deadline() has passed, then pop records with ev_next() until it returns 0.
import { Code, Ev, SockState, LAST_HOST_CODE, Opt } from "./codes";
import { tableInit, tableLive, tableAt, tableCapacity, MAX_CAPACITY } from "./table";
import { evInit, evCount, evHead, evDropHead, evHasRoom } from "./events";
import { storeAddr, loadHi, loadLo } from "./addr";
import * as limits from "./limits";
import * as timers from "./timers";
import * as policy from "./policy";
import * as S from "./socket";
import * as V from "./server";
import { Socket, rbBytes, rbCap, rbEnd, rbStart } from "./entries";
import "./host"; // wasockAbort: the `abort` of this build (asconfig.json `use`)

const SCRATCH_CAP: i32 = 1024;
const MAX_NAME: i32 = 255;

/** where the host writes names, paths and addresses for the next call */
let scratch: usize = 0;
/** where ev_next and the address queries write their answers (32 bytes) */
let out: usize = 0;
/** a read buffer handed over by the last Data record; freed at the next call */
let grant: usize = 0;
let ready: bool = false;

function releaseGrant(): void {
  if (grant != 0) {
    heap.free(grant);
    grant = 0;
  }
}

function inScratch(p: usize, len: i32): bool {
  return len >= 0 && len <= SCRATCH_CAP && p >= scratch && p - scratch <= <usize>(SCRATCH_CAP - len);
}

function badTime(now: f64): bool {
  return !isFinite(now);
}

function badPort(port: i32): bool {
  return port < 0 || port > 65535;
}

function badFamily(f: i32): bool {
  return f != 4 && f != 6;
}

// ---- set-up --------------------------------------------------------------------

/** Once, right after instantiation. Quotas above 2^53 are clamped by the host. */
export function init(capacity: i32, maxSockets: i32, perSocket: f64, total: f64): i32 {
  if (ready) return Code.InvalidState;
  if (capacity < 1 || capacity > MAX_CAPACITY || maxSockets < 0) return Code.InvalidArgument;
  if (!(perSocket >= 0) || !(total >= 0)) return Code.InvalidArgument;
  tableInit(capacity);
  evInit();
  timers.timersInit();
  limits.limitsInit(maxSockets, <i64>min(perSocket, 9.0e15), <i64>min(total, 9.0e15));
  scratch = heap.alloc(<usize>SCRATCH_CAP);
  out = heap.alloc(32);
  ready = true;
  return Code.Ok;
}

export function scratch_ptr(): usize { return scratch; }
export function scratch_cap(): i32 { return SCRATCH_CAP; }
export function out_ptr(): usize { return out; }

/** set: 0 connect, 1 listen. */
export function policy_default(set: i32, allow: i32): i32 {
  if (set != policy.SET_CONNECT && set != policy.SET_LISTEN) return Code.InvalidArgument;
  policy.policyDefault(set, allow != 0);
  return Code.Ok;
}

function badRuleArgs(set: i32, list: i32): bool {
  return (set != policy.SET_CONNECT && set != policy.SET_LISTEN) || (list != policy.LIST_ALLOW && list != policy.LIST_DENY);
}

function badRange(lo: i32, hi: i32): bool {
  return badPort(lo) || badPort(hi) || lo > hi;
}

/** list: 0 allow, 1 deny. Ports are an inclusive range. */
export function policy_add_host(set: i32, list: i32, p: usize, len: i32, lo: i32, hi: i32): i32 {
  if (badRuleArgs(set, list) || badRange(lo, hi) || len < 1 || len > MAX_NAME) return Code.InvalidArgument;
  if (!inScratch(p, len)) return Code.OutOfBounds;
  policy.policyAddHost(set, list, p, len, lo, hi);
  return Code.Ok;
}

/** p: 16 address bytes (IPv4 as ::ffff:a.b.c.d); prefix 0..128 over those bytes. */
export function policy_add_cidr(set: i32, list: i32, p: usize, prefix: i32, lo: i32, hi: i32): i32 {
  if (badRuleArgs(set, list) || badRange(lo, hi) || prefix < 0 || prefix > 128) return Code.InvalidArgument;
  if (!inScratch(p, 16)) return Code.OutOfBounds;
  policy.policyAddCidr(set, list, loadHi(p), loadLo(p), prefix, lo, hi);
  return Code.Ok;
}

export function policy_add_path(set: i32, list: i32, p: usize, len: i32): i32 {
  if (badRuleArgs(set, list) || len < 1) return Code.InvalidArgument;
  if (!inScratch(p, len)) return Code.OutOfBounds;
  policy.policyAddPath(set, list, p, len);
  return Code.Ok;
}

// ---- script calls: sockets -----------------------------------------------------

export function socket_open(kind: i32, allowHalfOpen: i32): i32 {
  releaseGrant();
  return S.socketOpen(kind, allowHalfOpen != 0);
}

export function connect_name(h: u32, p: usize, len: i32, port: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (len < 1 || len > MAX_NAME || badPort(port) || badTime(now)) return Code.InvalidArgument;
  if (!inScratch(p, len)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.connectName(s, p, len, port);
}

export function connect_address(h: u32, p: usize, family: i32, port: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badFamily(family) || badPort(port) || badTime(now)) return Code.InvalidArgument;
  if (!inScratch(p, 16)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.connectAddress(s, p, family, port);
}

export function connect_path(h: u32, p: usize, len: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (len < 1 || badTime(now)) return Code.InvalidArgument;
  if (!inScratch(p, len)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.connectPath(s, p, len);
}

export function write(h: u32, len: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badTime(now)) return Code.InvalidArgument;
  return S.write(s, len, now);
}

/** 1 or 0, or a negative Code */
export function write_needs_drain(h: u32): i32 {
  const s = S.sock(h);
  if (s === null) return -Code.InvalidHandle;
  return s.lastNeedDrain ? 1 : 0;
}

export function end(h: u32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.end(s);
}

export function destroy(h: u32, reset: i32, hadError: i32): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  return S.destroy(s, reset != 0, hadError != 0);
}

export function pause(h: u32): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  return S.pause(s);
}

export function resume(h: u32): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.resume(s);
}

export function set_timeout(h: u32, ms: f64, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badTime(now)) return Code.InvalidArgument;
  return S.setTimeoutMs(s, ms, now);
}

/** opt: 1 noDelay, 2 keepAlive, 3 keepAlive delay (ms), 4 ref; on sockets and (ref) servers */
export function set_option(h: u32, opt: i32, v: i32): i32 {
  releaseGrant();
  const s = S.sock(h);
  const srv = s === null ? V.serv(h) : null;
  if (s === null && srv === null) return Code.InvalidHandle;
  if (opt < Opt.NoDelay || opt > Opt.Ref) return Code.InvalidArgument;
  if (!evHasRoom()) return Code.WouldBlock;
  if (s !== null) return S.setOption(s, <Opt>opt, v);
  if (opt != Opt.Ref) return Code.InvalidArgument;
  return V.setRef(srv!, v != 0);
}

export function set_high_water_mark(h: u32, n: i32): i32 {
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  return S.setHighWaterMark(s, n);
}

// ---- script calls: servers -----------------------------------------------------

export function server_open(kind: i32, allowHalfOpen: i32, pauseOnConnect: i32): i32 {
  releaseGrant();
  return V.serverOpen(kind, allowHalfOpen != 0, pauseOnConnect != 0);
}

export function listen_address(h: u32, p: usize, family: i32, port: i32, backlog: i32): i32 {
  releaseGrant();
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  if (badFamily(family) || badPort(port)) return Code.InvalidArgument;
  if (!inScratch(p, 16)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return V.listenAddress(v, p, family, port, backlog);
}

export function listen_path(h: u32, p: usize, len: i32, backlog: i32): i32 {
  releaseGrant();
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  if (len < 1) return Code.InvalidArgument;
  if (!inScratch(p, len)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return V.listenPath(v, p, len, backlog);
}

export function server_close(h: u32): i32 {
  releaseGrant();
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  if (!evHasRoom()) return Code.WouldBlock;
  return V.serverClose(v);
}

export function set_max_connections(h: u32, n: i32): i32 {
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  return V.setMaxConnections(v, n);
}

// ---- I/O completions -----------------------------------------------------------

/** An optional address argument: p = 0 (none), or 16 bytes in scratch with its family and port. */
function checkAddr(p: usize, family: i32, port: i32): Code {
  if (p == 0) return Code.Ok;
  if (!inScratch(p, 16)) return Code.OutOfBounds;
  if (badFamily(family) || badPort(port)) return Code.InvalidArgument;
  return Code.Ok;
}

export function on_resolved(h: u32, p: usize, family: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badFamily(family) || badTime(now)) return Code.InvalidArgument;
  if (!inScratch(p, 16)) return Code.OutOfBounds;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.onResolved(s, p, family);
}

export function on_connected(h: u32, p: usize, family: i32, port: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badTime(now)) return Code.InvalidArgument;
  const bad = checkAddr(p, family, port);
  if (bad != Code.Ok) return bad;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.onConnected(s, p, family, port, now);
}

export function on_listening(h: u32, p: usize, family: i32, port: i32): i32 {
  releaseGrant();
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  const bad = checkAddr(p, family, port);
  if (bad != Code.Ok) return bad;
  if (!evHasRoom()) return Code.WouldBlock;
  return V.onListening(v, p, family, port);
}

/** The accepted socket's handle, or a negative Code (the host closes the connection). */
export function on_accepted(h: u32, p: usize, family: i32, port: i32, now: f64): i32 {
  releaseGrant();
  const v = V.serv(h);
  if (v === null) return -Code.InvalidHandle;
  if (badTime(now)) return -Code.InvalidArgument;
  const bad = checkAddr(p, family, port);
  if (bad != Code.Ok) return -bad;
  if (!evHasRoom()) return -Code.WouldBlock;
  return V.onAccepted(v, p, family, port, now);
}

/**
 * `len` bytes arrived: 0 = the host delivers them itself; > 0 = copy them to this
 * address before any other call; < 0 = a negated Code.
 */
export function data_in(h: u32, len: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return -Code.InvalidHandle;
  if (badTime(now)) return -Code.InvalidArgument;
  if (!evHasRoom()) return -Code.WouldBlock;
  return S.dataIn(s, len, now);
}

export function on_eof(h: u32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badTime(now)) return Code.InvalidArgument;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.onEof(s);
}

export function on_written(h: u32, len: i32, now: f64): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s === null) return Code.InvalidHandle;
  if (badTime(now)) return Code.InvalidArgument;
  if (!evHasRoom()) return Code.WouldBlock;
  return S.onWritten(s, len, now);
}

export function on_error(h: u32, code: i32, errno: i32): i32 {
  releaseGrant();
  const s = S.sock(h);
  const srv = s === null ? V.serv(h) : null;
  if (s === null && srv === null) return Code.InvalidHandle;
  if (code < 1 || code > LAST_HOST_CODE) return Code.InvalidArgument;
  if (!evHasRoom()) return Code.WouldBlock;
  if (s !== null) return S.onError(s, code, errno);
  return V.onError(srv!, code, errno);
}

export function on_closed(h: u32): i32 {
  releaseGrant();
  const s = S.sock(h);
  if (s !== null) return S.onClosed(s);
  const v = V.serv(h);
  if (v === null) return Code.InvalidHandle;
  return V.onClosed(v);
}

// ---- time ----------------------------------------------------------------------

export function tick(now: f64): void {
  releaseGrant();
  if (badTime(now)) return;
  const b = timers.nextDeadline();
  if (b < 0 || b > now) return;
  let next: f64 = -1;
  for (let i = 0, n = tableCapacity(); i < n; i++) {
    const e = tableAt(i);
    if (e === null || e.isServer) continue;
    const s = changetype<Socket>(e);
    if (s.deadline < 0) continue;
    const d = evHasRoom() ? S.fireTimer(s, now) : s.deadline; // full queue: fire later
    if (d >= 0 && (next < 0 || d < next)) next = d;
  }
  timers.setBound(next);
}

/** ms of the earliest armed timer (may be early), or -1 */
export function next_deadline(): f64 {
  return timers.nextDeadline();
}

// ---- outputs -------------------------------------------------------------------

function writeOut(kind: i32, h: u32, a: i32, b: i32): i32 {
  store<i32>(out, kind);
  store<u32>(out, h, 4);
  store<i32>(out, a, 8);
  store<i32>(out, b, 12);
  return kind;
}

/**
 * Pops the next record into out_ptr() and returns its kind, or 0 when none waits.
 * A Data record's bytes stay valid until the next call into the core.
 */
export function ev_next(): i32 {
  releaseGrant();
  while (evCount() > 0) {
    const p = evHead();
    const kind = load<i32>(p);
    const h = load<u32>(p, 4);
    if (kind == Ev.Flush) {
      const s = S.sock(h);
      if (s === null) {
        evDropHead();
        continue;
      }
      if (s.paused || s.state == SockState.Closing) {
        s.flushQueued = false; // resume() queues another
        evDropHead();
        continue;
      }
      const len = s.readLen();
      if (len > 0) {
        const ptr = rbBytes(s.rbuf) + <usize>rbStart(s.rbuf);
        grant = S.grantReadBuffer(s);
        return writeOut(Ev.Data, h, <i32>ptr, len); // the Flush record stays at the head
      }
      evDropHead();
      S.afterFlush(s);
      if (s.eofPending) {
        s.eofPending = false;
        writeOut(Ev.End, h, 0, 0);
        S.deliverEndTransitions(s);
        return Ev.End;
      }
      continue;
    }
    writeOut(kind, h, load<i32>(p, 8), load<i32>(p, 12));
    evDropHead();
    if (kind == Ev.Connection) V.connectionDrained(h);
    return kind;
  }
  return 0;
}

export function pending_records(): i32 {
  return evCount();
}

// ---- queries -------------------------------------------------------------------

/** SocketState or ServerState, or a negative Code */
export function state(h: u32): i32 {
  const s = S.sock(h);
  if (s !== null) return s.state;
  const v = V.serv(h);
  if (v !== null) return v.state;
  return -Code.InvalidHandle;
}

/** 1 for a server handle, 0 for a socket, or a negative Code */
export function is_server(h: u32): i32 {
  if (S.sock(h) !== null) return 0;
  if (V.serv(h) !== null) return 1;
  return -Code.InvalidHandle;
}

export function bytes_read(h: u32): f64 {
  const s = S.sock(h);
  return s === null ? -Code.InvalidHandle : <f64>s.bytesRead;
}

export function bytes_written(h: u32): f64 {
  const s = S.sock(h);
  return s === null ? -Code.InvalidHandle : <f64>s.bytesWritten;
}

export function buffer_size(h: u32): i32 {
  const s = S.sock(h);
  return s === null ? -Code.InvalidHandle : s.queued;
}

export function read_buffered(h: u32): i32 {
  const s = S.sock(h);
  return s === null ? -Code.InvalidHandle : s.readLen();
}

/** Writes the address at out_ptr() (16 bytes, u16 port, u8 family); returns the family, or 0 for none. */
function putAddr(hi: u64, lo: u64, port: i32, family: i32): i32 {
  if (family == 0) return 0;
  storeAddr(out, hi, lo, port, family);
  return family;
}

/** the family (address at out_ptr()), 0 for none, or a negative Code */
export function peer_address(h: u32): i32 {
  const s = S.sock(h);
  if (s === null) return -Code.InvalidHandle;
  const e = s.ends;
  return e === null ? 0 : putAddr(e.peerHi, e.peerLo, e.peerPort, e.peerFamily);
}

/** as peer_address, for sockets and servers */
export function local_address(h: u32): i32 {
  const s = S.sock(h);
  if (s !== null) {
    const e = s.ends;
    return e === null ? 0 : putAddr(e.localHi, e.localLo, e.localPort, e.localFamily);
  }
  const v = V.serv(h);
  if (v === null) return -Code.InvalidHandle;
  return putAddr(v.localHi, v.localLo, v.localPort, v.localFamily);
}

export function connections(h: u32): i32 {
  const v = V.serv(h);
  return v === null ? -Code.InvalidHandle : v.connections;
}

export function is_refed(h: u32): i32 {
  const s = S.sock(h);
  if (s !== null) return s.refed ? 1 : 0;
  const v = V.serv(h);
  if (v === null) return -Code.InvalidHandle;
  return v.refed ? 1 : 0;
}

/** 0 sockets, 1 servers, 2 buffered bytes, 3 bytes read, 4 bytes written */
export function stat(which: i32): f64 {
  switch (which) {
    case 0: return <f64>limits.sockets;
    case 1: return <f64>limits.servers;
    case 2: return <f64>limits.buffered;
    case 3: return <f64>limits.totalRead;
    case 4: return <f64>limits.totalWritten;
  }
  return -1;
}

export function live_handles(): i32 {
  return tableLive();
}

/** The live handle in slot `idx`, or 0 (leak reports and tests walk the table). */
export function handle_at(idx: i32): u32 {
  if (idx < 0 || idx >= tableCapacity()) return 0;
  const e = tableAt(idx);
  return e === null ? 0 : e.handle;
}

/**
 * Walks the table and checks the invariants the counters rely on: live entries, socket
 * and server counts, buffered bytes, and each server's connection count. Returns the
 * number of entries checked; a broken invariant is fatal (the host import throws).
 */
export function check_invariants(): i32 {
  let live = 0;
  let sockets = 0;
  let buffered: i64 = 0;
  const n = tableCapacity();
  for (let i = 0; i < n; i++) {
    const e = tableAt(i);
    if (e === null) continue;
    live++;
    assert((e.handle & 0xffff) == <u32>i, "handle names another slot");
    if (e.isServer) continue;
    sockets++;
    const s = changetype<Socket>(e);
    const b = s.rbuf;
    assert(s.queued >= 0, "queued bytes");
    assert(b == 0 || (rbStart(b) >= 0 && rbStart(b) <= rbEnd(b) && rbEnd(b) <= rbCap(b)), "buffer bounds");
    buffered += <i64>s.queued + s.readLen();
  }
  for (let i = 0; i < n; i++) {
    const e = tableAt(i);
    if (e === null || !e.isServer) continue;
    let conns = 0;
    for (let j = 0; j < n; j++) {
      const f = tableAt(j);
      if (f === null || f.isServer) continue;
      const s = changetype<Socket>(f);
      if (s.server == e.handle && !s.dropped) conns++;
    }
    assert(V.serv(e.handle)!.connections == conns, "server connection count");
  }
  assert(live == tableLive(), "live count");
  assert(sockets == limits.sockets && live - sockets == limits.servers, "socket and server counts");
  assert(buffered == limits.buffered, "buffered bytes");
  return live;
}
