// Property test: random sequences of script calls, I/O completions, drains, stale and
// forged handles and out-of-range pointers, checked after every step against a small
// model of the table and the buffers. No trap, no divergence, no illegal transition.
// CI runs >= 100k steps; `npm run test:long` (WASOCK_LONG=n) runs n x 20 times more.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Core, RAW } from "../../host/core/core.ts";
import { Code, Ev, Kind, SocketState as S, ServerState as V } from "../../host/core/api.ts";

const LONG = Number(process.env.WASOCK_LONG ?? 0);
const STEPS = 100_000 * (LONG > 0 ? 20 * LONG : 1);
const RUN_LEN = 400;
const CAPACITY = 8;

/** STATES.md, as (from -> to) pairs */
const SOCKET_MOVES = new Set([
  [S.Idle, S.Resolving], [S.Idle, S.Connecting], [S.Idle, S.Closed],
  [S.Resolving, S.Connecting], [S.Resolving, S.Closed],
  [S.Connecting, S.Open], [S.Connecting, S.Closing], [S.Connecting, S.Closed],
  [S.Open, S.ReadOnly], [S.Open, S.WriteOnly], [S.Open, S.Closing], [S.Open, S.Closed],
  [S.ReadOnly, S.Closing], [S.ReadOnly, S.Closed],
  [S.WriteOnly, S.Closing], [S.WriteOnly, S.Closed],
  [S.Closing, S.Closed],
].map(([a, b]) => `${a}>${b}`));
const SERVER_MOVES = new Set([
  [V.Idle, V.Binding], [V.Idle, V.Closed],
  [V.Binding, V.Listening], [V.Binding, V.Idle], [V.Binding, V.Closing],
  [V.Listening, V.Closing], [V.Closing, V.Closed],
].map(([a, b]) => `${a}>${b}`));

interface MSock { server: false; queued: number; rbuf: Uint8Array; dropped: boolean; dropSeen: boolean }
interface MServ { server: true }
type MEntry = MSock | MServ;

type Op =
  | { t: "openSocket"; kind: number; aho: boolean }
  | { t: "openServer"; kind: number }
  | { t: "call"; fn: string; pick: number; n: number }
  | { t: "data"; pick: number; len: number; seed: number }
  | { t: "drain"; max: number }
  | { t: "progress"; pick: number; n: number }
  | { t: "tick"; dt: number }
  | { t: "badPtr"; fn: string; pick: number; ptr: number; len: number }
  | { t: "huge"; fn: "write" | "data_in" | "on_written"; pick: number; len: number };

const CALLS = [
  "connectAddress", "connectName", "connectPath", "onResolved", "onConnected", "listen", "onListening",
  "onAccepted", "write", "onWritten", "end", "destroy", "pause", "resume", "onEof", "onError", "onClosed",
  "setTimeout", "serverClose", "setMaxConnections", "setHighWaterMark", "setNoDelay", "ref",
];
const RAW_PTR_FNS = [
  "connect_name", "connect_address", "connect_path", "listen_address", "listen_path", "on_resolved",
  "on_connected", "on_listening", "on_accepted", "policy_add_host", "policy_add_cidr", "policy_add_path",
];

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("openSocket" as const), kind: fc.integer({ min: 0, max: 2 }), aho: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("openServer" as const), kind: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 20, arbitrary: fc.record({ t: fc.constant("call" as const), fn: fc.constantFrom(...CALLS), pick: fc.nat(), n: fc.integer({ min: -2, max: 40_000 }) }) },
  { weight: 5, arbitrary: fc.record({
    t: fc.constant("data" as const), pick: fc.nat(),
    len: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 2048 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 40_000 }) }),
    seed: fc.nat(255),
  }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("drain" as const), max: fc.integer({ min: 0, max: 50 }) }) },
  { weight: 12, arbitrary: fc.record({ t: fc.constant("progress" as const), pick: fc.nat(), n: fc.integer({ min: 0, max: 40_000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("tick" as const), dt: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({
    t: fc.constant("huge" as const), fn: fc.constantFrom("write" as const, "data_in" as const, "on_written" as const), pick: fc.nat(),
    len: fc.constantFrom(2 ** 31 - 1, 2 ** 30, 2 ** 30 + 1, 2 ** 29, -(2 ** 31), 1 << 20),
  }) },
  { weight: 2, arbitrary: fc.record({
    t: fc.constant("badPtr" as const), fn: fc.constantFrom(...RAW_PTR_FNS), pick: fc.nat(),
    ptr: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: -1, max: 1 }).map((d) => 0x4000_0000 + d)),
    len: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 1000, max: 2000 }), fc.integer()),
  }) },
);

/** a cheap assertion for the hot path (expect() per step is too slow for 100k steps) */
function eq(got: unknown, want: unknown, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}

function ok(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

/** what the run reached, so a weak generator shows (printed with WASOCK_PROP_STATS=1) */
const seen = new Map<string, number>();
function saw(what: string): void {
  seen.set(what, (seen.get(what) ?? 0) + 1);
}

const forged = [0, 1, 0xffff, 0x10000 + CAPACITY, 0x7fff0000, 0x80010000, -1, 2 ** 31 - 1, 2 ** 32 - 1];

class Harness {
  core: Core;
  raw: Record<string, (...a: number[]) => number>;

  /** small quotas exercise quota-exceeded; the defaults exercise the i32 limits */
  constructor(smallQuotas: boolean) {
    this.core = Core.create({
      capacity: CAPACITY,
      quotas: smallQuotas ? { maxBufferedBytesPerSocket: 100_000, maxBufferedBytesTotal: 250_000 } : {},
    });
    this.raw = this.core[RAW]() as unknown as Record<string, (...a: number[]) => number>;
  }

  live = new Map<number, MEntry>();
  issued = new Set<number>();
  stale: number[] = [];
  /** freed by the core (Close or ServerClose queued, or a dropped socket closed), record not yet drained */
  freed = new Map<number, "close" | "none">();
  now = 0;
  steps = 0;

  pick(i: number): number {
    const keys = [...this.live.keys()];
    if (keys.length > 0 && i % 10 < 8) return keys[(i >>> 4) % keys.length]; // mostly live handles
    const pool = keys.length + Math.min(this.stale.length, 4) + forged.length;
    let k = i % pool;
    if (k < keys.length) return keys[k];
    k -= keys.length;
    if (k < Math.min(this.stale.length, 4)) return this.stale[this.stale.length - 1 - k];
    return forged[k - Math.min(this.stale.length, 4)];
  }

  sock(h: number): MSock | null {
    const e = this.live.get(h);
    return e && !e.server ? e : null;
  }

  add(h: number, server: boolean): void {
    ok(h > 0, `handle ${h}`);
    ok(!this.issued.has(h), `handle ${h} issued twice (ABA)`);
    this.issued.add(h);
    this.live.set(h, server ? { server: true } : { server: false, queued: 0, rbuf: new Uint8Array(0), dropped: false, dropSeen: false });
  }

  /** the core freed h: its buffers must be empty; its Close/ServerClose is due unless dropped */
  remove(h: number): void {
    const e = this.live.get(h);
    ok(e !== undefined, `freed unknown handle ${h}`);
    if (e && !e.server) {
      eq(e.queued, 0, "queued bytes at free");
      eq(e.rbuf.length, 0, "read bytes at free");
    }
    if (e && !e.server && e.dropped) {
      if (!e.dropSeen) this.freed.set(h, "none"); // its Drop record is still due
    } else {
      this.freed.set(h, "close");
    }
    this.live.delete(h);
    this.stale.push(h);
    if (this.stale.length > 16) this.stale.shift();
  }

  /** finds handles the core freed during the last call */
  sweep(): void {
    for (const h of [...this.live.keys()]) if (this.core.state(h) < 0) this.remove(h);
  }

  closeRecord(h: number): void {
    eq(this.freed.get(h), "close", `Close for ${h}`); // exactly one per freed handle, never for a dropped one
    this.freed.delete(h);
  }

  clearBuffers(h: number): void {
    const s = this.sock(h);
    if (s) {
      s.queued = 0;
      s.rbuf = new Uint8Array(0);
    }
  }

  drain(max: number): void {
    let n = 0;
    this.core.drain((kind, h, a, b) => {
      n++;
      saw(`ev ${kind}`);
      switch (kind) {
        case Ev.Data: {
          const s = this.sock(h);
          ok(s !== null, "Data for a socket the model does not hold");
          const got = this.core.bytes(a, b);
          ok(b > 0 && b <= s!.rbuf.length, `Data length ${b} of ${s!.rbuf.length} buffered`);
          for (let i = 0; i < b; i++) if (got[i] !== s!.rbuf[i]) throw new Error(`Data byte ${i} differs`);
          s!.rbuf = s!.rbuf.slice(b);
          break;
        }
        case Ev.Close: this.closeRecord(h); break;
        case Ev.ServerClose: this.closeRecord(h); break;
        case Ev.Drop: {
          // the dropped socket is born Closing; it may be freed before this record is drained
          const d = this.sock(a);
          ok(d?.dropped === true || this.freed.get(a) === "none", "Drop of a socket that was not dropped");
          if (d === null) this.freed.delete(a);
          else d.dropSeen = true;
          break;
        }
        case Ev.Connection: ok(this.sock(a) !== null || this.freed.has(a), "Connection of an unknown socket"); break;
        // other records may outlive their handle in the queue (the host answered before draining)
        default: ok(this.issued.has(h), `record ${kind} names a handle never issued: ${h}`);
      }
    });
    void max;
    void n;
  }

  call(fn: string, h: number, n: number): number {
    const c = this.core;
    const now = this.now;
    switch (fn) {
      case "connectAddress": return c.connectAddress(h, n % 3 === 0 ? "::1" : "127.0.0.1", n & 0xffff, now);
      case "connectName": return c.connectName(h, "host.test", n & 0xffff, now);
      case "connectPath": return c.connectPath(h, "/tmp/p.sock", now);
      case "onResolved": return c.onResolved(h, n % 2 ? "10.0.0.1" : "2001:db8::1", n % 2 ? 4 : 6, now);
      case "onConnected": return c.onConnected(h, n % 2 ? { address: "127.0.0.1", port: 1, family: 4 } : null, now);
      case "listen": return n % 2 ? c.listenAddress(h, "0.0.0.0", n & 0xffff, n % 5) : c.listenPath(h, "/tmp/s.sock", n % 5);
      case "onListening": return c.onListening(h, null);
      case "onAccepted": return c.onAccepted(h, null, now);
      case "write": return c.write(h, n, now);
      case "onWritten": return c.onWritten(h, n, now);
      case "end": return c.end(h, now);
      case "destroy": return c.destroy(h, n % 2 === 0, n % 3 === 0);
      case "pause": return c.pause(h);
      case "resume": return c.resume(h);
      case "onEof": return c.onEof(h, now);
      case "onError": return c.onError(h, (Math.abs(n) % 28) as Code, -104);
      case "onClosed": return c.onClosed(h);
      case "setTimeout": return c.setTimeout(h, n % 5000, now);
      case "serverClose": return c.serverClose(h);
      case "setMaxConnections": return c.setMaxConnections(h, (n % 4) - 1);
      case "setHighWaterMark": return c.setHighWaterMark(h, n);
      case "setNoDelay": return c.setNoDelay(h, n % 2 === 0);
      case "ref": return c.ref(h, n % 2 === 0);
    }
    throw new Error(fn);
  }

  step(op: Op): void {
    this.steps++;
    const c = this.core;
    switch (op.t) {
      case "openSocket": {
        const h = c.socketOpen(op.kind, op.aho);
        if (h > 0) this.add(h, false);
        else ok([-Code.InvalidArgument, -Code.QuotaExceeded, -Code.TableFull].includes(h), `socketOpen ${h}`);
        if (op.kind > 1) eq(h, -Code.InvalidArgument, "bad kind");
        break;
      }
      case "openServer": {
        const h = c.serverOpen(op.kind, op.kind === 0, false);
        if (h > 0) this.add(h, true);
        else ok([-Code.QuotaExceeded, -Code.TableFull].includes(h), `serverOpen ${h}`);
        break;
      }
      case "call": {
        const h = this.pick(op.pick);
        const known = this.live.get(h);
        const before = c.state(h);
        const wasServer = c.isServer(h);
        const r = this.call(op.fn, h, op.n);
        if (known) saw(`${op.fn} -> ${r}`);
        eq(typeof r, "number", "result type");
        if (!known) eq(r, op.fn === "onAccepted" ? -Code.InvalidHandle : Code.InvalidHandle, `${op.fn} on an unknown handle`);
        if (!known) break;
        const after = c.state(h);
        this.checkMove(wasServer === true, before, after < 0 ? (wasServer ? V.Closed : S.Closed) : after);
        const s = this.sock(h);
        if (op.fn === "onAccepted" && r > 0) {
          this.add(r, false);
          (this.live.get(r) as MSock).dropped = c.state(r) === S.Closing; // refused by maxConnections
        }
        if (s) {
          if (op.fn === "write" && r === Code.Ok) s.queued += op.n;
          if (op.fn === "onWritten" && r === Code.Ok) s.queued -= op.n;
          // the calls that drop both buffers (a destroy); end/EOF closings wait for the writes
          const dropped =
            (r === Code.Ok && (op.fn === "destroy" || op.fn === "onClosed")) ||
            (r === Code.Ok && op.fn === "onError" && before !== S.Closing) ||
            (r === Code.PolicyDenied && op.fn === "onResolved");
          if (dropped) this.clearBuffers(h);
        }
        break;
      }
      case "data": {
        const h = this.pick(op.pick);
        const bytes = new Uint8Array(op.len);
        for (let i = 0; i < op.len; i++) bytes[i] = (op.seed + i * 7) & 0xff;
        const r = c.onData(h, bytes, this.now);
        const s = this.sock(h);
        if (!s) { eq(r, Code.InvalidHandle, "data on an unknown handle"); break; }
        if (op.len === 0) eq(r, Code.InvalidArgument, "empty data");
        if (r === Code.Ok) {
          const joined = new Uint8Array(s.rbuf.length + bytes.length);
          joined.set(s.rbuf);
          joined.set(bytes, s.rbuf.length);
          s.rbuf = joined;
        }
        if (r === Code.QuotaExceeded) this.clearBuffers(h);
        ok([Code.Ok, Code.Deliver, Code.QuotaExceeded, Code.InvalidState, Code.InvalidArgument, Code.WouldBlock].includes(r), `data result ${r}`);
        break;
      }
      case "drain":
        this.drain(op.max);
        break;
      case "progress": {
        // the natural next input for the handle's state, so runs get deep into the machine
        const h = this.pick(op.pick);
        const st = c.state(h);
        const server = c.isServer(h);
        let next: Op | null = null;
        const call = (fn: string): Op => ({ t: "call", fn, pick: op.pick, n: op.n });
        if (server === true) {
          next = st === V.Idle ? call("listen") : st === V.Binding ? call("onListening")
            : st === V.Listening ? (op.n % 7 === 0 ? call("setMaxConnections") : call("onAccepted")) : call("onClosed");
        } else if (server === false) {
          const k = op.n % 8;
          if (st === S.Idle) next = call(k < 4 ? "connectAddress" : k < 6 ? "connectName" : "connectPath");
          else if (st === S.Resolving) next = call("onResolved");
          else if (st === S.Connecting) next = call("onConnected");
          else if (st === S.Closing) next = call("onClosed");
          else if (k < 3) next = { t: "data", pick: op.pick, len: 1 + (op.n % 3000), seed: op.n & 0xff };
          else if (k === 6) {
            const q = Math.max(0, c.bufferSize(h));
            next = { t: "call", fn: "onWritten", pick: op.pick, n: (op.n >> 3) % 2 ? q : (op.n >> 4) % (q + 1) }; // flush all, or part
          } else next = call(["pause", "resume", "write", "", "onEof"][k - 3]);
        }
        if (next) {
          this.steps--; // counted once, as this step
          this.step(next);
          return;
        }
        break;
      }
      case "tick":
        this.now += op.dt;
        c.tick(this.now);
        break;
      case "huge": {
        // extreme lengths straight at the raw exports: codes, never a trap or an overflow
        const h = this.pick(op.pick);
        const r = this.raw[op.fn](h, op.len, this.now);
        const s = this.sock(h);
        if (!s) {
          eq(r, op.fn === "data_in" ? -Code.InvalidHandle : Code.InvalidHandle, `${op.fn} on an unknown handle`);
          break;
        }
        if (op.fn === "write" && r === Code.Ok) s.queued += op.len;
        if (op.fn === "on_written" && r === Code.Ok) s.queued -= op.len;
        if (op.fn === "data_in") {
          ok(r <= 0 || op.len <= 1 << 20, `data_in granted ${op.len} bytes, past the read cap`);
          if (r > 0) {
            // granted: the host copies the bytes there now
            const bytes = new Uint8Array(op.len).fill(0xa5);
            new Uint8Array(this.core[RAW]().memory.buffer).set(bytes, r);
            const joined = new Uint8Array(s.rbuf.length + bytes.length);
            joined.set(s.rbuf);
            joined.set(bytes, s.rbuf.length);
            s.rbuf = joined;
          }
          if (r === -Code.QuotaExceeded) this.clearBuffers(h);
        }
        break;
      }
      case "badPtr": {
        const h = this.pick(op.pick);
        const f = this.raw[op.fn];
        const r = f(...argsFor(op.fn, h, op.ptr, op.len, this.now));
        const scratch = this.raw.scratch_ptr();
        const cap = this.raw.scratch_cap();
        const span = op.fn.includes("address") || op.fn.includes("resolved") || op.fn.includes("connected") ||
          op.fn.includes("listening") || op.fn.includes("accepted") || op.fn.includes("cidr") ? 16 : op.len;
        const inside = op.ptr >= scratch && span >= 0 && op.ptr + span <= scratch + cap;
        const absent = op.ptr === 0 && /^on_(connected|listening|accepted)$/.test(op.fn); // 0 = no address
        if (!inside && !absent) {
          // never success with a pointer outside the granted block
          ok(!(r === Code.Ok || (op.fn === "on_accepted" && r > 0)), `${op.fn} succeeded with ptr ${op.ptr}`);
          if (!this.live.has(h) && !op.fn.startsWith("policy")) {
            eq(r, op.fn === "on_accepted" ? -Code.InvalidHandle : Code.InvalidHandle, "handle checked first");
          }
        }
        if (op.fn === "on_accepted" && r > 0) {
          this.add(r, false);
          (this.live.get(r) as MSock).dropped = this.core.state(r) === S.Closing;
        }
        break;
      }
    }
    this.sweep();
    this.checkInvariants();
  }

  /** one call may chain legal moves (onConnected after an early end(): Connecting > Open > ReadOnly) */
  checkMove(server: boolean, before: number, after: number): void {
    if (before === after || before < 0) return;
    const moves = server ? SERVER_MOVES : SOCKET_MOVES;
    const legal = moves.has(`${before}>${after}`) ||
      [...moves].some((m) => m.startsWith(`${before}>`) && moves.has(`${m.split(">")[1]}>${after}`));
    ok(legal, `illegal ${server ? "server" : "socket"} move ${before}>${after}`);
  }

  checkInvariants(): void {
    const c = this.core;
    eq(c.checkInvariants(), this.live.size, "checkInvariants"); // the core's own table walk
    eq(c.liveHandles(), this.live.size, "liveHandles");
    let sockets = 0;
    let buffered = 0;
    for (const [h, e] of this.live) {
      if (e.server) {
        eq(c.isServer(h), true, "isServer");
        continue;
      }
      sockets++;
      buffered += e.queued + e.rbuf.length;
      eq(c.bufferSize(h), e.queued, "bufferSize");
      eq(c.readBuffered(h), e.rbuf.length, "readBuffered");
    }
    const st = c.stats();
    eq(st.sockets, sockets, "stats.sockets");
    eq(st.servers, this.live.size - sockets, "stats.servers");
    eq(st.bufferedBytes, buffered, "stats.bufferedBytes");
    for (let i = Math.max(0, this.stale.length - 3); i < this.stale.length; i++) {
      eq(c.state(this.stale[i]), -Code.InvalidHandle, "stale handle state");
    }
  }

  /** closes everything through the API: the leak check at the end of each run */
  finish(): void {
    const c = this.core;
    for (let round = 0; round < 6 && c.liveHandles() > 0; round++) {
      for (const h of c.handles()) {
        const server = c.isServer(h);
        if (c.state(h) === (server ? V.Closing : S.Closing)) c.onClosed(h);
        else if (server) c.serverClose(h);
        else c.destroy(h, false);
        this.clearBuffers(h);
      }
      this.sweep();
      this.drain(Infinity);
    }
    this.sweep();
    this.drain(Infinity);
    expect([...this.freed.keys()]).toEqual([]);
    expect(c.liveHandles()).toBe(0);
    expect(this.live.size).toBe(0);
    expect(c.stats().bufferedBytes).toBe(0);
    expect(c.pendingRecords()).toBe(0);
  }
}

function argsFor(fn: string, h: number, ptr: number, len: number, now: number): number[] {
  switch (fn) {
    case "connect_name": return [h, ptr, len, 80, now];
    case "connect_address": return [h, ptr, 4, 80, now];
    case "connect_path": return [h, ptr, len, now];
    case "listen_address": return [h, ptr, 6, 80, 0];
    case "listen_path": return [h, ptr, len, 0];
    case "on_resolved": return [h, ptr, 4, now];
    case "on_connected": return [h, ptr, 4, 1, now];
    case "on_listening": return [h, ptr, 6, 1];
    case "on_accepted": return [h, ptr, 4, 1, now];
    case "policy_add_host": return [0, 0, ptr, len, 0, 65535];
    case "policy_add_cidr": return [0, 1, ptr, 8, 0, 65535];
    case "policy_add_path": return [1, 0, ptr, len];
  }
  throw new Error(fn);
}

describe("property: random calls and completions against the model", () => {
  test(`${STEPS} steps, no trap, no divergence`, () => {
    let total = 0;
    const runs = Math.ceil(STEPS / RUN_LEN);
    const out = fc.check(
      fc.property(fc.boolean(), fc.array(opArb, { minLength: RUN_LEN, maxLength: RUN_LEN }), (small, ops) => {
        const hs = new Harness(small);
        ops.forEach((op, i) => {
          try {
            hs.step(op);
          } catch (e) {
            // a short report: the failing step and the ones before it
            const recent = ops.slice(Math.max(0, i - 12), i + 1).map((o) => JSON.stringify(o)).join("\n  ");
            throw new Error(`step ${i}: ${(e as Error).message}\n  ${recent}`);
          }
        });
        hs.finish();
        total += hs.steps;
      }),
      { numRuns: runs, seed: LONG > 0 ? undefined : 0x5eed, endOnFailure: true },
    );
    if (out.failed) throw new Error(`seed ${out.seed}, run ${out.numRuns}: ${String((out.errorInstance as Error | undefined)?.message ?? out.errorInstance)}`);
    expect(total).toBeGreaterThanOrEqual(STEPS);
    if (process.env.WASOCK_PROP_STATS) console.log([...seen].sort().map(([k, v]) => `${k}: ${v}`).join("\n"));
    // the generator reaches the interesting places
    for (const ev of [Ev.Data, Ev.End, Ev.Close, Ev.Drop, Ev.Connection, Ev.Timeout, Ev.Drain, Ev.IoReadStop]) {
      expect(seen.get(`ev ${ev}`) ?? 0, `records of kind ${ev}`).toBeGreaterThan(0);
    }
  }, 600_000);
});
