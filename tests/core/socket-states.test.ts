// The socket state machine, one describe per state (see wasm/STATES.md).
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, Kind, SocketState, LOCAL, REMOTE, bytesOf } from "./rig.ts";

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

describe("Idle", () => {
  test("a new socket is Idle with a positive handle", () => {
    const h = rig.idle();
    expect(rig.core.state(h)).toBe(SocketState.Idle);
    expect(rig.core.isRefed(h)).toBe(true);
    expect(rig.core.liveHandles()).toBe(1);
  });

  test("connectAddress -> Connecting with IoConnect and the peer address held", () => {
    const h = rig.connecting();
    expect(rig.core.state(h)).toBe(SocketState.Connecting);
    expect(rig.core.peerAddress(h)).toEqual(REMOTE);
  });

  test("connectName -> Resolving with IoResolve (a = port)", () => {
    const h = rig.idle();
    expect(rig.core.connectName(h, "example.com", 443, rig.now)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "IoResolve", h, a: 443, b: 0 }]);
    expect(rig.core.state(h)).toBe(SocketState.Resolving);
  });

  test("connectPath needs an IPC socket", () => {
    const t = rig.idle();
    expect(rig.core.connectPath(t, "/tmp/x.sock", rig.now)).toBe(Code.InvalidArgument);
    const p = rig.idle(false, Kind.Ipc);
    expect(rig.core.connectPath(p, "/tmp/x.sock", rig.now)).toBe(Code.Ok);
    expect(rig.names()).toEqual(["IoConnect"]);
    expect(rig.core.state(p)).toBe(SocketState.Connecting);
    expect(rig.core.connectAddress(p, "127.0.0.1", 1, rig.now)).toBe(Code.InvalidState);
  });

  test("illegal in Idle: write, end, completions", () => {
    const h = rig.idle();
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.end(h, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onConnected(h, null, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onResolved(h, "1.2.3.4", 4, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onData(h, bytesOf(3), rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onError(h, Code.ConnectionReset, -104)).toBe(Code.InvalidState);
    expect(rig.core.onClosed(h)).toBe(Code.InvalidState);
    expect(rig.names()).toEqual([]);
    expect(rig.core.state(h)).toBe(SocketState.Idle);
  });

  test("bad arguments are refused without a state change", () => {
    const h = rig.idle();
    expect(rig.core.connectAddress(h, "not-an-ip", 80, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.connectAddress(h, "127.0.0.1", 65536, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.connectAddress(h, "127.0.0.1", -1, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.connectName(h, "", 80, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.connectName(h, "a".repeat(256), 80, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.connectName(h, "x.test", 80, NaN)).toBe(Code.InvalidArgument);
    expect(rig.core.socketOpen(7, false)).toBe(-Code.InvalidArgument);
    expect(rig.core.state(h)).toBe(SocketState.Idle);
  });

  test("destroy in Idle closes at once: Close(false), slot freed", () => {
    const h = rig.idle();
    expect(rig.core.destroy(h, false)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "Close", h, a: 0, b: 0 }]);
    expect(rig.core.state(h)).toBe(-Code.InvalidHandle);
    expect(rig.core.liveHandles()).toBe(0);
  });

  test("destroy with hadError reports it in Close", () => {
    const h = rig.idle();
    rig.core.destroy(h, false, true);
    expect(rig.drain()).toEqual([{ ev: "Close", h, a: 1, b: 0 }]);
  });
});

describe("Resolving", () => {
  test("onResolved -> Connecting: Lookup (a = family) then IoConnect", () => {
    const h = rig.resolving("example.com", 80);
    expect(rig.core.onResolved(h, "93.184.216.34", 4, rig.now)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([
      { ev: "Lookup", h, a: 4, b: 0 },
      { ev: "IoConnect", h, a: 0, b: 0 },
    ]);
    expect(rig.core.state(h)).toBe(SocketState.Connecting);
    expect(rig.core.peerAddress(h)).toEqual({ address: "93.184.216.34", port: 80, family: 4 });
  });

  test("a family that disagrees with the address text is refused", () => {
    const h = rig.resolving("example.com", 80);
    expect(rig.core.onResolved(h, "10.0.0.1", 6, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.onResolved(h, "::1", 4, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.state(h)).toBe(SocketState.Resolving);
  });

  test("IPv6 answers keep their family and text", () => {
    const h = rig.resolving("example.com", 8080);
    expect(rig.core.onResolved(h, "2001:db8::1", 6, rig.now)).toBe(Code.Ok);
    rig.drain();
    expect(rig.core.peerAddress(h)).toEqual({ address: "2001:db8::1", port: 8080, family: 6 });
  });

  test("a lookup error: Error then Close(true), no IoClose (no OS socket yet)", () => {
    const h = rig.resolving();
    expect(rig.core.onError(h, Code.NameUnresolvable, -3008)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([
      { ev: "Error", h, a: Code.NameUnresolvable, b: -3008 },
      { ev: "Close", h, a: 1, b: 0 },
    ]);
    expect(rig.core.liveHandles()).toBe(0);
  });

  test("destroy while resolving: a late answer meets a stale handle", () => {
    const h = rig.resolving();
    rig.core.destroy(h, false);
    expect(rig.names()).toEqual(["Close"]);
    expect(rig.core.onResolved(h, "1.2.3.4", 4, rig.now)).toBe(Code.InvalidHandle);
  });

  test("illegal in Resolving: second connect, onConnected, data", () => {
    const h = rig.resolving();
    expect(rig.core.connectAddress(h, "127.0.0.1", 1, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onConnected(h, null, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onClosed(h)).toBe(Code.InvalidState);
  });

  test("writes are accepted before the connection (the host holds them)", () => {
    const h = rig.resolving();
    expect(rig.core.write(h, 10, rig.now)).toBe(Code.Ok);
    expect(rig.core.bufferSize(h)).toBe(10);
  });
});

describe("Connecting", () => {
  test("onConnected -> Open with Connect and the local address", () => {
    const h = rig.connecting();
    expect(rig.core.onConnected(h, LOCAL, rig.now)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "Connect", h, a: 0, b: 0 }]);
    expect(rig.core.state(h)).toBe(SocketState.Open);
    expect(rig.core.localAddress(h)).toEqual(LOCAL);
  });

  test("a refused connect: Error(code, errno), IoClose, then Close(true)", () => {
    const h = rig.connecting();
    expect(rig.core.onError(h, Code.ConnectionRefused, -111)).toBe(Code.Ok);
    const recs = rig.drain();
    expect(recs).toEqual([
      { ev: "Error", h, a: Code.ConnectionRefused, b: -111 },
      { ev: "IoClose", h, a: 0, b: 0 },
    ]);
    expect(rig.core.state(h)).toBe(SocketState.Closing);
    expect(rig.answerCloses(recs)).toEqual([{ ev: "Close", h, a: 1, b: 0 }]);
  });

  test("end() before the connection ends it once connected", () => {
    const h = rig.connecting();
    expect(rig.core.end(h, rig.now)).toBe(Code.Ok);
    expect(rig.names()).toEqual([]);
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.InvalidState);
    rig.core.onConnected(h, LOCAL, rig.now);
    expect(rig.names()).toEqual(["Connect", "IoShutdown"]);
    expect(rig.core.state(h)).toBe(SocketState.ReadOnly);
  });

  test("the host closing on its own: Close without IoClose", () => {
    const h = rig.connecting();
    expect(rig.core.onClosed(h)).toBe(Code.Ok);
    expect(rig.names()).toEqual(["Close"]);
  });

  test("illegal in Connecting: data, eof, onResolved", () => {
    const h = rig.connecting();
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onResolved(h, "1.1.1.1", 4, rig.now)).toBe(Code.InvalidState);
  });
});

describe("Open", () => {
  test("flowing data with an empty buffer is delivered by the host (Deliver), counted", () => {
    const h = rig.open();
    expect(rig.core.onData(h, bytesOf(100), rig.now)).toBe(Code.Deliver);
    expect(rig.names()).toEqual([]);
    expect(rig.core.bytesRead(h)).toBe(100);
    expect(rig.core.readBuffered(h)).toBe(0);
    expect(rig.core.stats().bytesRead).toBe(100);
  });

  test("end() -> ReadOnly with IoShutdown", () => {
    const h = rig.open();
    expect(rig.core.end(h, rig.now)).toBe(Code.Ok);
    expect(rig.names()).toEqual(["IoShutdown"]);
    expect(rig.core.state(h)).toBe(SocketState.ReadOnly);
  });

  test("peer EOF with allowHalfOpen -> WriteOnly, End only", () => {
    const h = rig.open(true);
    rig.core.onEof(h, rig.now);
    expect(rig.names()).toEqual(["End"]);
    expect(rig.core.state(h)).toBe(SocketState.WriteOnly);
  });

  test("peer EOF without allowHalfOpen: End, our FIN, orderly close", () => {
    const h = rig.open(false);
    rig.core.onEof(h, rig.now);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["End", "IoShutdown", "IoClose"]);
    expect(recs[2].a).toBe(2); // orderly
    expect(rig.core.state(h)).toBe(SocketState.Closing);
    expect(rig.answerCloses(recs)).toEqual([{ ev: "Close", h, a: 0, b: 0 }]);
  });

  test("peer EOF without allowHalfOpen waits for queued writes before closing", () => {
    const h = rig.open(false);
    rig.core.write(h, 500, rig.now);
    rig.core.onEof(h, rig.now);
    expect(rig.names()).toEqual(["End", "IoShutdown"]);
    rig.core.onWritten(h, 200, rig.now);
    expect(rig.names()).toEqual([]);
    rig.core.onWritten(h, 300, rig.now);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["IoClose"]);
    rig.answerCloses(recs);
  });

  test("destroy -> Closing with IoClose(0); reset gives IoClose(1)", () => {
    const a = rig.open();
    const b = rig.open();
    rig.core.destroy(a, false);
    rig.core.destroy(b, true);
    expect(rig.drain()).toEqual([
      { ev: "IoClose", h: a, a: 0, b: 0 },
      { ev: "IoClose", h: b, a: 1, b: 0 },
    ]);
  });

  test("a read error: Error, IoClose, Close(true)", () => {
    const h = rig.open();
    rig.core.onError(h, Code.ConnectionReset, -104);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["Error", "IoClose"]);
    expect(rig.answerCloses(recs)).toEqual([{ ev: "Close", h, a: 1, b: 0 }]);
  });

  test("illegal in Open: connect again, onConnected again, bad error codes", () => {
    const h = rig.open();
    expect(rig.core.connectAddress(h, "127.0.0.1", 1, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.connectName(h, "x.test", 1, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onConnected(h, null, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onError(h, 0 as Code, 0)).toBe(Code.InvalidArgument);
    expect(rig.core.onError(h, 999 as Code, 0)).toBe(Code.InvalidArgument);
    expect(rig.core.state(h)).toBe(SocketState.Open);
  });

  test("options queue IoSetOption records and keep flags", () => {
    const h = rig.open();
    rig.core.setNoDelay(h, true);
    rig.core.setKeepAlive(h, true, 1500);
    rig.core.ref(h, false);
    expect(rig.drain()).toEqual([
      { ev: "IoSetOption", h, a: 1, b: 1 },
      { ev: "IoSetOption", h, a: 2, b: 1 },
      { ev: "IoSetOption", h, a: 3, b: 1500 },
      { ev: "IoSetOption", h, a: 4, b: 0 },
    ]);
    expect(rig.core.isRefed(h)).toBe(false);
  });
});

describe("ReadOnly (we ended)", () => {
  test("data still arrives", () => {
    const h = rig.readOnly();
    expect(rig.core.onData(h, bytesOf(5), rig.now)).toBe(Code.Deliver);
  });

  test("writes after end are refused", () => {
    const h = rig.readOnly();
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.InvalidState);
  });

  test("end again is a no-op", () => {
    const h = rig.readOnly();
    expect(rig.core.end(h, rig.now)).toBe(Code.Ok);
    expect(rig.names()).toEqual([]);
  });

  test("peer EOF -> Closing: End then an orderly IoClose, Close(false)", () => {
    const h = rig.readOnly();
    rig.core.onEof(h, rig.now);
    const recs = rig.drain();
    expect(recs).toEqual([
      { ev: "End", h, a: 0, b: 0 },
      { ev: "IoClose", h, a: 2, b: 0 },
    ]);
    expect(rig.answerCloses(recs)).toEqual([{ ev: "Close", h, a: 0, b: 0 }]);
  });

  test("a second EOF is refused", () => {
    const h = rig.readOnly();
    rig.core.pause(h);
    rig.core.onEof(h, rig.now);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.InvalidState);
  });
});

describe("WriteOnly (peer ended)", () => {
  test("writes still go out, data does not come in", () => {
    const h = rig.writeOnly();
    expect(rig.core.write(h, 10, rig.now)).toBe(Code.Ok);
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.InvalidState);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.InvalidState);
    rig.core.onWritten(h, 10, rig.now);
  });

  test("end() -> Closing with IoShutdown and an orderly IoClose", () => {
    const h = rig.writeOnly();
    rig.core.end(h, rig.now);
    const recs = rig.drain();
    expect(recs.map((r) => [r.ev, r.a])).toEqual([["IoShutdown", 0], ["IoClose", 2]]);
    expect(rig.core.state(h)).toBe(SocketState.Closing);
    expect(rig.answerCloses(recs).map((r) => r.ev)).toEqual(["Close"]);
  });
});

describe("Closing", () => {
  test("onClosed -> Closed: Close(false), slot freed, handle stale", () => {
    const h = rig.closing();
    expect(rig.core.onClosed(h)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "Close", h, a: 0, b: 0 }]);
    expect(rig.core.state(h)).toBe(-Code.InvalidHandle);
    expect(rig.core.onClosed(h)).toBe(Code.InvalidHandle);
  });

  test("late completions are dropped quietly or refused; nothing is emitted", () => {
    const h = rig.closing();
    expect(rig.core.onError(h, Code.ConnectionReset, -104)).toBe(Code.Ok);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.Ok);
    expect(rig.core.onData(h, bytesOf(4), rig.now)).toBe(Code.InvalidState);
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.destroy(h, false)).toBe(Code.Ok); // already queued: no second IoClose
    expect(rig.names()).toEqual([]);
  });

  test("destroy drops both buffers at once", () => {
    const h = rig.open();
    rig.core.write(h, 1000, rig.now);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(300), rig.now);
    expect(rig.core.stats().bufferedBytes).toBe(1300);
    rig.core.destroy(h, false);
    expect(rig.core.stats().bufferedBytes).toBe(0);
    expect(rig.core.bufferSize(h)).toBe(0);
    expect(rig.core.readBuffered(h)).toBe(0);
  });
});

describe("handles", () => {
  test("a freed slot's old handle is stale, even after the slot is reused", () => {
    const r = new Rig({ capacity: 1 });
    const a = r.idle();
    r.core.destroy(a, false);
    r.drain();
    const b = r.idle();
    expect(b & 0xffff).toBe(a & 0xffff);
    expect(b).not.toBe(a);
    expect(r.core.state(a)).toBe(-Code.InvalidHandle);
    expect(r.core.write(a, 1, r.now)).toBe(Code.InvalidHandle);
    expect(r.core.destroy(a, false)).toBe(Code.InvalidHandle);
    expect(r.core.state(b)).toBe(SocketState.Idle);
    r.finish();
  });

  test("forged handles: 0, out of range, wrong generation, negative", () => {
    const h = rig.idle();
    for (const f of [0, 63, 0xffff, h + 0x10000, h ^ 0x40000000, -1, -h, 2 ** 32 - 1]) {
      expect(rig.core.state(f)).toBe(-Code.InvalidHandle);
      expect(rig.core.write(f, 1, rig.now)).toBe(Code.InvalidHandle);
      expect(rig.core.onClosed(f)).toBe(Code.InvalidHandle);
    }
  });

  test("a full table returns TableFull; maxSockets returns QuotaExceeded", () => {
    const r = new Rig({ capacity: 2 });
    r.idle();
    r.idle();
    expect(r.core.socketOpen(Kind.Tcp, false)).toBe(-Code.QuotaExceeded); // maxSockets defaults to capacity
    r.finish();
    const q = new Rig({ capacity: 4, quotas: { maxSockets: 1 } });
    q.idle();
    expect(q.core.socketOpen(Kind.Tcp, false)).toBe(-Code.QuotaExceeded);
    expect(q.core.serverOpen(Kind.Tcp)).toBe(-Code.QuotaExceeded);
    q.finish();
  });

  test("socket calls on a server handle get InvalidHandle", () => {
    const s = rig.server();
    expect(rig.core.write(s, 1, rig.now)).toBe(Code.InvalidHandle);
    expect(rig.core.connectAddress(s, "127.0.0.1", 1, rig.now)).toBe(Code.InvalidHandle);
    const h = rig.idle();
    expect(rig.core.serverClose(h)).toBe(Code.InvalidHandle);
  });
});
