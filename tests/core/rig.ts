/**
 * A fake I/O driver and a virtual clock around one Core, with fixture builders per
 * state. No ports, no sleeps: time moves only through `advance()`.
 */
import { expect } from "vitest";
import { Core } from "../../host/core/core.ts";
import { Code, Ev, Kind, SocketState, ServerState, type CoreOptions } from "../../host/core/api.ts";

export { Code, Ev, Kind, SocketState, ServerState };

export const EV_NAME: Record<number, string> = {
  1: "IoResolve", 2: "IoConnect", 3: "IoListen", 4: "IoShutdown", 5: "IoClose",
  6: "IoReadStart", 7: "IoReadStop", 8: "IoSetOption", 9: "IoSend",
  32: "Connect", 33: "Data", 34: "End", 35: "Drain", 36: "Timeout", 37: "Error",
  38: "Close", 39: "Connection", 40: "Listening", 41: "Drop", 42: "Lookup", 43: "ServerClose",
};

export interface Rec {
  ev: string;
  h: number;
  a: number;
  b: number;
  /** Data: the bytes, copied out during the drain */
  data?: number[];
}

export const LOCAL = { address: "127.0.0.1", port: 40000, family: 4 as const };
export const REMOTE = { address: "127.0.0.1", port: 50000, family: 4 as const };

export class Rig {
  readonly core: Core;
  now = 1000;
  /** every record drained so far */
  readonly log: Rec[] = [];

  constructor(opts: CoreOptions = {}) {
    this.core = Core.create({ capacity: 64, ...opts });
  }

  /** Pops every waiting record; returns those drained by this call. */
  drain(): Rec[] {
    const got: Rec[] = [];
    this.core.drain((kind, h, a, b) => {
      const r: Rec = { ev: EV_NAME[kind] ?? `?${kind}`, h, a, b };
      if (kind === Ev.Data) r.data = Array.from(this.core.bytes(a, b));
      got.push(r);
    });
    this.log.push(...got);
    return got;
  }

  /** drain() as "Name" or "Name:a" strings, for compact expectations */
  names(): string[] {
    return this.drain().map((r) => r.ev);
  }

  advance(ms: number): void {
    this.now += ms;
    this.core.tick(this.now);
  }

  /** jumps the clock to the next deadline (if any) and ticks */
  toDeadline(): boolean {
    const d = this.core.nextDeadline();
    if (d < 0) return false;
    this.now = Math.max(this.now, d);
    this.core.tick(this.now);
    return true;
  }

  // ---- fixture builders (each drains what it produced) ----------------------

  idle(allowHalfOpen = false, kind = Kind.Tcp): number {
    const h = this.core.socketOpen(kind, allowHalfOpen);
    expect(h).toBeGreaterThan(0);
    return h;
  }

  resolving(name = "example.com", port = 80, allowHalfOpen = false): number {
    const h = this.idle(allowHalfOpen);
    expect(this.core.connectName(h, name, port, this.now)).toBe(Code.Ok);
    expect(this.names()).toEqual(["IoResolve"]);
    return h;
  }

  connecting(allowHalfOpen = false): number {
    const h = this.idle(allowHalfOpen);
    expect(this.core.connectAddress(h, REMOTE.address, REMOTE.port, this.now)).toBe(Code.Ok);
    expect(this.names()).toEqual(["IoConnect"]);
    return h;
  }

  open(allowHalfOpen = false): number {
    const h = this.connecting(allowHalfOpen);
    expect(this.core.onConnected(h, LOCAL, this.now)).toBe(Code.Ok);
    expect(this.names()).toEqual(["Connect"]);
    return h;
  }

  /** we ended; the peer still sends */
  readOnly(): number {
    const h = this.open(true);
    expect(this.core.end(h, this.now)).toBe(Code.Ok);
    expect(this.names()).toEqual(["IoShutdown"]);
    return h;
  }

  /** the peer ended; we still send */
  writeOnly(): number {
    const h = this.open(true);
    expect(this.core.onEof(h, this.now)).toBe(Code.Ok);
    expect(this.names()).toEqual(["End"]);
    return h;
  }

  /** destroyed; waiting for the host's onClosed */
  closing(): number {
    const h = this.open();
    expect(this.core.destroy(h, false)).toBe(Code.Ok);
    expect(this.names()).toEqual(["IoClose"]);
    return h;
  }

  server(kind = Kind.Tcp, allowHalfOpen = false, pauseOnConnect = false): number {
    const s = this.core.serverOpen(kind, allowHalfOpen, pauseOnConnect);
    expect(s).toBeGreaterThan(0);
    return s;
  }

  binding(backlog = 0): number {
    const s = this.server();
    expect(this.core.listenAddress(s, "127.0.0.1", 8000, backlog)).toBe(Code.Ok);
    expect(this.names()).toEqual(["IoListen"]);
    return s;
  }

  listening(backlog = 0): number {
    const s = this.binding(backlog);
    expect(this.core.onListening(s, { address: "127.0.0.1", port: 8000, family: 4 })).toBe(Code.Ok);
    expect(this.names()).toEqual(["Listening"]);
    return s;
  }

  /** accepts one connection on a listening server and drains its Connection */
  accepted(server: number): number {
    const h = this.core.onAccepted(server, REMOTE, this.now);
    expect(h).toBeGreaterThan(0);
    expect(this.drain()).toEqual([{ ev: "Connection", h: server, a: h, b: 0 }]);
    return h;
  }

  // ---- the fake driver answering close requests -----------------------------

  /** answers every IoClose in `recs` with onClosed; returns what that queued */
  answerCloses(recs: Rec[]): Rec[] {
    for (const r of recs) if (r.ev === "IoClose") expect(this.core.onClosed(r.h)).toBe(Code.Ok);
    return this.drain();
  }

  /** closes everything still alive through the public API, then checks for leaks */
  finish(): void {
    const c = this.core;
    this.drain();
    for (let round = 0; round < 4 && c.liveHandles() > 0; round++) {
      for (const h of c.handles()) {
        const server = c.isServer(h);
        const closing = c.state(h) === (server ? ServerState.Closing : SocketState.Closing);
        if (closing) c.onClosed(h); // its IoClose was drained by the test and never answered
        else if (server) c.serverClose(h);
        else c.destroy(h, false);
      }
      let recs = this.drain();
      while (recs.some((r) => r.ev === "IoClose")) recs = this.answerCloses(recs);
    }
    expectClean(c);
  }
}

/** the leak check: table empty, buffers released, no records waiting */
export function expectClean(c: Core): void {
  expect(c.checkInvariants()).toBe(0);
  expect(c.liveHandles()).toBe(0);
  const st = c.stats();
  expect(st.sockets).toBe(0);
  expect(st.servers).toBe(0);
  expect(st.bufferedBytes).toBe(0);
  expect(c.pendingRecords()).toBe(0);
}

export function bytesOf(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
