// The server state machine: listen, accept (bounded queue, maxConnections), close.
// Every state change goes through setServerState() (see wasm/STATES.md).
import { CHECKS } from "./checks";
import { Code, Ev, ServState, Kind, CloseHow } from "./codes";
import { Server, DEFAULT_BACKLOG } from "./entries";
import { tableAdd, tableGet, tableRemove } from "./table";
import { evPush } from "./events";
import { loadHi, loadLo } from "./addr";
import { entriesFull, countServer } from "./limits";
import { socketAccepted, drop, touch } from "./socket";
import * as policy from "./policy";

function legal(from: ServState, to: ServState): bool {
  switch (from) {
    case ServState.Idle: return to == ServState.Binding || to == ServState.Closed;
    case ServState.Binding: return to == ServState.Listening || to == ServState.Idle || to == ServState.Closing;
    case ServState.Listening: return to == ServState.Closing;
    case ServState.Closing: return to == ServState.Closed;
    case ServState.Closed: return false;
  }
  return false;
}

export function setServerState(v: Server, to: ServState): void {
  assert(legal(v.state, to), "illegal server transition");
  v.state = to;
}

export function serv(h: u32): Server | null {
  const e = tableGet(h);
  if (e === null || !e.isServer) return null;
  return changetype<Server>(e);
}

export function serverOpen(kind: i32, allowHalfOpen: bool, pauseOnConnect: bool): i32 {
  if (kind != Kind.Tcp && kind != Kind.Ipc) return -Code.InvalidArgument;
  if (entriesFull()) return -Code.QuotaExceeded;
  const v = new Server();
  v.isServer = true;
  v.kind = <Kind>kind;
  v.allowHalfOpen = allowHalfOpen;
  v.pauseOnConnect = pauseOnConnect;
  const h = tableAdd(v);
  if (h == 0) return -Code.TableFull;
  countServer(1);
  return <i32>h;
}

/** the accept-queue bound; <= 0 means Node's default */
function setBacklog(v: Server, backlog: i32): void {
  v.backlog = backlog > 0 ? backlog : DEFAULT_BACKLOG;
}

export function listenAddress(v: Server, p: usize, family: i32, port: i32, backlog: i32): Code {
  if (v.kind != Kind.Tcp) return Code.InvalidArgument;
  if (v.state != ServState.Idle) return Code.InvalidState;
  const hi = loadHi(p);
  const lo = loadLo(p);
  if (!policy.allowAddress(policy.SET_LISTEN, hi, lo, port, false)) return Code.PolicyDenied;
  setBacklog(v, backlog);
  setLocal(v, p, family, port);
  setServerState(v, ServState.Binding);
  evPush(Ev.IoListen, v.handle, 0, 0);
  return Code.Ok;
}

export function listenPath(v: Server, p: usize, len: i32, backlog: i32): Code {
  if (v.kind != Kind.Ipc) return Code.InvalidArgument;
  if (v.state != ServState.Idle) return Code.InvalidState;
  if (!policy.allowPath(policy.SET_LISTEN, p, len)) return Code.PolicyDenied;
  setBacklog(v, backlog);
  setServerState(v, ServState.Binding);
  evPush(Ev.IoListen, v.handle, 0, 0);
  return Code.Ok;
}

/** the address listened on: 16 bytes at p (checked by the caller) */
function setLocal(v: Server, p: usize, family: i32, port: i32): void {
  v.localHi = loadHi(p);
  v.localLo = loadLo(p);
  v.localPort = <u16>port;
  v.localFamily = <u8>family;
}

/** p: the address bound (checked by the caller), or 0 to keep the one asked for. */
export function onListening(v: Server, p: usize, family: i32, port: i32): Code {
  if (v.state != ServState.Binding) return Code.InvalidState;
  if (p != 0) setLocal(v, p, family, port);
  setServerState(v, ServState.Listening);
  evPush(Ev.Listening, v.handle, 0, 0);
  return Code.Ok;
}

/**
 * A new socket's handle, or a negative Code (the host then closes the connection).
 * p: the remote address (checked by the caller), or 0 when the host passed none.
 */
export function onAccepted(v: Server, p: usize, family: i32, port: i32, now: f64): i32 {
  if (v.state != ServState.Listening) return -Code.InvalidState;
  if (v.pending >= v.backlog) return -Code.WouldBlock; // accept queue full
  if (entriesFull()) return -Code.QuotaExceeded;
  const s = socketAccepted(v, p, family, port);
  if (s === null) return -Code.TableFull;
  if (v.maxConnections >= 0 && v.connections >= v.maxConnections) {
    evPush(Ev.Drop, v.handle, <i32>s.handle, 0);
    drop(s);
    return <i32>s.handle;
  }
  v.connections++;
  v.pending++;
  touch(s, now);
  evPush(Ev.Connection, v.handle, <i32>s.handle, 0);
  if (s.paused) {
    // pauseOnConnect: as Node, do not read from the handle until resume()
    s.readStopped = true;
    evPush(Ev.IoReadStop, s.handle, 0, 0);
  }
  return <i32>s.handle;
}

/** A Connection record left the queue: one less waiting in the accept queue. */
export function connectionDrained(h: u32): void {
  const v = serv(h);
  if (v !== null && v.pending > 0) v.pending--;
}

export function onError(v: Server, code: i32, errno: i32): Code {
  switch (v.state) {
    case ServState.Binding:
      evPush(Ev.Error, v.handle, code, errno);
      setServerState(v, ServState.Idle); // the listen failed; listen may be retried
      return Code.Ok;
    case ServState.Listening:
      evPush(Ev.Error, v.handle, code, errno);
      return Code.Ok;
    case ServState.Idle:
      return Code.InvalidState;
    case ServState.Closing:
    case ServState.Closed:
      return Code.Ok;
  }
  return Code.Ok;
}

export function serverClose(v: Server): Code {
  switch (v.state) {
    case ServState.Idle:
      setServerState(v, ServState.Closed);
      finishServer(v);
      return Code.Ok;
    case ServState.Binding:
    case ServState.Listening:
      setServerState(v, ServState.Closing);
      evPush(Ev.IoClose, v.handle, CloseHow.Now, 0);
      return Code.Ok;
    case ServState.Closing:
    case ServState.Closed:
      return Code.InvalidState;
  }
  return Code.InvalidState;
}

export function onClosed(v: Server): Code {
  if (v.state != ServState.Closing || v.listenerClosed) return Code.InvalidState;
  v.listenerClosed = true;
  maybeFinish(v);
  return Code.Ok;
}

export function setMaxConnections(v: Server, n: i32): Code {
  v.maxConnections = n < 0 ? -1 : n;
  return Code.Ok;
}

/** An accepted socket of server `h` was freed. */
export function connectionGone(h: u32): void {
  const v = serv(h);
  if (v === null) return;
  if (CHECKS) assert(v.connections > 0); // a server outlives its connections
  v.connections--;
  maybeFinish(v);
}

function maybeFinish(v: Server): void {
  if (v.state == ServState.Closing && v.listenerClosed && v.connections == 0) {
    setServerState(v, ServState.Closed);
    finishServer(v);
  }
}

function finishServer(v: Server): void {
  evPush(Ev.ServerClose, v.handle, 0, 0);
  tableRemove(v.handle);
  countServer(-1);
}

export function setRef(v: Server, on: bool): Code {
  v.refed = on;
  if (v.state == ServState.Closing) return Code.Ok;
  evPush(Ev.IoSetOption, v.handle, 4, on ? 1 : 0);
  return Code.Ok;
}
