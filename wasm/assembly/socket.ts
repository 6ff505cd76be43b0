// The socket state machine: script calls and I/O completions on sockets.
// Every state change goes through setState(), which asserts the transition is legal
// (see wasm/STATES.md). Calls in the wrong state return InvalidState; they never trap.
import { CHECKS } from "./checks";
import { Code, Ev, SockState, Role, Kind, CloseHow, Opt } from "./codes";
import { Socket, Server, rbAlloc, rbBytes, rbCap, rbEnd, rbSet, rbStart } from "./entries";
import { tableAdd, tableGet, tableRemove } from "./table";
import { evPush } from "./events";
import { loadHi, loadLo } from "./addr";
import {
  entriesFull, fits, addBuffered, countSocket, countRead, countWritten,
} from "./limits";
import { noteDeadline } from "./timers";
import { connectionGone } from "./server";
import * as policy from "./policy";

/** the read buffer never exceeds max(4 * hwm, this), whatever the quotas say */
const READ_CAP_MIN: i32 = 1 << 20;

/** hwm <= 2^28 (setHighWaterMark clamps), so this is <= 2^30 */
function readCap(s: Socket): i32 {
  return max(s.hwm << 2, READ_CAP_MIN);
}

function legal(from: SockState, to: SockState): bool {
  switch (from) {
    case SockState.Idle: return to == SockState.Resolving || to == SockState.Connecting || to == SockState.Closed;
    case SockState.Resolving: return to == SockState.Connecting || to == SockState.Closed;
    case SockState.Connecting: return to == SockState.Open || to == SockState.Closing || to == SockState.Closed;
    case SockState.Open:
      return to == SockState.ReadOnly || to == SockState.WriteOnly || to == SockState.Closing || to == SockState.Closed;
    case SockState.ReadOnly: return to == SockState.Closing || to == SockState.Closed;
    case SockState.WriteOnly: return to == SockState.Closing || to == SockState.Closed;
    case SockState.Closing: return to == SockState.Closed;
    case SockState.Closed: return false;
  }
  return false;
}

export function setState(s: Socket, to: SockState): void {
  assert(legal(s.state, to), "illegal socket transition");
  s.state = to;
  if (to == SockState.Closing || to == SockState.Closed) s.deadline = -1;
}

/** The socket a handle names, or null (stale, forged, free, or a server). */
export function sock(h: u32): Socket | null {
  const e = tableGet(h);
  if (e === null || e.isServer) return null;
  return changetype<Socket>(e);
}

// ---- creation ----------------------------------------------------------------

/** A new socket's handle, or a negative Code. */
export function socketOpen(kind: i32, allowHalfOpen: bool): i32 {
  if (kind != Kind.Tcp && kind != Kind.Ipc) return -Code.InvalidArgument;
  if (entriesFull()) return -Code.QuotaExceeded;
  const s = new Socket();
  s.kind = <Kind>kind;
  s.allowHalfOpen = allowHalfOpen;
  const h = tableAdd(s);
  if (h == 0) return -Code.TableFull;
  countSocket(1);
  return <i32>h;
}

/**
 * An accepted socket, born Open, or null when the table is full. p: the remote
 * address (16 bytes, checked by the caller), or 0 when the host passed none.
 */
export function socketAccepted(srv: Server, p: usize, family: i32, port: i32): Socket | null {
  const s = new Socket();
  s.kind = srv.kind;
  s.role = Role.Accepted;
  s.allowHalfOpen = srv.allowHalfOpen;
  s.paused = srv.pauseOnConnect;
  s.state = SockState.Open; // birth state of accepted sockets (STATES.md)
  s.server = srv.handle;
  if (tableAdd(s) == 0) return null;
  if (p != 0) s.endsOrNew().setPeer(loadHi(p), loadLo(p), port, family);
  countSocket(1);
  return s;
}

// ---- timers --------------------------------------------------------------------

/** Activity: re-arms the idle timeout. */
export function touch(s: Socket, now: f64): void {
  if (s.timeoutMs > 0) {
    s.deadline = now + s.timeoutMs;
    noteDeadline(s.deadline);
  }
}

export function setTimeoutMs(s: Socket, ms: f64, now: f64): Code {
  if (!(ms >= 0) || ms == Infinity) return Code.InvalidArgument;
  if (s.state == SockState.Closing) return Code.Ok;
  s.timeoutMs = ms;
  s.deadline = -1;
  touch(s, now);
  return Code.Ok;
}

/** Fires the timeout if due; returns the deadline still armed, or -1. */
export function fireTimer(s: Socket, now: f64): f64 {
  if (s.deadline < 0) return -1;
  if (s.deadline > now) return s.deadline;
  s.deadline = -1; // one-shot until the next activity, as Node's socket timer
  evPush(Ev.Timeout, s.handle, 0, 0);
  return -1;
}

// ---- connect -------------------------------------------------------------------

function connectable(s: Socket): Code {
  if (s.role != Role.Client) return Code.InvalidState;
  switch (s.state) {
    case SockState.Idle: return Code.Ok;
    case SockState.Resolving:
    case SockState.Connecting:
    case SockState.Open:
    case SockState.ReadOnly:
    case SockState.WriteOnly:
    case SockState.Closing:
    case SockState.Closed:
      return Code.InvalidState;
  }
  return Code.InvalidState;
}

export function connectName(s: Socket, p: usize, len: i32, port: i32): Code {
  const c = connectable(s);
  if (c != Code.Ok) return c;
  if (s.kind != Kind.Tcp) return Code.InvalidArgument;
  const v = policy.checkName(policy.SET_CONNECT, p, len, port);
  if (v == policy.Verdict.Denied) return Code.PolicyDenied;
  if (v == policy.Verdict.Undecided && !policy.mayAllowAddress(policy.SET_CONNECT, port)) return Code.PolicyDenied;
  s.nameAllowed = v == policy.Verdict.Allowed;
  s.endsOrNew().peerPort = <u16>port; // family 0 (no address) until onResolved
  setState(s, SockState.Resolving);
  evPush(Ev.IoResolve, s.handle, port, 0);
  return Code.Ok;
}

export function connectAddress(s: Socket, p: usize, family: i32, port: i32): Code {
  const c = connectable(s);
  if (c != Code.Ok) return c;
  if (s.kind != Kind.Tcp) return Code.InvalidArgument;
  const hi = loadHi(p);
  const lo = loadLo(p);
  if (!policy.allowAddress(policy.SET_CONNECT, hi, lo, port, false)) return Code.PolicyDenied;
  s.endsOrNew().setPeer(hi, lo, port, family);
  setState(s, SockState.Connecting);
  evPush(Ev.IoConnect, s.handle, 0, 0);
  return Code.Ok;
}

export function connectPath(s: Socket, p: usize, len: i32): Code {
  const c = connectable(s);
  if (c != Code.Ok) return c;
  if (s.kind != Kind.Ipc) return Code.InvalidArgument;
  if (!policy.allowPath(policy.SET_CONNECT, p, len)) return Code.PolicyDenied;
  setState(s, SockState.Connecting);
  evPush(Ev.IoConnect, s.handle, 0, 0);
  return Code.Ok;
}

export function onResolved(s: Socket, p: usize, family: i32): Code {
  if (s.state != SockState.Resolving) return Code.InvalidState;
  const e = s.ends!; // connectName gave it the port
  e.setPeer(loadHi(p), loadLo(p), e.peerPort, family);
  if (!policy.allowAddress(policy.SET_CONNECT, e.peerHi, e.peerLo, e.peerPort, s.nameAllowed)) {
    evPush(Ev.Error, s.handle, Code.PolicyDenied, 0);
    destroy(s, false, true);
    return Code.PolicyDenied;
  }
  setState(s, SockState.Connecting);
  evPush(Ev.Lookup, s.handle, family, 0);
  evPush(Ev.IoConnect, s.handle, 0, 0);
  return Code.Ok;
}

/** p: the local address (16 bytes, checked by the caller), or 0 when unknown. */
export function onConnected(s: Socket, p: usize, family: i32, port: i32, now: f64): Code {
  if (s.state != SockState.Connecting) return Code.InvalidState;
  if (p != 0) s.endsOrNew().setLocal(loadHi(p), loadLo(p), port, family);
  setState(s, SockState.Open);
  touch(s, now);
  evPush(Ev.Connect, s.handle, 0, 0);
  if (s.endRequested) end(s);
  return Code.Ok;
}

// ---- writes --------------------------------------------------------------------

export function write(s: Socket, len: i32, now: f64): Code {
  if (len < 0) return Code.InvalidArgument;
  switch (s.state) {
    case SockState.Resolving:
    case SockState.Connecting:
    case SockState.Open:
    case SockState.WriteOnly:
      break;
    case SockState.Idle:
    case SockState.ReadOnly:
    case SockState.Closing:
    case SockState.Closed:
      return Code.InvalidState;
  }
  if (s.endRequested) return Code.InvalidState;
  if (!fits(<i64>s.queued + s.readLen(), len)) return Code.QuotaExceeded;
  s.queued += len;
  addBuffered(len);
  s.bytesWritten += <u64>len;
  countWritten(len);
  touch(s, now);
  s.lastNeedDrain = s.queued >= s.hwm;
  if (s.lastNeedDrain) s.needDrain = true;
  return Code.Ok;
}

export function onWritten(s: Socket, len: i32, now: f64): Code {
  if (len < 0 || len > s.queued) return Code.InvalidArgument;
  s.queued -= len;
  addBuffered(-len);
  touch(s, now);
  if (s.queued == 0) {
    if (s.needDrain) {
      s.needDrain = false;
      evPush(Ev.Drain, s.handle, 0, 0);
    }
    if (s.closeAfterFlush && !s.closeQueued) queueClose(s, CloseHow.Graceful);
  }
  return Code.Ok;
}

function queueClose(s: Socket, how: CloseHow): void {
  s.closeQueued = true;
  evPush(Ev.IoClose, s.handle, how, 0);
}

/** Both directions are done: close once every queued byte is written. */
function bothEnded(s: Socket): void {
  setState(s, SockState.Closing);
  if (s.queued == 0) queueClose(s, CloseHow.Graceful);
  else s.closeAfterFlush = true;
}

export function end(s: Socket): Code {
  switch (s.state) {
    case SockState.Idle:
      return Code.InvalidState;
    case SockState.Resolving:
    case SockState.Connecting:
      s.endRequested = true;
      return Code.Ok;
    case SockState.Open:
      evPush(Ev.IoShutdown, s.handle, 0, 0);
      setState(s, SockState.ReadOnly);
      return Code.Ok;
    case SockState.WriteOnly:
      evPush(Ev.IoShutdown, s.handle, 0, 0);
      bothEnded(s);
      return Code.Ok;
    case SockState.ReadOnly:
    case SockState.Closing:
    case SockState.Closed:
      return Code.Ok; // already ended: Node's end() is idempotent
  }
  return Code.Ok;
}

// ---- reads ---------------------------------------------------------------------

/** The peer's FIN reaches the script: End, then the half-open rules. */
export function deliverEndTransitions(s: Socket): void {
  switch (s.state) {
    case SockState.Open:
      if (s.allowHalfOpen) {
        setState(s, SockState.WriteOnly);
      } else {
        // Node ends our side too when allowHalfOpen is false
        evPush(Ev.IoShutdown, s.handle, 0, 0);
        bothEnded(s);
      }
      return;
    case SockState.ReadOnly:
      bothEnded(s);
      return;
    case SockState.Idle:
    case SockState.Resolving:
    case SockState.Connecting:
    case SockState.WriteOnly:
    case SockState.Closing:
    case SockState.Closed:
      return; // destroyed meanwhile (Closing) or not reachable: nothing to do
  }
}

function readable(s: Socket): bool {
  switch (s.state) {
    case SockState.Open:
    case SockState.ReadOnly:
      return !s.eofSeen;
    case SockState.Idle:
    case SockState.Resolving:
    case SockState.Connecting:
    case SockState.WriteOnly:
    case SockState.Closing:
    case SockState.Closed:
      return false;
  }
  return false;
}

/**
 * `len` bytes arrived. Returns 0 when the host delivers them itself (flowing, nothing
 * buffered), a pointer where the host must copy them now, or a negative Code.
 */
export function dataIn(s: Socket, len: i32, now: f64): i32 {
  if (len <= 0) return -Code.InvalidArgument;
  if (!readable(s)) return -Code.InvalidState;
  s.bytesRead += <u64>len;
  countRead(len);
  touch(s, now);
  const held = s.readLen();
  if (!s.paused && held == 0 && !s.flushQueued) return 0;
  if (<i64>held + len > <i64>readCap(s) || !fits(<i64>s.queued + held, len)) {
    evPush(Ev.Error, s.handle, Code.QuotaExceeded, 0);
    destroy(s, false, true);
    return -Code.QuotaExceeded;
  }
  const dst = readAppend(s, len);
  addBuffered(len);
  if (s.readLen() >= s.hwm && !s.readStopped) {
    s.readStopped = true;
    evPush(Ev.IoReadStop, s.handle, 0, 0);
  }
  return <i32>dst;
}

/** Reserves `len` bytes at the end of the read buffer (allocated on demand). */
function readAppend(s: Socket, len: i32): usize {
  let b = s.rbuf;
  if (b == 0) {
    b = rbAlloc(max(len, 1024));
    s.rbuf = b;
  } else if (rbEnd(b) + len > rbCap(b)) {
    const used = s.readLen();
    const from = rbBytes(b) + <usize>rbStart(b);
    if (used + len <= rbCap(b)) {
      memory.copy(rbBytes(b), from, <usize>used);
    } else {
      const c = <i32>min(max(<i64>rbCap(b) << 1, <i64>(used + len)), <i64>readCap(s)); // used + len <= readCap
      const nb = rbAlloc(c);
      memory.copy(rbBytes(nb), from, <usize>used);
      heap.free(b);
      s.rbuf = b = nb;
    }
    rbSet(b, 0, used);
  }
  const end = rbEnd(b);
  rbSet(b, rbStart(b), end + len);
  return rbBytes(b) + <usize>end;
}

function dropReadBuffer(s: Socket): void {
  if (s.rbuf != 0) {
    addBuffered(-s.readLen());
    heap.free(s.rbuf);
    s.rbuf = 0;
  }
}

/**
 * Hands the whole read buffer over for a Data record: the block is detached from the
 * socket and freed at the next core call (see abi.ts releaseGrant).
 */
export function grantReadBuffer(s: Socket): usize {
  const block = s.rbuf;
  addBuffered(-s.readLen());
  s.rbuf = 0;
  return block;
}

export function onEof(s: Socket): Code {
  if (s.state == SockState.Closing) return Code.Ok; // destroyed meanwhile
  if (!readable(s)) return Code.InvalidState;
  s.eofSeen = true;
  if (!s.paused && s.readLen() == 0 && !s.flushQueued) {
    evPush(Ev.End, s.handle, 0, 0);
    deliverEndTransitions(s);
  } else {
    s.eofPending = true;
  }
  return Code.Ok;
}

export function pause(s: Socket): Code {
  s.paused = true;
  return Code.Ok;
}

export function resume(s: Socket): Code {
  s.paused = false;
  if (s.state == SockState.Closing) return Code.Ok;
  if ((s.readLen() > 0 || s.eofPending) && !s.flushQueued) {
    s.flushQueued = true;
    evPush(Ev.Flush, s.handle, 0, 0);
  } else if (s.readStopped && !s.flushQueued) {
    s.readStopped = false;
    evPush(Ev.IoReadStart, s.handle, 0, 0);
  }
  return Code.Ok;
}

/** After a Flush emptied the buffer of a flowing socket. */
export function afterFlush(s: Socket): void {
  s.flushQueued = false;
  if (s.readStopped && !s.eofSeen) {
    s.readStopped = false;
    evPush(Ev.IoReadStart, s.handle, 0, 0);
  }
}

// ---- options -------------------------------------------------------------------

export function setOption(s: Socket, opt: Opt, v: i32): Code {
  switch (opt) {
    case Opt.NoDelay: s.noDelay = v != 0; break;
    case Opt.KeepAlive: s.keepAlive = v != 0; break;
    case Opt.KeepAliveDelayMs: break;
    case Opt.Ref: s.refed = v != 0; break;
  }
  if (s.state == SockState.Closing) return Code.Ok;
  evPush(Ev.IoSetOption, s.handle, opt, v);
  return Code.Ok;
}

export function setHighWaterMark(s: Socket, n: i32): Code {
  if (n < 0) return Code.InvalidArgument;
  s.hwm = min(n, 1 << 28); // keeps 4 * hwm (the read cap) in range
  return Code.Ok;
}

// ---- teardown ------------------------------------------------------------------

/** destroy(): drops both buffers and asks the host to close. */
export function destroy(s: Socket, reset: bool, hadError: bool): Code {
  if (hadError) s.hadError = true;
  dropReadBuffer(s);
  addBuffered(-s.queued);
  s.queued = 0;
  s.needDrain = false;
  switch (s.state) {
    case SockState.Idle:
    case SockState.Resolving:
      // no OS socket yet (a pending lookup's answer will meet a stale handle)
      setState(s, SockState.Closed);
      finish(s);
      return Code.Ok;
    case SockState.Connecting:
    case SockState.Open:
    case SockState.ReadOnly:
    case SockState.WriteOnly:
      setState(s, SockState.Closing);
      queueClose(s, reset ? CloseHow.Reset : CloseHow.Now);
      return Code.Ok;
    case SockState.Closing:
      if (!s.closeQueued) queueClose(s, reset ? CloseHow.Reset : CloseHow.Now);
      return Code.Ok;
    case SockState.Closed:
      return Code.Ok;
  }
  return Code.Ok;
}

export function onError(s: Socket, code: i32, errno: i32): Code {
  switch (s.state) {
    case SockState.Idle:
      return Code.InvalidState;
    case SockState.Closing:
    case SockState.Closed:
      return Code.Ok; // after destroy: Node drops late errors
    case SockState.Resolving:
    case SockState.Connecting:
    case SockState.Open:
    case SockState.ReadOnly:
    case SockState.WriteOnly:
      evPush(Ev.Error, s.handle, code, errno);
      destroy(s, false, true);
      return Code.Ok;
  }
  return Code.Ok;
}

export function onClosed(s: Socket): Code {
  switch (s.state) {
    case SockState.Idle:
    case SockState.Resolving:
    case SockState.Closed:
      return Code.InvalidState;
    case SockState.Connecting:
    case SockState.Open:
    case SockState.ReadOnly:
    case SockState.WriteOnly:
    case SockState.Closing:
      break;
  }
  // the OS socket is gone (asked for, or on its own): nothing more is read or written
  dropReadBuffer(s);
  addBuffered(-s.queued);
  s.queued = 0;
  setState(s, SockState.Closed);
  finish(s);
  return Code.Ok;
}

/** Queues Close and frees the slot (Closed is terminal). */
function finish(s: Socket): void {
  if (CHECKS) assert(s.rbuf == 0 && s.queued == 0); // buffers released before the slot
  if (!s.dropped) evPush(Ev.Close, s.handle, s.hadError ? 1 : 0, 0);
  const server = s.server;
  const dropped = s.dropped;
  tableRemove(s.handle);
  countSocket(-1);
  if (s.role == Role.Accepted && !dropped) connectionGone(server);
}

/** Accepted socket refused by maxConnections: closed without Close. */
export function drop(s: Socket): void {
  s.dropped = true;
  setState(s, SockState.Closing);
  queueClose(s, CloseHow.Now);
}
