// Smoke module for the hand-written wasi bindings (not shipped).
import * as w from "../wasi";
export { cabi_realloc } from "../cabi";
export { fatal } from "../cabi";
import { freeList } from "../cabi";

const SA: usize = memory.data(20, 4);
const PL: usize = memory.data(16, 4);
const RD: usize = memory.data(16, 4);

function waitOn(p: i32): void {
  store<i32>(PL, p);
  w.pollList(PL, 1, RD);
}

// connect to 127.0.0.1:port, send "ping", read 4 bytes back; returns bytes read or negative
export function probe_probe(port: u32): i64 {
  const net = w.instanceNetwork();
  let r = w.createTcpSocket(0);
  if (r < 0) return r;
  const s = <i32>r;
  memory.fill(SA, 0, 20);
  store<u8>(SA, 4); store<u16>(SA, <u16>port, 2);
  store<u8>(SA, 127, 4); store<u8>(SA, 1, 7);
  r = w.tcpStartConnect(s, net, SA);
  if (r < 0) return r - 1000;
  const ps = w.tcpSubscribe(s);
  while (true) {
    r = w.tcpFinishConnect(s);
    if (r != w.WOULD_BLOCK) break;
    waitOn(ps);
  }
  if (r < 0) { w.pollableDrop(ps); w.tcpDrop(s); w.networkDrop(net); return r - 2000; }
  const inp = w.gotInput, out = w.gotOutput;
  w.tcpRemoteAddress(s, SA);
  const rport = <i64>load<u16>(SA, 2);
  const buf = heap.alloc(4);
  store<u32>(buf, 0x676e6970); // "ping"
  r = w.outputWrite(out, buf, 4);
  if (r < 0) return r - 3000;
  w.outputFlush(out);
  const pin = w.inputSubscribe(inp);
  let got: i64 = 0;
  while (got < 4) {
    waitOn(pin);
    r = w.inputRead(inp, 4 - got);
    if (r < 0) break;
    got += r;
    freeList(w.readPtr, <usize>r);
  }
  w.pollableDrop(pin); w.pollableDrop(ps);
  w.inputDrop(inp); w.outputDrop(out);
  w.tcpDrop(s); w.networkDrop(net);
  return got * 100000 + rport;
}

// listen on 127.0.0.1:port; returns the bound port or negative; keeps the socket open
let held: i32 = 0;
export function probe_listenOn(port: u32): i64 {
  const net = w.instanceNetwork();
  let r = w.createTcpSocket(0);
  if (r < 0) return r;
  const s = <i32>r;
  memory.fill(SA, 0, 20);
  store<u8>(SA, 4); store<u16>(SA, <u16>port, 2);
  store<u8>(SA, 127, 4); store<u8>(SA, 1, 7);
  r = w.tcpStartBind(s, net, SA);
  if (r < 0) { w.tcpDrop(s); w.networkDrop(net); return r; }
  r = w.tcpFinishBind(s);
  if (r < 0) { w.tcpDrop(s); w.networkDrop(net); return r; }
  r = w.tcpStartListen(s);
  if (r < 0) { w.tcpDrop(s); w.networkDrop(net); return r; }
  const p = w.tcpSubscribe(s);
  while (true) { r = w.tcpFinishListen(s); if (r != w.WOULD_BLOCK) break; waitOn(p); }
  w.pollableDrop(p);
  if (r < 0) { w.tcpDrop(s); w.networkDrop(net); return r; }
  w.tcpLocalAddress(s, SA);
  held = s;
  w.networkDrop(net);
  return <i64>load<u16>(SA, 2);
}
export function probe_unlisten(): void { if (held) w.tcpDrop(held); held = 0; }

export function probe_lookup(): i64 {
  const net = w.instanceNetwork();
  const name = String.UTF8.encode("localhost");
  let r = w.resolveAddresses(net, changetype<usize>(name), name.byteLength);
  if (r < 0) return r;
  const st = <i32>r;
  const p = w.resolveSubscribe(st);
  let fam: i64 = 0;
  while (true) {
    r = w.resolveNext(st, SA);
    if (r == w.WOULD_BLOCK) { waitOn(p); continue; }
    if (r == 0) { fam = fam * 10 + <i64>load<u8>(SA); continue; }
    break;
  }
  w.pollableDrop(p); w.resolveDrop(st); w.networkDrop(net);
  return fam;
}
