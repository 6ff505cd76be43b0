// Every call in every state, against the tables of wasm/STATES.md ("What each call
// accepts" and the transitions): the result code and the state afterwards.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, Kind, SocketState as S, ServerState as V, LOCAL, bytesOf } from "./rig.ts";

const GONE = -Code.InvalidHandle; // state() of a freed handle

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

type Build = (r: Rig) => number;
const SOCKET_STATE_NAMES = ["Idle", "Resolving", "Connecting", "Open", "ReadOnly", "WriteOnly", "Closing", "Closed"];

const socketStates: [string, Build][] = [
  ["Idle", (r) => r.idle(true)],
  ["Resolving", (r) => r.resolving("example.com", 80, true)],
  ["Connecting", (r) => r.connecting(true)],
  ["Open", (r) => r.open(true)],
  ["ReadOnly", (r) => r.readOnly()],
  ["WriteOnly", (r) => r.writeOnly()],
  ["Closing", (r) => r.closing()],
];

type Call = (r: Rig, h: number) => number;
const X = Code.InvalidState;
const O = Code.Ok;
// [call, per state Idle..Closing: [code, state after]]
const socketCalls: [string, Call, [number, number][]][] = [
  ["connectAddress", (r, h) => r.core.connectAddress(h, "127.0.0.1", 80, r.now),
    [[O, S.Connecting], [X, S.Resolving], [X, S.Connecting], [X, S.Open], [X, S.ReadOnly], [X, S.WriteOnly], [X, S.Closing]]],
  ["connectName", (r, h) => r.core.connectName(h, "example.com", 80, r.now),
    [[O, S.Resolving], [X, S.Resolving], [X, S.Connecting], [X, S.Open], [X, S.ReadOnly], [X, S.WriteOnly], [X, S.Closing]]],
  ["write", (r, h) => r.core.write(h, 1, r.now),
    [[X, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [X, S.ReadOnly], [O, S.WriteOnly], [X, S.Closing]]],
  ["end", (r, h) => r.core.end(h, r.now),
    [[X, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.ReadOnly], [O, S.ReadOnly], [O, S.Closing], [O, S.Closing]]],
  ["destroy", (r, h) => r.core.destroy(h, false),
    [[O, GONE], [O, GONE], [O, S.Closing], [O, S.Closing], [O, S.Closing], [O, S.Closing], [O, S.Closing]]],
  ["pause", (r, h) => r.core.pause(h),
    [[O, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [O, S.ReadOnly], [O, S.WriteOnly], [O, S.Closing]]],
  ["resume", (r, h) => r.core.resume(h),
    [[O, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [O, S.ReadOnly], [O, S.WriteOnly], [O, S.Closing]]],
  ["setTimeout", (r, h) => r.core.setTimeout(h, 10, r.now),
    [[O, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [O, S.ReadOnly], [O, S.WriteOnly], [O, S.Closing]]],
  ["setKeepAlive", (r, h) => r.core.setKeepAlive(h, true, 10),
    [[O, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [O, S.ReadOnly], [O, S.WriteOnly], [O, S.Closing]]],
  ["onResolved", (r, h) => r.core.onResolved(h, "10.0.0.1", 4, r.now),
    [[X, S.Idle], [O, S.Connecting], [X, S.Connecting], [X, S.Open], [X, S.ReadOnly], [X, S.WriteOnly], [X, S.Closing]]],
  ["onConnected", (r, h) => r.core.onConnected(h, LOCAL, r.now),
    [[X, S.Idle], [X, S.Resolving], [O, S.Open], [X, S.Open], [X, S.ReadOnly], [X, S.WriteOnly], [X, S.Closing]]],
  ["onData", (r, h) => r.core.onData(h, bytesOf(8), r.now),
    [[X, S.Idle], [X, S.Resolving], [X, S.Connecting], [Code.Deliver, S.Open], [Code.Deliver, S.ReadOnly], [X, S.WriteOnly], [X, S.Closing]]],
  ["onEof", (r, h) => r.core.onEof(h, r.now),
    [[X, S.Idle], [X, S.Resolving], [X, S.Connecting], [O, S.WriteOnly], [O, S.Closing], [X, S.WriteOnly], [O, S.Closing]]],
  ["onWritten(0)", (r, h) => r.core.onWritten(h, 0, r.now),
    [[O, S.Idle], [O, S.Resolving], [O, S.Connecting], [O, S.Open], [O, S.ReadOnly], [O, S.WriteOnly], [O, S.Closing]]],
  ["onError", (r, h) => r.core.onError(h, Code.ConnectionReset, -104),
    [[X, S.Idle], [O, GONE], [O, S.Closing], [O, S.Closing], [O, S.Closing], [O, S.Closing], [O, S.Closing]]],
  ["onClosed", (r, h) => r.core.onClosed(h),
    [[X, S.Idle], [X, S.Resolving], [O, GONE], [O, GONE], [O, GONE], [O, GONE], [O, GONE]]],
];

describe("socket: every call in every state", () => {
  socketStates.forEach(([name, build], i) => {
    describe(name, () => {
      for (const [call, run, want] of socketCalls) {
        test(`${call} -> ${want[i][0] === O ? "ok" : want[i][0]}, then ${want[i][1] === GONE ? "freed" : SOCKET_STATE_NAMES[want[i][1]]}`, () => {
          const h = build(rig);
          expect(rig.core.state(h)).toBe(i);
          expect(run(rig, h)).toBe(want[i][0]);
          expect(rig.core.state(h)).toBe(want[i][1]);
        });
      }
    });
  });
});

const serverStates: [string, Build][] = [
  ["Idle", (r) => r.server()],
  ["Binding", (r) => r.binding()],
  ["Listening", (r) => r.listening()],
  ["Closing", (r) => {
    const s = r.listening();
    r.core.serverClose(s);
    r.drain();
    return s;
  }],
];

const serverCalls: [string, Call, [number, number][]][] = [
  ["listenAddress", (r, h) => r.core.listenAddress(h, "127.0.0.1", 1, 0),
    [[O, V.Binding], [X, V.Binding], [X, V.Listening], [X, V.Closing]]],
  ["listenPath (TCP server)", (r, h) => r.core.listenPath(h, "/tmp/x", 0),
    [[Code.InvalidArgument, V.Idle], [Code.InvalidArgument, V.Binding], [Code.InvalidArgument, V.Listening], [Code.InvalidArgument, V.Closing]]],
  ["onListening", (r, h) => r.core.onListening(h, null),
    [[X, V.Idle], [O, V.Listening], [X, V.Listening], [X, V.Closing]]],
  // 0 stands for "a new handle"
  ["onAccepted", (r, h) => {
    const a = r.core.onAccepted(h, null, r.now);
    return a > 0 ? 0 : a;
  }, [[-X, V.Idle], [-X, V.Binding], [0, V.Listening], [-X, V.Closing]]],
  ["serverClose", (r, h) => r.core.serverClose(h),
    [[O, GONE], [O, V.Closing], [O, V.Closing], [X, V.Closing]]],
  ["onError", (r, h) => r.core.onError(h, Code.AddressInUse, -98),
    [[X, V.Idle], [O, V.Idle], [O, V.Listening], [O, V.Closing]]],
  ["onClosed", (r, h) => r.core.onClosed(h),
    [[X, V.Idle], [X, V.Binding], [X, V.Listening], [O, GONE]]],
  ["setMaxConnections", (r, h) => r.core.setMaxConnections(h, 3),
    [[O, V.Idle], [O, V.Binding], [O, V.Listening], [O, V.Closing]]],
  ["ref", (r, h) => r.core.ref(h, false),
    [[O, V.Idle], [O, V.Binding], [O, V.Listening], [O, V.Closing]]],
];

describe("server: every call in every state", () => {
  serverStates.forEach(([name, build], i) => {
    describe(name, () => {
      for (const [call, run, want] of serverCalls) {
        test(`${call}`, () => {
          const h = build(rig);
          expect(rig.core.state(h)).toBe(i);
          expect(run(rig, h)).toBe(want[i][0]);
          expect(rig.core.state(h)).toBe(want[i][1]);
        });
      }
    });
  });
});

test("IPC sockets follow the same table for connectPath", () => {
  const h = rig.idle(false, Kind.Ipc);
  expect(rig.core.connectName(h, "x.test", 1, rig.now)).toBe(Code.InvalidArgument);
  expect(rig.core.connectPath(h, "/tmp/a", rig.now)).toBe(Code.Ok);
  expect(rig.core.connectPath(h, "/tmp/a", rig.now)).toBe(Code.InvalidState);
  expect(rig.core.state(h)).toBe(S.Connecting);
});
