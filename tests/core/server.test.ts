// The server state machine: listen, accept queue, maxConnections and drop,
// getConnections, and close waiting for its connections.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, Kind, ServerState, SocketState, REMOTE } from "./rig.ts";

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

describe("server Idle", () => {
  test("listenAddress -> Binding with IoListen and the address held", () => {
    const s = rig.binding();
    expect(rig.core.state(s)).toBe(ServerState.Binding);
    expect(rig.core.localAddress(s)).toEqual({ address: "127.0.0.1", port: 8000, family: 4 });
  });

  test("listenPath needs an IPC server; a TCP server refuses it", () => {
    const t = rig.server();
    expect(rig.core.listenPath(t, "/tmp/s.sock", 0)).toBe(Code.InvalidArgument);
    const p = rig.server(Kind.Ipc);
    expect(rig.core.listenAddress(p, "127.0.0.1", 1, 0)).toBe(Code.InvalidArgument);
    expect(rig.core.listenPath(p, "/tmp/s.sock", 0)).toBe(Code.Ok);
    expect(rig.names()).toEqual(["IoListen"]);
  });

  test("serverClose on an idle server: ServerClose at once (Node emits 'close')", () => {
    const s = rig.server();
    expect(rig.core.serverClose(s)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "ServerClose", h: s, a: 0, b: 0 }]);
    expect(rig.core.state(s)).toBe(-Code.InvalidHandle);
  });

  test("illegal in Idle: onListening, onAccepted, onClosed, onError", () => {
    const s = rig.server();
    expect(rig.core.onListening(s, null)).toBe(Code.InvalidState);
    expect(rig.core.onAccepted(s, REMOTE, rig.now)).toBe(-Code.InvalidState);
    expect(rig.core.onClosed(s)).toBe(Code.InvalidState);
    expect(rig.core.onError(s, Code.AddressInUse, -98)).toBe(Code.InvalidState);
  });

  test("bad listen arguments", () => {
    const s = rig.server();
    expect(rig.core.listenAddress(s, "::zz", 80, 0)).toBe(Code.InvalidArgument);
    expect(rig.core.listenAddress(s, "127.0.0.1", 70000, 0)).toBe(Code.InvalidArgument);
    expect(rig.core.state(s)).toBe(ServerState.Idle);
  });
});

describe("server Binding", () => {
  test("onListening -> Listening with Listening", () => {
    const s = rig.binding();
    expect(rig.core.onListening(s, { address: "127.0.0.1", port: 8123, family: 4 })).toBe(Code.Ok);
    expect(rig.names()).toEqual(["Listening"]);
    expect(rig.core.localAddress(s)?.port).toBe(8123);
  });

  test("a listen error returns to Idle; listen may be retried", () => {
    const s = rig.binding();
    expect(rig.core.onError(s, Code.AddressInUse, -98)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "Error", h: s, a: Code.AddressInUse, b: -98 }]);
    expect(rig.core.state(s)).toBe(ServerState.Idle);
    expect(rig.core.listenAddress(s, "127.0.0.1", 8001, 0)).toBe(Code.Ok);
    expect(rig.names()).toEqual(["IoListen"]);
  });

  test("a second listen is refused", () => {
    const s = rig.binding();
    expect(rig.core.listenAddress(s, "127.0.0.1", 1, 0)).toBe(Code.InvalidState);
  });

  test("close while binding: IoClose, then ServerClose after onClosed", () => {
    const s = rig.binding();
    rig.core.serverClose(s);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["IoClose"]);
    expect(rig.core.state(s)).toBe(ServerState.Closing);
    expect(rig.core.onListening(s, null)).toBe(Code.InvalidState);
    expect(rig.answerCloses(recs).map((r) => r.ev)).toEqual(["ServerClose"]);
  });
});

describe("server Listening", () => {
  test("onAccepted creates an Open socket and queues Connection (a = handle)", () => {
    const s = rig.listening();
    const h = rig.accepted(s);
    expect(rig.core.state(h)).toBe(SocketState.Open);
    expect(rig.core.peerAddress(h)).toEqual(REMOTE);
    expect(rig.core.connections(s)).toBe(1);
  });

  test("accepted sockets inherit allowHalfOpen and pauseOnConnect (no reading until resume)", () => {
    const s = rig.core.serverOpen(Kind.Tcp, true, true);
    rig.core.listenAddress(s, "127.0.0.1", 9, 0);
    rig.core.onListening(s, null);
    rig.drain();
    const h = rig.core.onAccepted(s, REMOTE, rig.now);
    expect(rig.drain()).toEqual([
      { ev: "Connection", h: s, a: h, b: 0 },
      { ev: "IoReadStop", h, a: 0, b: 0 },
    ]);
    const bytes = new Uint8Array([1, 2]);
    expect(rig.core.onData(h, bytes, rig.now)).toBe(Code.Ok); // in flight before the stop: buffered
    rig.core.onEof(h, rig.now);
    rig.core.resume(h);
    expect(rig.names()).toEqual(["Data", "End"]);
    expect(rig.core.state(h)).toBe(SocketState.WriteOnly); // half-open kept
  });

  test("pauseOnConnect: resume with nothing buffered restarts reading", () => {
    const s = rig.core.serverOpen(Kind.Tcp, false, true);
    rig.core.listenAddress(s, "127.0.0.1", 9, 0);
    rig.core.onListening(s, null);
    rig.drain();
    const h = rig.core.onAccepted(s, REMOTE, rig.now);
    rig.drain();
    rig.core.resume(h);
    expect(rig.drain()).toEqual([{ ev: "IoReadStart", h, a: 0, b: 0 }]);
    expect(rig.core.onData(h, new Uint8Array([9]), rig.now)).toBe(Code.Deliver);
  });

  test("the accept queue is bounded by backlog until Connection records are drained", () => {
    const s = rig.listening(2);
    const a = rig.core.onAccepted(s, REMOTE, rig.now);
    const b = rig.core.onAccepted(s, REMOTE, rig.now);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(rig.core.onAccepted(s, REMOTE, rig.now)).toBe(-Code.WouldBlock);
    expect(rig.names()).toEqual(["Connection", "Connection"]);
    const c = rig.core.onAccepted(s, REMOTE, rig.now);
    expect(c).toBeGreaterThan(0);
    expect(rig.core.connections(s)).toBe(3);
  });

  test("maxConnections: the extra connection is dropped (Drop, IoClose, no Close)", () => {
    const s = rig.listening();
    rig.core.setMaxConnections(s, 1);
    const a = rig.accepted(s);
    const d = rig.core.onAccepted(s, REMOTE, rig.now);
    expect(d).toBeGreaterThan(0);
    const recs = rig.drain();
    expect(recs).toEqual([
      { ev: "Drop", h: s, a: d, b: 0 },
      { ev: "IoClose", h: d, a: 0, b: 0 },
    ]);
    expect(rig.core.peerAddress(d)).toEqual(REMOTE); // the driver reads it for Node's 'drop' data
    expect(rig.core.connections(s)).toBe(1);
    expect(rig.answerCloses(recs)).toEqual([]);
    expect(rig.core.state(d)).toBe(-Code.InvalidHandle);
    // closing the first connection makes room again
    rig.core.destroy(a, false);
    rig.answerCloses(rig.drain());
    expect(rig.core.connections(s)).toBe(0);
    rig.accepted(s);
    rig.core.setMaxConnections(s, -1);
    rig.accepted(s);
    expect(rig.core.connections(s)).toBe(2);
  });

  test("maxConnections 0 drops everything", () => {
    const s = rig.listening();
    rig.core.setMaxConnections(s, 0);
    rig.core.onAccepted(s, REMOTE, rig.now);
    expect(rig.names()).toEqual(["Drop", "IoClose"]);
  });

  test("a listener error keeps listening", () => {
    const s = rig.listening();
    rig.core.onError(s, Code.NewSocketLimit, -24);
    expect(rig.names()).toEqual(["Error"]);
    expect(rig.core.state(s)).toBe(ServerState.Listening);
  });

  test("ref/unref on a server", () => {
    const s = rig.listening();
    expect(rig.core.ref(s, false)).toBe(Code.Ok);
    expect(rig.drain()).toEqual([{ ev: "IoSetOption", h: s, a: 4, b: 0 }]);
    expect(rig.core.isRefed(s)).toBe(false);
    expect(rig.core.setNoDelay(s, true)).toBe(Code.InvalidArgument);
  });
});

describe("server Closing", () => {
  test("close waits for its connections: ServerClose after the last Close", () => {
    const s = rig.listening();
    const a = rig.accepted(s);
    const b = rig.accepted(s);
    rig.core.serverClose(s);
    let recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["IoClose"]);
    expect(rig.answerCloses(recs)).toEqual([]); // listener closed, connections remain
    expect(rig.core.state(s)).toBe(ServerState.Closing);
    expect(rig.core.onAccepted(s, REMOTE, rig.now)).toBe(-Code.InvalidState);
    expect(rig.core.serverClose(s)).toBe(Code.InvalidState);
    rig.core.destroy(a, false);
    recs = rig.answerCloses(rig.drain());
    expect(recs.map((r) => r.ev)).toEqual(["Close"]);
    expect(rig.core.connections(s)).toBe(1);
    rig.core.onEof(b, rig.now); // the peer ends: End, our FIN, orderly close
    recs = rig.answerCloses(rig.drain());
    expect(recs).toEqual([
      { ev: "Close", h: b, a: 0, b: 0 },
      { ev: "ServerClose", h: s, a: 0, b: 0 },
    ]);
  });

  test("a second onClosed is refused", () => {
    const s = rig.listening();
    rig.accepted(s);
    rig.core.serverClose(s);
    rig.answerCloses(rig.drain());
    expect(rig.core.onClosed(s)).toBe(Code.InvalidState);
  });
});
