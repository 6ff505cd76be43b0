/**
 * `Core`: the typed face of one wasm core instance (see api.ts for the contract).
 *
 * - The wasm bytes are embedded (wasm/build/core-wasm.ts), so creation is synchronous
 *   and needs no file lookups in vitest, ESM or CJS bundles. The module is compiled
 *   once per process; each Core is its own instance: its own table, policy and quotas.
 * - Views over memory are rebuilt whenever `memory.buffer` changes (growth detaches them).
 * - The core's only imports are `wasock.fatal` (a broken invariant: thrown here as a JS
 *   Error, after which the Core must be discarded) and, should a build ever need them,
 *   WASI calls, answered by a tiny shim with ENOSYS (no node:wasi).
 */
import { CORE_WASM_BASE64 } from "../../wasm/build/core-wasm.ts";
import { formatAddress, normalPath, parseAddress, parseCidr } from "./addr.ts";
import {
  Code,
  type CoreAddress,
  type CoreApi,
  type CoreOptions,
  type CoreStats,
  type EventSink,
  Opt,
  type Policy,
  type Rule,
  type RuleSet,
} from "./api.ts";

/*
 * The WebAssembly JS API, typed locally: the project's lib (ES2022) does not declare it
 * and the DOM lib would bring far more than this file needs.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
/** an opaque compiled module */
export interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmDescriptor {
  module?: string;
  name: string;
  kind: string;
}
interface WasmApi {
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(m: WasmModule): Required<WasmDescriptor>[];
    exports(m: WasmModule): WasmDescriptor[];
  };
  Instance: new (m: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Symbol of Core's accessor for the raw exports (tests and debugging only). */
export const RAW: unique symbol = Symbol.for("wasock.core.raw") as never;

/** The raw exports (wasm/wit/core.wit). */
interface Exports {
  memory: WasmMemory;
  _initialize(): void;
  init(capacity: number, maxSockets: number, perSocket: number, total: number): number;
  scratch_ptr(): number;
  scratch_cap(): number;
  out_ptr(): number;
  policy_default(set: number, allow: number): number;
  policy_add_host(set: number, list: number, p: number, len: number, lo: number, hi: number): number;
  policy_add_cidr(set: number, list: number, p: number, prefix: number, lo: number, hi: number): number;
  policy_add_path(set: number, list: number, p: number, len: number): number;
  socket_open(kind: number, allowHalfOpen: number): number;
  connect_name(h: number, p: number, len: number, port: number, now: number): number;
  connect_address(h: number, p: number, family: number, port: number, now: number): number;
  connect_path(h: number, p: number, len: number, now: number): number;
  write(h: number, len: number, now: number): number;
  write_needs_drain(h: number): number;
  end(h: number, now: number): number;
  destroy(h: number, reset: number, hadError: number): number;
  pause(h: number): number;
  resume(h: number): number;
  set_timeout(h: number, ms: number, now: number): number;
  set_option(h: number, opt: number, v: number): number;
  set_high_water_mark(h: number, n: number): number;
  server_open(kind: number, allowHalfOpen: number, pauseOnConnect: number): number;
  listen_address(h: number, p: number, family: number, port: number, backlog: number): number;
  listen_path(h: number, p: number, len: number, backlog: number): number;
  server_close(h: number): number;
  set_max_connections(h: number, n: number): number;
  on_resolved(h: number, p: number, family: number, now: number): number;
  on_connected(h: number, p: number, family: number, port: number, now: number): number;
  on_listening(h: number, p: number, family: number, port: number): number;
  on_accepted(h: number, p: number, family: number, port: number, now: number): number;
  data_in(h: number, len: number, now: number): number;
  on_eof(h: number, now: number): number;
  on_written(h: number, len: number, now: number): number;
  on_error(h: number, code: number, errno: number): number;
  on_closed(h: number): number;
  tick(now: number): void;
  next_deadline(): number;
  ev_next(): number;
  pending_records(): number;
  state(h: number): number;
  is_server(h: number): number;
  bytes_read(h: number): number;
  bytes_written(h: number): number;
  buffer_size(h: number): number;
  read_buffered(h: number): number;
  peer_address(h: number): number;
  local_address(h: number): number;
  connections(h: number): number;
  is_refed(h: number): number;
  stat(which: number): number;
  live_handles(): number;
  handle_at(idx: number): number;
  check_invariants(): number;
}

const DEFAULT_CAPACITY = 4096;
const MAX_CAPACITY = 65535;
const WASI_ENOSYS = 52;
const SET_CONNECT = 0;
const SET_LISTEN = 1;
const LIST_ALLOW = 0;
const LIST_DENY = 1;

let compiled: WasmModule | null = null;

function decodeBase64(s: string): Uint8Array {
  if (typeof Buffer !== "undefined") {
    const b = Buffer.from(s, "base64");
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The compiled core module (compiled once per process). */
export function coreModule(): WasmModule {
  if (compiled === null) compiled = new WA.Module(decodeBase64(CORE_WASM_BASE64));
  return compiled;
}

/** The module's import and export names (drift tests against wasm/wit/core.wit). */
export function coreModuleInfo(): { imports: Required<WasmDescriptor>[]; exports: string[] } {
  const m = coreModule();
  return { imports: WA.Module.imports(m), exports: WA.Module.exports(m).map((e) => e.name) };
}

/** A fatal error inside the core: an invariant broke. Discard the Core. */
export class CoreFatalError extends Error {
  override name = "CoreFatalError";
}

function quota(v: number | undefined, name: string): number {
  if (v === undefined) return Number.MAX_SAFE_INTEGER;
  if (typeof v !== "number" || !(v >= 0)) throw new RangeError(`quotas.${name} must be a number >= 0`);
  return Math.min(v, Number.MAX_SAFE_INTEGER);
}

export class Core implements CoreApi {
  readonly #ex: Exports;
  readonly #capacity: number;
  #u8: Uint8Array;
  #i32: Int32Array;
  readonly #scratch: number;
  readonly #scratchCap: number;
  readonly #out: number;
  readonly #enc = new TextEncoder();

  /** Creates a core with its own table, policy and quotas. Synchronous. */
  static create(opts: CoreOptions = {}): Core {
    return new Core(opts);
  }

  private constructor(opts: CoreOptions) {
    const capacity = opts.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new RangeError(`capacity must be an integer in 1..${MAX_CAPACITY}`);
    }
    this.#capacity = capacity;
    const mod = coreModule();
    let memory: WasmMemory | null = null;
    const utf16 = (p: number, n: number): string =>
      p === 0 || memory === null ? "" : new TextDecoder("utf-16le").decode(new Uint8Array(memory.buffer, p, n));
    const wasi: Record<string, (...a: number[]) => number> = {};
    for (const imp of WA.Module.imports(mod)) {
      if (imp.module !== "wasi_snapshot_preview1") continue;
      wasi[imp.name] = imp.name === "proc_exit"
        ? (code: number) => { throw new CoreFatalError(`wasock core: proc_exit(${code})`); }
        : () => WASI_ENOSYS;
    }
    const instance = new WA.Instance(mod, {
      wasi_snapshot_preview1: wasi,
      wasock: {
        fatal(mp: number, mn: number, fp: number, fn: number, line: number, col: number): void {
          throw new CoreFatalError(`wasock core: ${utf16(mp, mn)} at ${utf16(fp, fn)}:${line}:${col}`);
        },
      },
    });
    const ex = instance.exports as unknown as Exports;
    memory = ex.memory;
    this.#ex = ex;
    ex._initialize();
    const q = opts.quotas ?? {};
    const maxSockets = q.maxSockets === undefined ? capacity : quota(q.maxSockets, "maxSockets");
    const rc = ex.init(
      capacity,
      Math.min(maxSockets, 0x7fffffff),
      quota(q.maxBufferedBytesPerSocket, "maxBufferedBytesPerSocket"),
      quota(q.maxBufferedBytesTotal, "maxBufferedBytesTotal"),
    );
    if (rc !== Code.Ok) throw new RangeError(`core init failed: code ${rc}`);
    this.#scratch = ex.scratch_ptr();
    this.#scratchCap = ex.scratch_cap();
    this.#out = ex.out_ptr();
    this.#u8 = new Uint8Array(ex.memory.buffer);
    this.#i32 = new Int32Array(ex.memory.buffer);
    if (opts.policy) this.#loadPolicy(opts.policy);
  }

  #view(): Uint8Array {
    const buf = this.#ex.memory.buffer;
    if (this.#u8.buffer !== buf) {
      this.#u8 = new Uint8Array(buf);
      this.#i32 = new Int32Array(buf);
    }
    return this.#u8;
  }

  #words(): Int32Array {
    this.#view();
    return this.#i32;
  }

  /** Writes UTF-8 text into scratch; returns its length, or -1 when it does not fit. */
  #putText(s: string): number {
    const enc = this.#enc.encode(s);
    if (enc.length > this.#scratchCap) return -1;
    this.#view().set(enc, this.#scratch);
    return enc.length;
  }

  #putBytes(b: Uint8Array): void {
    this.#view().set(b, this.#scratch);
  }

  #putAddress(text: string): 0 | 4 | 6 {
    const a = parseAddress(text);
    if (a === null) return 0;
    this.#putBytes(a.bytes);
    return a.family;
  }

  #loadPolicy(p: Policy): void {
    this.#loadSet(SET_CONNECT, p.connect);
    this.#loadSet(SET_LISTEN, p.listen);
  }

  #loadSet(set: number, rs: RuleSet): void {
    if (rs.default !== "allow" && rs.default !== "deny") throw new TypeError("policy default must be 'allow' or 'deny'");
    this.#ex.policy_default(set, rs.default === "allow" ? 1 : 0);
    for (const r of rs.allow) this.#loadRule(set, LIST_ALLOW, r);
    for (const r of rs.deny) this.#loadRule(set, LIST_DENY, r);
  }

  #loadRule(set: number, list: number, r: Rule): void {
    const ex = this.#ex;
    let rc: number;
    if ("unixPrefix" in r) {
      const n = this.#putText(normalPath(r.unixPrefix));
      rc = n < 1 ? Code.InvalidArgument : ex.policy_add_path(set, list, this.#scratch, n);
    } else {
      const [lo, hi] = r.ports ?? [0, 65535];
      if ("cidr" in r) {
        const c = parseCidr(r.cidr);
        if (c === null) throw new TypeError(`invalid CIDR in policy: ${r.cidr}`);
        this.#putBytes(c.bytes);
        rc = ex.policy_add_cidr(set, list, this.#scratch, c.prefix, lo, hi);
      } else {
        const n = this.#putText(r.host);
        rc = n < 1 ? Code.InvalidArgument : ex.policy_add_host(set, list, this.#scratch, n, lo, hi);
      }
    }
    if (rc !== Code.Ok) throw new TypeError(`invalid policy rule ${JSON.stringify(r)} (code ${rc})`);
  }

  #readAddress(family: number): CoreAddress | null {
    if (family !== 4 && family !== 6) return null;
    const v = this.#view();
    const o = this.#out;
    const bytes = v.subarray(o, o + 16);
    return { address: formatAddress(bytes, family), port: v[o + 16] | (v[o + 17] << 8), family };
  }

  /** Puts an optional address in scratch: [ptr, family, port], or null when it does not parse. */
  #optAddress(a: CoreAddress | null): [number, number, number] | null {
    if (a === null) return [0, 0, 0];
    const fam = this.#putAddress(a.address);
    if (fam === 0) return null;
    return [this.#scratch, fam, a.port];
  }

  // ---- script calls ------------------------------------------------------

  socketOpen(kind: number, allowHalfOpen: boolean): number {
    return this.#ex.socket_open(kind, allowHalfOpen ? 1 : 0);
  }

  serverOpen(kind: number, allowHalfOpen = false, pauseOnConnect = false): number {
    return this.#ex.server_open(kind, allowHalfOpen ? 1 : 0, pauseOnConnect ? 1 : 0);
  }

  connectName(h: number, name: string, port: number, now: number): Code {
    const n = this.#putText(name);
    if (n < 1) return Code.InvalidArgument;
    return this.#ex.connect_name(h, this.#scratch, n, port, now);
  }

  connectAddress(h: number, address: string, port: number, now: number): Code {
    const fam = this.#putAddress(address);
    if (fam === 0) return Code.InvalidArgument;
    return this.#ex.connect_address(h, this.#scratch, fam, port, now);
  }

  /** The policy sees the normalized path (see addr.ts normalPath); the host connects to `path`. */
  connectPath(h: number, path: string, now: number): Code {
    const n = this.#putText(normalPath(path));
    if (n < 1) return Code.InvalidArgument;
    return this.#ex.connect_path(h, this.#scratch, n, now);
  }

  listenAddress(h: number, address: string, port: number, backlog: number): Code {
    const fam = this.#putAddress(address);
    if (fam === 0) return Code.InvalidArgument;
    return this.#ex.listen_address(h, this.#scratch, fam, port, backlog | 0);
  }

  listenPath(h: number, path: string, backlog: number): Code {
    const n = this.#putText(normalPath(path));
    if (n < 1) return Code.InvalidArgument;
    return this.#ex.listen_path(h, this.#scratch, n, backlog | 0);
  }

  write(h: number, len: number, now: number): Code {
    return this.#ex.write(h, len, now);
  }

  writeNeedsDrain(h: number): boolean {
    return this.#ex.write_needs_drain(h) === 1;
  }

  end(h: number, now: number): Code {
    return this.#ex.end(h, now);
  }

  destroy(h: number, reset: boolean, hadError = false): Code {
    return this.#ex.destroy(h, reset ? 1 : 0, hadError ? 1 : 0);
  }

  pause(h: number): Code {
    return this.#ex.pause(h);
  }

  resume(h: number): Code {
    return this.#ex.resume(h);
  }

  setTimeout(h: number, ms: number, now: number): Code {
    return this.#ex.set_timeout(h, ms, now);
  }

  setNoDelay(h: number, on: boolean): Code {
    return this.#ex.set_option(h, Opt.NoDelay, on ? 1 : 0);
  }

  setKeepAlive(h: number, on: boolean, delayMs: number): Code {
    const rc = this.#ex.set_option(h, Opt.KeepAlive, on ? 1 : 0);
    if (rc !== Code.Ok || !on) return rc;
    return this.#ex.set_option(h, Opt.KeepAliveDelayMs, Math.max(0, Math.min(delayMs | 0, 0x7fffffff)));
  }

  ref(h: number, on: boolean): Code {
    return this.#ex.set_option(h, Opt.Ref, on ? 1 : 0);
  }

  setHighWaterMark(h: number, bytes: number): Code {
    return this.#ex.set_high_water_mark(h, bytes);
  }

  serverClose(h: number): Code {
    return this.#ex.server_close(h);
  }

  setMaxConnections(h: number, n: number): Code {
    return this.#ex.set_max_connections(h, n < 0 ? -1 : Math.min(n, 0x7fffffff));
  }

  // ---- I/O completions ---------------------------------------------------

  /** `family` must agree with the address text (the text decides; a mismatch is InvalidArgument). */
  onResolved(h: number, address: string, family: 4 | 6, now: number): Code {
    const fam = this.#putAddress(address);
    if (fam === 0 || (family !== undefined && family !== fam)) return Code.InvalidArgument;
    return this.#ex.on_resolved(h, this.#scratch, fam, now);
  }

  onConnected(h: number, local: CoreAddress | null, now: number): Code {
    const a = this.#optAddress(local);
    if (a === null) return Code.InvalidArgument;
    return this.#ex.on_connected(h, a[0], a[1], a[2], now);
  }

  onListening(h: number, local: CoreAddress | null): Code {
    const a = this.#optAddress(local);
    if (a === null) return Code.InvalidArgument;
    return this.#ex.on_listening(h, a[0], a[1], a[2]);
  }

  onAccepted(server: number, remote: CoreAddress | null, now: number): number {
    const a = this.#optAddress(remote);
    if (a === null) return -Code.InvalidArgument;
    return this.#ex.on_accepted(server, a[0], a[1], a[2], now);
  }

  onData(h: number, bytes: Uint8Array, now: number): Code {
    const r = this.#ex.data_in(h, bytes.length, now);
    if (r === 0) return Code.Deliver;
    if (r < 0) return -r as Code;
    this.#view().set(bytes, r);
    return Code.Ok;
  }

  onEof(h: number, now: number): Code {
    return this.#ex.on_eof(h, now);
  }

  onWritten(h: number, len: number, now: number): Code {
    return this.#ex.on_written(h, len, now);
  }

  onError(h: number, code: Code, errno: number): Code {
    return this.#ex.on_error(h, code, errno | 0);
  }

  onClosed(h: number): Code {
    return this.#ex.on_closed(h);
  }

  // ---- time --------------------------------------------------------------

  tick(now: number): void {
    this.#ex.tick(now);
  }

  nextDeadline(): number {
    return this.#ex.next_deadline();
  }

  // ---- outputs -----------------------------------------------------------

  drain(sink: EventSink): void {
    const ex = this.#ex;
    const i = this.#out >> 2;
    for (;;) {
      const kind = ex.ev_next();
      if (kind === 0) return;
      const w = this.#words();
      sink(kind, w[i + 1], w[i + 2], w[i + 3]);
    }
  }

  bytes(ptr: number, len: number): Uint8Array {
    const v = this.#view();
    if (!(ptr >= 0 && len >= 0 && ptr + len <= v.length)) throw new RangeError("bytes: range outside core memory");
    const out = new Uint8Array(len);
    out.set(v.subarray(ptr, ptr + len));
    return out;
  }

  // ---- queries -----------------------------------------------------------

  state(h: number): number {
    return this.#ex.state(h);
  }

  bytesRead(h: number): number {
    return this.#ex.bytes_read(h);
  }

  bytesWritten(h: number): number {
    return this.#ex.bytes_written(h);
  }

  bufferSize(h: number): number {
    return this.#ex.buffer_size(h);
  }

  /** bytes held in the read buffer (paused or not yet drained), or a negative Code */
  readBuffered(h: number): number {
    return this.#ex.read_buffered(h);
  }

  /** true for a server handle, false for a socket, null for an invalid handle */
  isServer(h: number): boolean | null {
    const r = this.#ex.is_server(h);
    return r < 0 ? null : r === 1;
  }

  peerAddress(h: number): CoreAddress | null {
    return this.#readAddress(this.#ex.peer_address(h));
  }

  localAddress(h: number): CoreAddress | null {
    return this.#readAddress(this.#ex.local_address(h));
  }

  connections(server: number): number {
    return this.#ex.connections(server);
  }

  isRefed(h: number): boolean {
    return this.#ex.is_refed(h) === 1;
  }

  stats(): CoreStats {
    const s = this.#ex.stat;
    return { sockets: s(0), servers: s(1), bufferedBytes: s(2), bytesRead: s(3), bytesWritten: s(4) };
  }

  liveHandles(): number {
    return this.#ex.live_handles();
  }

  /** the live handles, in slot order (leak reports) */
  handles(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#capacity; i++) {
      const h = this.#ex.handle_at(i);
      if (h !== 0) out.push(h);
    }
    return out;
  }

  /**
   * Walks the table and checks every counter against it (O(capacity^2): tests and
   * debugging). Returns the live entries; throws CoreFatalError on a broken invariant.
   */
  checkInvariants(): number {
    return this.#ex.check_invariants();
  }

  /** records waiting in the event queue */
  pendingRecords(): number {
    return this.#ex.pending_records();
  }

  /** the table capacity given at creation */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * The raw exports and memory, for tests that feed out-of-range pointers and for
   * debugging. Not part of CoreApi: hosts never use it.
   */
  [RAW](): Record<string, unknown> & { memory: WasmMemory } {
    return this.#ex as unknown as Record<string, unknown> & { memory: WasmMemory };
  }

  /** bytes of wasm memory (for the long-run memory test and the bench) */
  memoryBytes(): number {
    return this.#ex.memory.buffer.byteLength;
  }
}
