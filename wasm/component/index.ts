// The component's exports: interfaces wasock:core/sockets and wasock:core/config
// (wasm/wit-component/world.wit), lifted by hand. Each AssemblyScript export
// `sockets_<camel>` / `config_<camel>` is renamed by scripts/build-component.mjs to
// `wasock:core/<iface>@0.1.0#<kebab>`.
//
// Canonical ABI, as used here:
// - results that flatten to more than one value are written to RET and RET is
//   returned; result<T, error-code> is [disc u8 @0][payload @align(T)], the
//   error-code enum is a u8 whose value is api.ts `Code` minus one
// - list and string arguments arrive in blocks the host got from cabi_realloc; a
//   (ptr, len) outside such a block gets out-of-bounds and is never read or freed
// - ip-socket-address arguments arrive flat: discriminant, then 11 x i32
import { Code } from "../assembly/codes";
import * as port from "./port";
import * as driver from "./driver";
import { granted, freeList } from "./cabi";
import { handOver, freeEvents } from "./events";
import { SA_SIZE } from "./wasi";

export { cabi_realloc } from "./cabi";
export { fatal } from "./cabi";

const RET: usize = memory.data(64, 8);
const SA: usize = memory.data(<i32>SA_SIZE, 4);

// ---- result writers ------------------------------------------------------------

/** result<_, error-code> and result<bool|u8, error-code>: payload @1 */
function res1(code: i32, val: u8): usize {
  if (code == Code.Ok) {
    store<u8>(RET, 0);
    store<u8>(RET, val, 1);
  } else {
    store<u8>(RET, 1);
    store<u8>(RET, <u8>(code - 1), 1);
  }
  return RET;
}

/** result<u32, error-code>: payload @4 */
function res4(code: i32, val: u32): usize {
  store<u8>(RET, code == Code.Ok ? 0 : 1);
  if (code == Code.Ok) store<u32>(RET, val, 4);
  else store<u8>(RET, <u8>(code - 1), 4);
  return RET;
}

/** result<u64, error-code>: payload @8 */
function res8(code: i32, val: u64): usize {
  store<u8>(RET, code == Code.Ok ? 0 : 1);
  if (code == Code.Ok) store<u64>(RET, val, 8);
  else store<u8>(RET, <u8>(code - 1), 8);
  return RET;
}

/** A negative-Code-or-value integer as result<u32, error-code>. */
function resInt(r: i32): usize {
  return r < 0 ? res4(-r, 0) : res4(Code.Ok, <u32>r);
}

function resF64(r: f64): usize {
  return r < 0 ? res8(<i32>-r, 0) : res8(Code.Ok, <u64>r);
}

// ---- ip addresses ----------------------------------------------------------------

/** Flat ip-socket-address -> driver address at SA; false when malformed. */
function flatToSa(d: i32, a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32,
  a6: i32, a7: i32, a8: i32, a9: i32): bool {
  memory.fill(SA, 0, SA_SIZE);
  if (d == 0) {
    store<u8>(SA, 4);
    store<u16>(SA, <u16>a0, 2);
    store<u8>(SA, <u8>a1, 4); store<u8>(SA, <u8>a2, 5);
    store<u8>(SA, <u8>a3, 6); store<u8>(SA, <u8>a4, 7);
    return true;
  }
  if (d != 1) return false;
  store<u8>(SA, 6);
  store<u16>(SA, <u16>a0, 2);
  // a1 = flow-info; a2..a9 = the eight u16 groups
  putGroup(0, a2); putGroup(1, a3); putGroup(2, a4); putGroup(3, a5);
  putGroup(4, a6); putGroup(5, a7); putGroup(6, a8); putGroup(7, a9);
  return true;
}

function putGroup(i: i32, v: i32): void {
  store<u8>(SA + 4 + (<usize>i << 1), <u8>(v >> 8));
  store<u8>(SA + 5 + (<usize>i << 1), <u8>v);
}

/** Writes SA as an ip-socket-address at p (layout in wasi.ts). */
function saToMem(p: usize): void {
  memory.fill(p, 0, 32);
  const port = load<u16>(SA, 2);
  if (load<u8>(SA) == 4) {
    store<u8>(p, 0);
    store<u16>(p, port, 4);
    memory.copy(p + 6, SA + 4, 4);
  } else {
    store<u8>(p, 1);
    store<u16>(p, port, 4);
    for (let i: usize = 0; i < 8; i++) {
      store<u16>(p + 12 + (i << 1), (<u16>load<u8>(SA + 4 + (i << 1)) << 8) | <u16>load<u8>(SA + 5 + (i << 1)));
    }
  }
}

function now(): f64 {
  return driver.nowMs();
}

// ---- configuration -------------------------------------------------------------

export function config_configure(capacity: u32, maxSockets: u32, perSocket: u32, total: u32): usize {
  return res1(port.configure(<i32>min<u32>(capacity, 0x7fffffff), <i32>min<u32>(maxSockets, 0x7fffffff),
    <f64>perSocket, <f64>total), 0);
}

export function config_policyDefault(set: i32, allow: i32): usize {
  return res1(port.policyDefault(set, allow != 0), 0);
}

export function config_policyAddHost(set: i32, deny: i32, p: usize, len: usize, lo: i32, hi: i32): usize {
  if (!granted(p, len)) return res1(Code.OutOfBounds, 0);
  const r = port.policyAddHost(set, deny != 0 ? 1 : 0, p, <i32>len, lo, hi);
  freeList(p, len);
  return res1(r, 0);
}

export function config_policyAddCidr(set: i32, deny: i32, d: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32,
  prefix: i32, lo: i32, hi: i32): usize {
  // ip-address flat: ipv4 -> a0..a3 bytes; ipv6 -> a0..a7 groups. Reuse the
  // socket-address decoder with port 0 and flow-info 0.
  const ok = d == 0 ? flatToSa(0, 0, a0, a1, a2, a3, 0, 0, 0, 0, 0)
    : flatToSa(d, 0, 0, a0, a1, a2, a3, a4, a5, a6, a7);
  if (!ok) return res1(Code.InvalidArgument, 0);
  return res1(port.policyAddCidr(set, deny != 0 ? 1 : 0, SA, prefix, lo, hi), 0);
}

export function config_policyAddPath(set: i32, deny: i32, p: usize, len: usize): usize {
  if (!granted(p, len)) return res1(Code.OutOfBounds, 0);
  const r = port.policyAddPath(set, deny != 0 ? 1 : 0, p, <i32>len);
  freeList(p, len);
  return res1(r, 0);
}

// ---- script calls ----------------------------------------------------------------

export function sockets_socketOpen(kind: i32, allowHalfOpen: i32): usize {
  // wasi:sockets 0.2 has no Unix-domain sockets
  if (kind == 1) return res4(Code.NotSupported, 0);
  if (kind != 0) return res4(Code.InvalidArgument, 0);
  return resInt(port.socketOpen(0, allowHalfOpen != 0));
}

export function sockets_serverOpen(kind: i32, allowHalfOpen: i32, pauseOnConnect: i32): usize {
  if (kind == 1) return res4(Code.NotSupported, 0);
  if (kind != 0) return res4(Code.InvalidArgument, 0);
  return resInt(port.serverOpen(0, allowHalfOpen != 0, pauseOnConnect != 0));
}

export function sockets_connectName(h: u32, p: usize, len: usize, portNo: i32, family: i32): usize {
  if (!granted(p, len)) return res1(Code.OutOfBounds, 0);
  if (family != 0 && family != 4 && family != 6) {
    freeList(p, len);
    return res1(Code.InvalidArgument, 0);
  }
  const r = port.connectName(h, p, <i32>len, portNo, now());
  if (r == Code.Ok) driver.rememberName(h, String.UTF8.decodeUnsafe(p, len, false), family);
  freeList(p, len);
  return res1(r, 0);
}

export function sockets_connectAddress(h: u32, d: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32, a8: i32, a9: i32, a10: i32): usize {
  if (!flatToSa(d, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9)) return res1(Code.InvalidArgument, 0);
  return res1(port.connectAddress(h, SA, now()), 0);
}

export function sockets_listenAddress(h: u32, d: i32,
  a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32, a6: i32, a7: i32, a8: i32, a9: i32, a10: i32,
  backlog: u32): usize {
  if (!flatToSa(d, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9)) return res1(Code.InvalidArgument, 0);
  const b = <i32>min<u32>(backlog, 0x7fffffff);
  const r = port.listenAddress(h, SA, b);
  if (r == Code.Ok) driver.rememberBacklog(h, b);
  return res1(r, 0);
}

export function sockets_write(h: u32, p: usize, len: usize): usize {
  if (!granted(p, len)) return res1(Code.OutOfBounds, 0);
  const r = port.write(h, <i32>len, now());
  if (r != Code.Ok) {
    freeList(p, len);
    return res1(r, 0);
  }
  const drain = port.writeNeedsDrain(h) == 1;
  if (len == 0) freeList(p, len);
  else driver.enqueue(h, p, <i32>len);
  return res1(Code.Ok, drain ? 1 : 0);
}

export function sockets_end(h: u32): usize { return res1(port.end(h, now()), 0); }
/**
 * reset: wasi:sockets 0.2 cannot send RST (no SO_LINGER). The socket is destroyed all
 * the same (closed with FIN) and the result is not-supported, so the caller knows.
 */
export function sockets_destroy(h: u32, reset: i32): usize {
  const r = port.destroy(h, reset != 0);
  return res1(r == Code.Ok && reset != 0 ? Code.NotSupported : r, 0);
}
export function sockets_pause(h: u32): usize { return res1(port.pause(h), 0); }
export function sockets_resume(h: u32): usize { return res1(port.resume(h), 0); }

export function sockets_setTimeout(h: u32, ms: u32): usize {
  return res1(port.setTimeout(h, <f64>ms, now()), 0);
}

/** wasi:sockets 0.2 has no TCP_NODELAY: on = true is not-supported (Nagle stays on). */
export function sockets_setNoDelay(h: u32, on: i32): usize {
  if (on == 0) return res1(port.setOption(h, 1, 0), 0);
  const st = port.state(h);
  return res1(st < 0 ? -st : Code.NotSupported, 0);
}

export function sockets_setKeepAlive(h: u32, on: i32, delayMs: u32): usize {
  let r = port.setOption(h, 2, on != 0 ? 1 : 0);
  if (r == Code.Ok && on != 0 && delayMs > 0) r = port.setOption(h, 3, <i32>min<u32>(delayMs, 0x7fffffff));
  return res1(r, 0);
}

export function sockets_ref(h: u32, on: i32): usize {
  return res1(port.setOption(h, 4, on != 0 ? 1 : 0), 0);
}

export function sockets_serverClose(h: u32): usize { return res1(port.serverClose(h), 0); }
export function sockets_setMaxConnections(h: u32, n: i32): usize { return res1(port.setMaxConnections(h, n), 0); }

// ---- driving ------------------------------------------------------------------------

/** list<event>: (ptr, len) at RET; freed by cabi_post. */
export function sockets_poll(timeoutMs: i32): usize {
  driver.turn(timeoutMs);
  handOver(RET);
  return RET;
}

export function cabi_post_sockets_poll(ret: usize): void {
  freeEvents();
}

export function sockets_hasRefs(): i32 {
  return driver.hasRefs() ? 1 : 0;
}

// ---- queries -----------------------------------------------------------------------

export function sockets_state(h: u32): usize {
  const r = port.state(h);
  return r < 0 ? res1(-r, 0) : res1(Code.Ok, <u8>r);
}

export function sockets_bytesRead(h: u32): usize { return resF64(port.bytesRead(h)); }
export function sockets_bytesWritten(h: u32): usize { return resF64(port.bytesWritten(h)); }
export function sockets_bufferSize(h: u32): usize { return resInt(port.bufferSize(h)); }
export function sockets_connections(h: u32): usize { return resInt(port.connections(h)); }

/** result<ip-socket-address, error-code>; no address yet: invalid-state */
function addrResult(r: i32): usize {
  if (r < 0) return res4(-r, 0);
  if (r == 0) return res4(Code.InvalidState, 0);
  store<u8>(RET, 0);
  saToMem(RET + 4);
  return RET;
}

export function sockets_peerAddress(h: u32): usize { return addrResult(port.peerAddress(h, SA)); }
export function sockets_localAddress(h: u32): usize { return addrResult(port.localAddress(h, SA)); }

/** stats: [sockets u32 @0][servers u32 @4][buffered u32 @8][bytes-read u64 @16][bytes-written u64 @24] */
export function sockets_coreStats(): usize {
  store<u32>(RET, <u32>port.stat(0));
  store<u32>(RET, <u32>port.stat(1), 4);
  store<u32>(RET, <u32>min<f64>(port.stat(2), 4294967295.0), 8);
  store<u64>(RET, <u64>port.stat(3), 16);
  store<u64>(RET, <u64>port.stat(4), 24);
  return RET;
}

export function sockets_liveHandles(): i32 {
  return port.liveHandles();
}
