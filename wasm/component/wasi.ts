// Canonical-ABI bindings for the wasi:sockets, wasi:io and wasi:clocks 0.2 imports
// (WIT in wasm/wit-component/deps/). Hand-lowered: every function below is the core
// signature `wasm-tools component new` expects for the WIT function, and each helper
// reads the result record at RET with the layout drawn above it.
//
// Flattening rules used (Component Model CanonicalABI.md):
// - a resource (own or borrow), bool, enum, u8/u16/u32 -> i32; u64 -> i64
// - more than one flat result -> the caller passes a pointer (RET) as the last param
// - lists and strings -> (ptr, len); lists the callee returns are allocated with our
//   `cabi_realloc` and freed by us
// - ip-socket-address -> 12 x i32: discriminant, then the joined payload (11 x i32)

import { freeList } from "./cabi";

// Scratch for returned records: the largest is result<ip-socket-address, error-code>
// (36 bytes). Aligned to 8 for result<u64, stream-error>.
export const RET: usize = memory.data(64, 8);

// ---- wasi:io/error, wasi:io/poll ------------------------------------------------

@external("wasi:io/error@0.2.3", "[resource-drop]error")
declare function errorDrop(h: i32): void;

@external("wasi:io/poll@0.2.3", "[resource-drop]pollable")
export declare function pollableDrop(h: i32): void;

@external("wasi:io/poll@0.2.3", "[method]pollable.ready")
export declare function pollableReady(h: i32): bool;

// poll: func(in: list<borrow<pollable>>) -> list<u32>
@external("wasi:io/poll@0.2.3", "poll")
declare function pollRaw(ptr: usize, len: i32, ret: usize): void;

/**
 * Blocks until at least one of `len` pollables (i32 handles at `ptr`) is ready.
 * Writes a ready flag (1/0) per pollable into `ready` (len bytes).
 */
export function pollList(ptr: usize, len: i32, ready: usize): void {
  memory.fill(ready, 0, <usize>len);
  pollRaw(ptr, len, RET);
  // RET: [list ptr: u32][list len: u32], a list<u32> of indices we must free
  const lp = load<u32>(RET);
  const ln = load<u32>(RET, 4);
  for (let i: u32 = 0; i < ln; i++) {
    const idx = load<u32>(lp + (<usize>i << 2));
    if (idx < <u32>len) store<u8>(ready + idx, 1);
  }
  freeList(lp, ln);
}

// ---- wasi:io/streams ------------------------------------------------------------

@external("wasi:io/streams@0.2.3", "[resource-drop]input-stream")
export declare function inputDrop(h: i32): void;
@external("wasi:io/streams@0.2.3", "[resource-drop]output-stream")
export declare function outputDrop(h: i32): void;
@external("wasi:io/streams@0.2.3", "[method]input-stream.subscribe")
export declare function inputSubscribe(h: i32): i32;
@external("wasi:io/streams@0.2.3", "[method]output-stream.subscribe")
export declare function outputSubscribe(h: i32): i32;

@external("wasi:io/streams@0.2.3", "[method]input-stream.read")
declare function inputReadRaw(h: i32, len: i64, ret: usize): void;
@external("wasi:io/streams@0.2.3", "[method]output-stream.check-write")
declare function outputCheckWriteRaw(h: i32, ret: usize): void;
@external("wasi:io/streams@0.2.3", "[method]output-stream.write")
declare function outputWriteRaw(h: i32, ptr: usize, len: i32, ret: usize): void;
@external("wasi:io/streams@0.2.3", "[method]output-stream.flush")
declare function outputFlushRaw(h: i32, ret: usize): void;

/** stream outcomes: >= 0 is a byte count; these are the failures */
export const STREAM_CLOSED: i64 = -1;
export const STREAM_FAILED: i64 = -2;

// stream-error at `p`: [disc u8: 0 last-operation-failed, 1 closed][pad][error handle i32 @4]
function streamError(p: usize): i64 {
  if (load<u8>(p) == 0) {
    errorDrop(load<i32>(p, 4));
    return STREAM_FAILED;
  }
  return STREAM_CLOSED;
}

/**
 * Non-blocking read of up to `max` bytes. On success the bytes are at `readPtr`
 * (allocated by our cabi_realloc; the caller frees it with freeList) and the count is returned.
 */
export let readPtr: usize = 0;
export function inputRead(h: i32, max: i64): i64 {
  inputReadRaw(h, max, RET);
  // result<list<u8>, stream-error>: [disc u8 @0][payload @4: (ptr u32, len u32) | stream-error]
  if (load<u8>(RET) == 0) {
    readPtr = load<u32>(RET, 4);
    return <i64>load<u32>(RET, 8);  // the caller frees with freeList(readPtr, n)
  }
  readPtr = 0;
  return streamError(RET + 4);
}

/** How many bytes `write` accepts now, or a STREAM_* failure. */
export function outputCheckWrite(h: i32): i64 {
  outputCheckWriteRaw(h, RET);
  // result<u64, stream-error>: [disc u8 @0][payload @8: u64 | stream-error]
  if (load<u8>(RET) == 0) return load<i64>(RET, 8);
  return streamError(RET + 8);
}

/** 0, or a STREAM_* failure */
export function outputWrite(h: i32, ptr: usize, len: i32): i64 {
  outputWriteRaw(h, ptr, len, RET);
  // result<_, stream-error>: [disc u8 @0][stream-error @4]
  if (load<u8>(RET) == 0) return 0;
  return streamError(RET + 4);
}

export function outputFlush(h: i32): i64 {
  outputFlushRaw(h, RET);
  if (load<u8>(RET) == 0) return 0;
  return streamError(RET + 4);
}

// ---- wasi:clocks/monotonic-clock ---------------------------------------------------

@external("wasi:clocks/monotonic-clock@0.2.3", "now")
export declare function clockNow(): u64;
@external("wasi:clocks/monotonic-clock@0.2.3", "subscribe-duration")
export declare function clockSubscribeDuration(ns: u64): i32;

// ---- wasi:sockets -------------------------------------------------------------------

@external("wasi:sockets/instance-network@0.2.3", "instance-network")
export declare function instanceNetwork(): i32;
@external("wasi:sockets/network@0.2.3", "[resource-drop]network")
export declare function networkDrop(h: i32): void;

@external("wasi:sockets/tcp-create-socket@0.2.3", "create-tcp-socket")
declare function createTcpSocketRaw(family: i32, ret: usize): void;

@external("wasi:sockets/tcp@0.2.3", "[resource-drop]tcp-socket")
export declare function tcpDrop(h: i32): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.subscribe")
export declare function tcpSubscribe(h: i32): i32;

@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.start-bind")
declare function tcpStartBindRaw(h: i32, net: i32,
  d: i32, a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32,
  a6: i32, a7: i32, a8: i32, a9: i32, a10: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.start-connect")
declare function tcpStartConnectRaw(h: i32, net: i32,
  d: i32, a0: i32, a1: i32, a2: i32, a3: i32, a4: i32, a5: i32,
  a6: i32, a7: i32, a8: i32, a9: i32, a10: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.finish-bind")
declare function tcpFinishBindRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.finish-connect")
declare function tcpFinishConnectRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.start-listen")
declare function tcpStartListenRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.finish-listen")
declare function tcpFinishListenRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.accept")
declare function tcpAcceptRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.local-address")
declare function tcpLocalAddressRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.remote-address")
declare function tcpRemoteAddressRaw(h: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.set-listen-backlog-size")
declare function tcpSetBacklogRaw(h: i32, v: i64, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.set-keep-alive-enabled")
declare function tcpSetKeepAliveRaw(h: i32, v: i32, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.set-keep-alive-idle-time")
declare function tcpSetKeepAliveIdleRaw(h: i32, ns: i64, ret: usize): void;
@external("wasi:sockets/tcp@0.2.3", "[method]tcp-socket.shutdown")
declare function tcpShutdownRaw(h: i32, how: i32, ret: usize): void;

@external("wasi:sockets/ip-name-lookup@0.2.3", "resolve-addresses")
declare function resolveAddressesRaw(net: i32, ptr: usize, len: i32, ret: usize): void;
@external("wasi:sockets/ip-name-lookup@0.2.3", "[method]resolve-address-stream.resolve-next-address")
declare function resolveNextRaw(h: i32, ret: usize): void;
@external("wasi:sockets/ip-name-lookup@0.2.3", "[method]resolve-address-stream.subscribe")
export declare function resolveSubscribe(h: i32): i32;
@external("wasi:sockets/ip-name-lookup@0.2.3", "[resource-drop]resolve-address-stream")
export declare function resolveDrop(h: i32): void;

/**
 * Every socket outcome below is encoded in one i64: >= 0 is success (a handle or 0),
 * a negative value is -(wasi error-code + 1). `WOULD_BLOCK` is the common retry.
 */
export const WOULD_BLOCK: i64 = -(8 + 1); // error-code would-block = 8
export function wasiErr(r: i64): i32 { return <i32>(-r - 1); }

// result<_, error-code>: [disc u8 @0][error-code u8 @1]
function unitResult(): i64 {
  if (load<u8>(RET) == 0) return 0;
  return -(<i64>load<u8>(RET, 1) + 1);
}
// result<own<T>, error-code>: [disc u8 @0][handle i32 | error-code u8 @4]
function handleResult(): i64 {
  if (load<u8>(RET) == 0) return <i64>load<u32>(RET, 4);
  return -(<i64>load<u8>(RET, 4) + 1);
}

/** family: 0 ipv4, 1 ipv6 -> tcp-socket handle or error */
export function createTcpSocket(family: i32): i64 {
  createTcpSocketRaw(family, RET);
  return handleResult();
}

/**
 * A socket address in our own form, 20 bytes at `p`:
 *   [family u8: 4 | 6][pad][port u16 @2][16 address bytes @4, network order;
 *    IPv4 in the first 4]
 * The flat ip-socket-address is built from it.
 */
export const SA_SIZE: usize = 20;

function flatArg(sa: usize, i: i32): i32 {
  // ipv4: [port, a, b, c, d, 0...]; ipv6: [port, flow-info, 8 x u16, scope-id]
  const fam = load<u8>(sa);
  const port = <i32>load<u16>(sa, 2);
  if (fam == 4) {
    if (i == 0) return port;
    if (i <= 4) return <i32>load<u8>(sa + 4 + <usize>(i - 1));
    return 0;
  }
  if (i == 0) return port;
  if (i == 1) return 0; // flow-info
  if (i <= 9) {
    const k = <usize>(i - 2) << 1;
    return (<i32>load<u8>(sa + 4 + k) << 8) | <i32>load<u8>(sa + 5 + k);
  }
  return 0; // scope-id
}

export function tcpStartBind(h: i32, net: i32, sa: usize): i64 {
  const d = load<u8>(sa) == 4 ? 0 : 1;
  tcpStartBindRaw(h, net, d,
    flatArg(sa, 0), flatArg(sa, 1), flatArg(sa, 2), flatArg(sa, 3), flatArg(sa, 4), flatArg(sa, 5),
    flatArg(sa, 6), flatArg(sa, 7), flatArg(sa, 8), flatArg(sa, 9), flatArg(sa, 10), RET);
  return unitResult();
}

export function tcpStartConnect(h: i32, net: i32, sa: usize): i64 {
  const d = load<u8>(sa) == 4 ? 0 : 1;
  tcpStartConnectRaw(h, net, d,
    flatArg(sa, 0), flatArg(sa, 1), flatArg(sa, 2), flatArg(sa, 3), flatArg(sa, 4), flatArg(sa, 5),
    flatArg(sa, 6), flatArg(sa, 7), flatArg(sa, 8), flatArg(sa, 9), flatArg(sa, 10), RET);
  return unitResult();
}

export function tcpFinishBind(h: i32): i64 { tcpFinishBindRaw(h, RET); return unitResult(); }
export function tcpStartListen(h: i32): i64 { tcpStartListenRaw(h, RET); return unitResult(); }
export function tcpFinishListen(h: i32): i64 { tcpFinishListenRaw(h, RET); return unitResult(); }
export function tcpSetBacklog(h: i32, n: i64): i64 { tcpSetBacklogRaw(h, n, RET); return unitResult(); }
export function tcpSetKeepAlive(h: i32, on: bool): i64 { tcpSetKeepAliveRaw(h, on ? 1 : 0, RET); return unitResult(); }
export function tcpSetKeepAliveIdle(h: i32, ns: i64): i64 { tcpSetKeepAliveIdleRaw(h, ns, RET); return unitResult(); }
/** how: 0 receive, 1 send, 2 both */
export function tcpShutdown(h: i32, how: i32): i64 { tcpShutdownRaw(h, how, RET); return unitResult(); }

/** The streams of the last successful finish-connect / accept. */
export let gotInput: i32 = 0;
export let gotOutput: i32 = 0;

/** 0, or an error; on success the streams are in gotInput / gotOutput */
export function tcpFinishConnect(h: i32): i64 {
  tcpFinishConnectRaw(h, RET);
  // result<tuple<own<input-stream>, own<output-stream>>, error-code>: [disc @0][in @4][out @8]
  if (load<u8>(RET) == 0) {
    gotInput = load<i32>(RET, 4);
    gotOutput = load<i32>(RET, 8);
    return 0;
  }
  return -(<i64>load<u8>(RET, 4) + 1);
}

/** the accepted tcp-socket handle, or an error; streams in gotInput / gotOutput */
export function tcpAccept(h: i32): i64 {
  tcpAcceptRaw(h, RET);
  // result<tuple<own<tcp-socket>, own<input-stream>, own<output-stream>>, error-code>:
  //   [disc @0][socket @4][in @8][out @12]
  if (load<u8>(RET) == 0) {
    gotInput = load<i32>(RET, 8);
    gotOutput = load<i32>(RET, 12);
    return <i64>load<u32>(RET, 4);
  }
  return -(<i64>load<u8>(RET, 4) + 1);
}

// ip-socket-address in memory (size 32, align 4):
//   [disc u8 @0][pad]
//   ipv4 @4: [port u16 @4][a b c d u8 @6..9]
//   ipv6 @4: [port u16 @4][pad][flow-info u32 @8][8 x u16 @12..27][scope-id u32 @28]
function readSocketAddress(p: usize, sa: usize): void {
  memory.fill(sa, 0, SA_SIZE);
  store<u16>(sa, load<u16>(p, 4), 2);
  if (load<u8>(p) == 0) {
    store<u8>(sa, 4);
    for (let i: usize = 0; i < 4; i++) store<u8>(sa + 4 + i, load<u8>(p + 6 + i));
  } else {
    store<u8>(sa, 6);
    for (let i: usize = 0; i < 8; i++) {
      const w = load<u16>(p + 12 + (i << 1));
      store<u8>(sa + 4 + (i << 1), <u8>(w >> 8));
      store<u8>(sa + 5 + (i << 1), <u8>w);
    }
  }
}

/** 0 and the address written at `sa`, or an error */
export function tcpLocalAddress(h: i32, sa: usize): i64 {
  tcpLocalAddressRaw(h, RET);
  // result<ip-socket-address, error-code>: [disc @0][payload @4]
  if (load<u8>(RET) != 0) return -(<i64>load<u8>(RET, 4) + 1);
  readSocketAddress(RET + 4, sa);
  return 0;
}

export function tcpRemoteAddress(h: i32, sa: usize): i64 {
  tcpRemoteAddressRaw(h, RET);
  if (load<u8>(RET) != 0) return -(<i64>load<u8>(RET, 4) + 1);
  readSocketAddress(RET + 4, sa);
  return 0;
}

/** resolve-address-stream handle, or an error */
export function resolveAddresses(net: i32, name: usize, len: i32): i64 {
  resolveAddressesRaw(net, name, len, RET);
  return handleResult();
}

/** No more addresses. */
export const RESOLVE_DONE: i64 = 1;

/**
 * 0 and the next address at `sa` (port 0), RESOLVE_DONE, or an error
 * (WOULD_BLOCK while the lookup is pending).
 */
export function resolveNext(h: i32, sa: usize): i64 {
  resolveNextRaw(h, RET);
  // result<option<ip-address>, error-code> (size 22, align 2):
  //   [disc u8 @0][pad]  ok @2: [option disc u8 @2][pad]
  //   ip-address @4: [disc u8 @4][pad] ipv4 @6: 4 x u8 | ipv6 @6: 8 x u16
  //   err @2: [error-code u8 @2]
  if (load<u8>(RET) != 0) return -(<i64>load<u8>(RET, 2) + 1);
  if (load<u8>(RET, 2) == 0) return RESOLVE_DONE;
  memory.fill(sa, 0, SA_SIZE);
  if (load<u8>(RET, 4) == 0) {
    store<u8>(sa, 4);
    for (let i: usize = 0; i < 4; i++) store<u8>(sa + 4 + i, load<u8>(RET + 6 + i));
  } else {
    store<u8>(sa, 6);
    for (let i: usize = 0; i < 8; i++) {
      const w = load<u16>(RET + 6 + (i << 1));
      store<u8>(sa + 4 + (i << 1), <u8>(w >> 8));
      store<u8>(sa + 5 + (i << 1), <u8>w);
    }
  }
  return 0;
}
