// The component's port onto the core: calls the core's own exports (wasm/assembly/
// abi.ts, the raw ABI of wasm/wit/) exactly as an outside host would, through the
// scratch area and the out record, so every check of the raw ABI applies here too.
//
// Addresses in the driver's form (wasi.ts SA, 20 bytes: family, port, 16 bytes with
// IPv4 in the first 4) are converted to the core's form (16 bytes, IPv4 as
// ::ffff:a.b.c.d, then port and family as separate arguments).
import * as abi from "../assembly/abi";
import { Code } from "../assembly/codes";

export const DEFAULT_CAPACITY: i32 = 4096;
const UNLIMITED: f64 = 9.0e15;

let ready: bool = false;
/** a socket or server was opened: the configuration is frozen */
export let frozen: bool = false;

/** Initialises the core with defaults unless configure() did. */
export function ensure(): void {
  if (ready) return;
  abi.init(DEFAULT_CAPACITY, DEFAULT_CAPACITY, UNLIMITED, UNLIMITED);
  ready = true;
}

/** 0 for the quotas means unlimited. Returns a Code. */
export function configure(capacity: i32, maxSockets: i32, perSocket: f64, total: f64): i32 {
  if (frozen || ready) return Code.InvalidState;
  if (capacity < 1 || capacity > 65535) return Code.InvalidArgument;
  const r = abi.init(capacity, maxSockets > 0 ? maxSockets : capacity,
    perSocket > 0 ? perSocket : UNLIMITED, total > 0 ? total : UNLIMITED);
  if (r == Code.Ok) ready = true;
  return r;
}

export function freeze(): void {
  ensure();
  frozen = true;
}

/** Copies `len` bytes to the core's scratch area; 0 when they do not fit. */
export function toScratch(src: usize, len: i32): usize {
  ensure();
  if (len < 0 || len > abi.scratch_cap()) return 0;
  const s = abi.scratch_ptr();
  memory.copy(s, src, <usize>len);
  return s;
}

/** Writes the 16 core address bytes of a driver address `sa` to scratch. */
function saToScratch(sa: usize): usize {
  ensure();
  const s = abi.scratch_ptr();
  if (load<u8>(sa) == 4) {
    memory.fill(s, 0, 10);
    store<u8>(s, 0xff, 10);
    store<u8>(s, 0xff, 11);
    memory.copy(s + 12, sa + 4, 4);
  } else {
    memory.copy(s, sa + 4, 16);
  }
  return s;
}

function saFamily(sa: usize): i32 { return <i32>load<u8>(sa); }
function saPort(sa: usize): i32 { return <i32>load<u16>(sa, 2); }

/** Reads the core's out record (16 bytes, port u16 @16, family u8 @18) into `sa`. */
function outToSa(sa: usize): bool {
  const o = abi.out_ptr();
  const fam = load<u8>(o, 18);
  if (fam != 4 && fam != 6) return false;
  memory.fill(sa, 0, 20);
  store<u8>(sa, fam);
  store<u16>(sa, load<u16>(o, 16), 2);
  if (fam == 4) memory.copy(sa + 4, o + 12, 4);
  else memory.copy(sa + 4, o, 16);
  return true;
}

// ---- policy --------------------------------------------------------------------

export function policyDefault(set: i32, allow: bool): i32 {
  if (frozen) return Code.InvalidState;
  ensure();
  return abi.policy_default(set, allow ? 1 : 0);
}

export function policyAddHost(set: i32, list: i32, p: usize, len: i32, lo: i32, hi: i32): i32 {
  if (frozen) return Code.InvalidState;
  const s = toScratch(p, len);
  if (s == 0) return Code.InvalidArgument;
  return abi.policy_add_host(set, list, s, len, lo, hi);
}

export function policyAddCidr(set: i32, list: i32, sa: usize, prefix: i32, lo: i32, hi: i32): i32 {
  if (frozen) return Code.InvalidState;
  // the core's prefix counts bits of the 16-byte form: IPv4 sits behind 96 bits
  const fam = saFamily(sa);
  if (fam == 4 && prefix > 32) return Code.InvalidArgument;
  return abi.policy_add_cidr(set, list, saToScratch(sa), fam == 4 ? prefix + 96 : prefix, lo, hi);
}

export function policyAddPath(set: i32, list: i32, p: usize, len: i32): i32 {
  if (frozen) return Code.InvalidState;
  const s = toScratch(p, len);
  if (s == 0) return Code.InvalidArgument;
  return abi.policy_add_path(set, list, s, len);
}

// ---- script calls ----------------------------------------------------------------

export function socketOpen(kind: i32, allowHalfOpen: bool): i32 {
  freeze();
  return abi.socket_open(kind, allowHalfOpen ? 1 : 0);
}

export function serverOpen(kind: i32, allowHalfOpen: bool, pauseOnConnect: bool): i32 {
  freeze();
  return abi.server_open(kind, allowHalfOpen ? 1 : 0, pauseOnConnect ? 1 : 0);
}

export function connectName(h: u32, p: usize, len: i32, port: i32, now: f64): i32 {
  const s = toScratch(p, len);
  if (s == 0) return Code.InvalidArgument;
  return abi.connect_name(h, s, len, port, now);
}

export function connectAddress(h: u32, sa: usize, now: f64): i32 {
  return abi.connect_address(h, saToScratch(sa), saFamily(sa), saPort(sa), now);
}

export function listenAddress(h: u32, sa: usize, backlog: i32): i32 {
  return abi.listen_address(h, saToScratch(sa), saFamily(sa), saPort(sa), backlog);
}

export function write(h: u32, len: i32, now: f64): i32 { return abi.write(h, len, now); }
export function writeNeedsDrain(h: u32): i32 { return abi.write_needs_drain(h); }
export function end(h: u32, now: f64): i32 { return abi.end(h, now); }
export function destroy(h: u32, reset: bool): i32 { return abi.destroy(h, reset ? 1 : 0, 0); }
export function pause(h: u32): i32 { return abi.pause(h); }
export function resume(h: u32): i32 { return abi.resume(h); }
export function setTimeout(h: u32, ms: f64, now: f64): i32 { return abi.set_timeout(h, ms, now); }
export function setOption(h: u32, opt: i32, v: i32): i32 { return abi.set_option(h, opt, v); }
export function serverClose(h: u32): i32 { return abi.server_close(h); }
export function setMaxConnections(h: u32, n: i32): i32 { return abi.set_max_connections(h, n); }

// ---- completions (from the driver) ---------------------------------------------------

export function onResolved(h: u32, sa: usize, now: f64): i32 {
  return abi.on_resolved(h, saToScratch(sa), saFamily(sa), now);
}

export function onConnected(h: u32, sa: usize, now: f64): i32 {
  if (sa == 0) return abi.on_connected(h, 0, 0, 0, now);
  return abi.on_connected(h, saToScratch(sa), saFamily(sa), saPort(sa), now);
}

export function onListening(h: u32, sa: usize): i32 {
  if (sa == 0) return abi.on_listening(h, 0, 0, 0);
  return abi.on_listening(h, saToScratch(sa), saFamily(sa), saPort(sa));
}

export function onAccepted(server: u32, sa: usize, now: f64): i32 {
  if (sa == 0) return abi.on_accepted(server, 0, 0, 0, now);
  return abi.on_accepted(server, saToScratch(sa), saFamily(sa), saPort(sa), now);
}

/** Code.Deliver: the driver delivers the bytes itself; Ok: the core copied them. */
export function onData(h: u32, p: usize, len: i32, now: f64): i32 {
  const r = abi.data_in(h, len, now);
  if (r == 0) return Code.Deliver;
  if (r < 0) return -r;
  memory.copy(<usize>r, p, <usize>len);
  return Code.Ok;
}

export function onEof(h: u32, now: f64): i32 { return abi.on_eof(h, now); }
export function onWritten(h: u32, len: i32, now: f64): i32 { return abi.on_written(h, len, now); }
export function onError(h: u32, code: i32, errno: i32): i32 { return abi.on_error(h, code, errno); }
export function onClosed(h: u32): i32 { return abi.on_closed(h); }

// ---- time and records ------------------------------------------------------------------

export function tick(now: f64): void { abi.tick(now); }
export function nextDeadline(): f64 { ensure(); return abi.next_deadline(); }
export function pendingEvents(): bool { ensure(); return abi.pending_records() > 0; }

export let recKind: i32 = 0;
export let recHandle: u32 = 0;
export let recA: i32 = 0;
export let recB: i32 = 0;

/** Pops one record into rec*; false when none waits. */
export function drainOne(): bool {
  ensure();
  const k = abi.ev_next();
  if (k == 0) return false;
  const o = abi.out_ptr();
  recKind = k;
  recHandle = load<u32>(o, 4);
  recA = load<i32>(o, 8);
  recB = load<i32>(o, 12);
  return true;
}

// ---- queries ------------------------------------------------------------------------------

export function state(h: u32): i32 { ensure(); return abi.state(h); }
export function bytesRead(h: u32): f64 { ensure(); return abi.bytes_read(h); }
export function bytesWritten(h: u32): f64 { ensure(); return abi.bytes_written(h); }
export function bufferSize(h: u32): i32 { ensure(); return abi.buffer_size(h); }
export function connections(h: u32): i32 { ensure(); return abi.connections(h); }
export function liveHandles(): i32 { ensure(); return abi.live_handles(); }
export function stat(which: i32): f64 { ensure(); return abi.stat(which); }
export function isRefed(h: u32): i32 { ensure(); return abi.is_refed(h); }

/** Writes the peer address at `sa`: 1, 0 for none, or a negative Code. */
export function peerAddress(h: u32, sa: usize): i32 {
  ensure();
  const r = abi.peer_address(h);
  if (r <= 0) return r;
  return outToSa(sa) ? 1 : 0;
}

export function localAddress(h: u32, sa: usize): i32 {
  ensure();
  const r = abi.local_address(h);
  if (r <= 0) return r;
  return outToSa(sa) ? 1 : 0;
}

