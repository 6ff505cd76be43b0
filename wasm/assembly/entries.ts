// The data held per socket and per server. Logic lives in socket.ts and server.ts.
//
// A server holds one Socket per idle connection, so its layout is kept tight: the
// booleans and small enums are bits of Entry.flags (behind accessors), the read
// indices live in the read buffer's own block, and the addresses in an Ends object
// allocated only once the socket has one. An object costs its fields plus a 20-byte
// header, rounded up to 16 bytes (rt/common.ts, rt/tlsf.ts):
//
//   Socket  60 B of fields -> 80 B block     Ends  38 B of fields -> 64 B block
//
//   Socket:  0 handle  4 flags  8 bytesRead  16 bytesWritten  24 timeoutMs  32 deadline
//            40 hwm  44 queued  48 rbuf  52 server  56 ends  60
import { Entry, withBit } from "./table";
import { SockState, ServState, Kind, Role } from "./codes";

export const DEFAULT_HWM: i32 = 16384;
export const DEFAULT_BACKLOG: i32 = 511;

// Socket's bits of Entry.flags (bits 0-1 are Entry's).
const S_ALLOW_HALF_OPEN: u32 = 1 << 2;
const S_PAUSED: u32 = 1 << 3;
const S_NO_DELAY: u32 = 1 << 4;
const S_KEEP_ALIVE: u32 = 1 << 5;
const S_EOF_SEEN: u32 = 1 << 6;
const S_EOF_PENDING: u32 = 1 << 7;
const S_FLUSH_QUEUED: u32 = 1 << 8;
const S_READ_STOPPED: u32 = 1 << 9;
const S_NEED_DRAIN: u32 = 1 << 10;
const S_LAST_NEED_DRAIN: u32 = 1 << 11;
const S_END_REQUESTED: u32 = 1 << 12;
const S_CLOSE_QUEUED: u32 = 1 << 13;
const S_CLOSE_AFTER_FLUSH: u32 = 1 << 14;
const S_HAD_ERROR: u32 = 1 << 15;
const S_NAME_ALLOWED: u32 = 1 << 16;
const S_DROPPED: u32 = 1 << 17;
const S_KIND_SHIFT: u32 = 18; // 1 bit: Kind, above the booleans
const S_ROLE_SHIFT: u32 = S_KIND_SHIFT + 1; // 2 bits: Role
const S_STATE_SHIFT: u32 = S_ROLE_SHIFT + 2; // 3 bits: SockState (bits 21-23)

@inline function getField(flags: u32, shift: u32, mask: u32): i32 {
  return <i32>((flags >>> shift) & mask);
}

@inline function setField(flags: u32, shift: u32, mask: u32, v: i32): u32 {
  return (flags & ~(mask << shift)) | ((<u32>v & mask) << shift);
}

export class Socket extends Entry {
  bytesRead: u64 = 0;
  bytesWritten: u64 = 0;
  /** 0 = no idle timeout */
  timeoutMs: f64 = 0;
  /** -1 = not armed */
  deadline: f64 = -1;
  /** highWaterMark for writes (drain) and for the read buffer (IoReadStop) */
  hwm: i32 = DEFAULT_HWM;
  /** write bytes accepted and not yet reported written; 0 <= queued <= maxPerSocket */
  queued: i32 = 0;
  /** read buffer: a block laid out as drawn above readLen(), or 0 (none) */
  rbuf: usize = 0;
  /** accepted sockets: the server's handle */
  server: u32 = 0;
  /** the addresses, once the socket has one (null: no peer and no local address) */
  ends: Ends | null = null;

  @inline get kind(): Kind { return <Kind>getField(this.flags, S_KIND_SHIFT, 1); }
  @inline set kind(k: Kind) { this.flags = setField(this.flags, S_KIND_SHIFT, 1, k); }
  @inline get role(): Role { return <Role>getField(this.flags, S_ROLE_SHIFT, 3); }
  @inline set role(r: Role) { this.flags = setField(this.flags, S_ROLE_SHIFT, 3, r); }
  /** changed only by setState() in socket.ts */
  @inline get state(): SockState { return <SockState>getField(this.flags, S_STATE_SHIFT, 7); }
  @inline set state(st: SockState) { this.flags = setField(this.flags, S_STATE_SHIFT, 7, st); }

  @inline get allowHalfOpen(): bool { return (this.flags & S_ALLOW_HALF_OPEN) != 0; }
  @inline set allowHalfOpen(on: bool) { this.flags = withBit(this.flags, S_ALLOW_HALF_OPEN, on); }
  @inline get paused(): bool { return (this.flags & S_PAUSED) != 0; }
  @inline set paused(on: bool) { this.flags = withBit(this.flags, S_PAUSED, on); }
  @inline get noDelay(): bool { return (this.flags & S_NO_DELAY) != 0; }
  @inline set noDelay(on: bool) { this.flags = withBit(this.flags, S_NO_DELAY, on); }
  @inline get keepAlive(): bool { return (this.flags & S_KEEP_ALIVE) != 0; }
  @inline set keepAlive(on: bool) { this.flags = withBit(this.flags, S_KEEP_ALIVE, on); }
  /** the peer's FIN arrived (no more onData) */
  @inline get eofSeen(): bool { return (this.flags & S_EOF_SEEN) != 0; }
  @inline set eofSeen(on: bool) { this.flags = withBit(this.flags, S_EOF_SEEN, on); }
  /** FIN arrived but End is not delivered yet (buffered bytes or paused) */
  @inline get eofPending(): bool { return (this.flags & S_EOF_PENDING) != 0; }
  @inline set eofPending(on: bool) { this.flags = withBit(this.flags, S_EOF_PENDING, on); }
  /** a Flush record for this socket is in the event queue */
  @inline get flushQueued(): bool { return (this.flags & S_FLUSH_QUEUED) != 0; }
  @inline set flushQueued(on: bool) { this.flags = withBit(this.flags, S_FLUSH_QUEUED, on); }
  /** IoReadStop was queued and no IoReadStart since */
  @inline get readStopped(): bool { return (this.flags & S_READ_STOPPED) != 0; }
  @inline set readStopped(on: bool) { this.flags = withBit(this.flags, S_READ_STOPPED, on); }
  /** a write reached highWaterMark: Drain is due when the queue empties */
  @inline get needDrain(): bool { return (this.flags & S_NEED_DRAIN) != 0; }
  @inline set needDrain(on: bool) { this.flags = withBit(this.flags, S_NEED_DRAIN, on); }
  /** the last accepted write left queued >= hwm */
  @inline get lastNeedDrain(): bool { return (this.flags & S_LAST_NEED_DRAIN) != 0; }
  @inline set lastNeedDrain(on: bool) { this.flags = withBit(this.flags, S_LAST_NEED_DRAIN, on); }
  /** end() was called before the connection was open */
  @inline get endRequested(): bool { return (this.flags & S_END_REQUESTED) != 0; }
  @inline set endRequested(on: bool) { this.flags = withBit(this.flags, S_END_REQUESTED, on); }
  /** IoClose was queued */
  @inline get closeQueued(): bool { return (this.flags & S_CLOSE_QUEUED) != 0; }
  @inline set closeQueued(on: bool) { this.flags = withBit(this.flags, S_CLOSE_QUEUED, on); }
  /** Closing with both sides ended: IoClose(Graceful) once queued reaches 0 */
  @inline get closeAfterFlush(): bool { return (this.flags & S_CLOSE_AFTER_FLUSH) != 0; }
  @inline set closeAfterFlush(on: bool) { this.flags = withBit(this.flags, S_CLOSE_AFTER_FLUSH, on); }
  @inline get hadError(): bool { return (this.flags & S_HAD_ERROR) != 0; }
  @inline set hadError(on: bool) { this.flags = withBit(this.flags, S_HAD_ERROR, on); }
  /** connect's name was allowed by policy (the resolved address may still be denied) */
  @inline get nameAllowed(): bool { return (this.flags & S_NAME_ALLOWED) != 0; }
  @inline set nameAllowed(on: bool) { this.flags = withBit(this.flags, S_NAME_ALLOWED, on); }
  /** refused by maxConnections: closes without a Close event */
  @inline get dropped(): bool { return (this.flags & S_DROPPED) != 0; }
  @inline set dropped(on: bool) { this.flags = withBit(this.flags, S_DROPPED, on); }

  /** unread bytes in the read buffer */
  readLen(): i32 {
    const b = this.rbuf;
    return b == 0 ? 0 : rbEnd(b) - rbStart(b);
  }

  /** the addresses, allocated on first use */
  endsOrNew(): Ends {
    let e = this.ends;
    if (e === null) this.ends = e = new Ends();
    return e;
  }
}

// ---- read buffers ------------------------------------------------------------------
//
// One heap block per buffering socket (allocated on demand, freed once emptied):
//
//    0       4       8       12
//    ┌───────┬───────┬───────┬──────────────────────────────────┐
//    │ start │  end  │  cap  │ cap bytes; [start, end) unread   │   i32 each
//    └───────┴───────┴───────┴──────────────────────────────────┘
//    0 <= start <= end <= cap

export const RB_HEAD: usize = 12;

@inline export function rbStart(b: usize): i32 { return load<i32>(b); }
@inline export function rbEnd(b: usize): i32 { return load<i32>(b, 4); }
@inline export function rbCap(b: usize): i32 { return load<i32>(b, 8); }
/** the first byte of the buffer's storage (index 0, not `start`) */
@inline export function rbBytes(b: usize): usize { return b + RB_HEAD; }

@inline export function rbSet(b: usize, start: i32, end: i32): void {
  store<i32>(b, start);
  store<i32>(b, end, 4);
}

/** A new read buffer of `cap` bytes, empty. */
export function rbAlloc(cap: i32): usize {
  const b = heap.alloc(RB_HEAD + <usize>cap);
  rbSet(b, 0, 0);
  store<i32>(b, cap, 8);
  return b;
}

// ---- addresses ---------------------------------------------------------------------

/**
 * A socket's peer and local addresses (addr.ts: 16 bytes as two big-endian words,
 * port, family). Family 0 = none; a socket resolving a name has its peer's port and
 * family 0 until the lookup answers.
 */
export class Ends {
  peerHi: u64 = 0;
  peerLo: u64 = 0;
  localHi: u64 = 0;
  localLo: u64 = 0;
  peerPort: u16 = 0;
  localPort: u16 = 0;
  peerFamily: u8 = 0;
  localFamily: u8 = 0;

  setPeer(hi: u64, lo: u64, port: i32, family: i32): void {
    this.peerHi = hi;
    this.peerLo = lo;
    this.peerPort = <u16>port;
    this.peerFamily = <u8>family;
  }

  setLocal(hi: u64, lo: u64, port: i32, family: i32): void {
    this.localHi = hi;
    this.localLo = lo;
    this.localPort = <u16>port;
    this.localFamily = <u8>family;
  }
}

// ---- servers -----------------------------------------------------------------------

// Server's bits of Entry.flags (bits 0-1 are Entry's).
const V_ALLOW_HALF_OPEN: u32 = 1 << 2;
const V_PAUSE_ON_CONNECT: u32 = 1 << 3;
const V_LISTENER_CLOSED: u32 = 1 << 4;
const V_KIND_SHIFT: u32 = 5; // 1 bit: Kind, above the booleans
const V_STATE_SHIFT: u32 = V_KIND_SHIFT + 1; // 3 bits: ServState

export class Server extends Entry {
  /** the address listened on (family 0: none, or a path server) */
  localHi: u64 = 0;
  localLo: u64 = 0;
  /** accept-queue bound: Connection records not yet drained */
  backlog: i32 = DEFAULT_BACKLOG;
  pending: i32 = 0;
  /** -1 = unlimited */
  maxConnections: i32 = -1;
  /** accepted sockets alive (not dropped) */
  connections: i32 = 0;
  localPort: u16 = 0;
  localFamily: u8 = 0;

  @inline get kind(): Kind { return <Kind>getField(this.flags, V_KIND_SHIFT, 1); }
  @inline set kind(k: Kind) { this.flags = setField(this.flags, V_KIND_SHIFT, 1, k); }
  /** changed only by setServerState() in server.ts */
  @inline get state(): ServState { return <ServState>getField(this.flags, V_STATE_SHIFT, 7); }
  @inline set state(st: ServState) { this.flags = setField(this.flags, V_STATE_SHIFT, 7, st); }

  @inline get allowHalfOpen(): bool { return (this.flags & V_ALLOW_HALF_OPEN) != 0; }
  @inline set allowHalfOpen(on: bool) { this.flags = withBit(this.flags, V_ALLOW_HALF_OPEN, on); }
  @inline get pauseOnConnect(): bool { return (this.flags & V_PAUSE_ON_CONNECT) != 0; }
  @inline set pauseOnConnect(on: bool) { this.flags = withBit(this.flags, V_PAUSE_ON_CONNECT, on); }
  /** the host reported its listener closed (after IoClose) */
  @inline get listenerClosed(): bool { return (this.flags & V_LISTENER_CLOSED) != 0; }
  @inline set listenerClosed(on: bool) { this.flags = withBit(this.flags, V_LISTENER_CLOSED, on); }
}
