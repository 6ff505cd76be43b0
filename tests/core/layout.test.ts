// The compact entry layout (wasm/assembly/entries.ts): a socket's addresses live in
// an Ends object allocated on first use, servers hold theirs inline, booleans and
// small enums are bits of one word, and the read indices sit in the read buffer's
// own block. What a slot held must never show through a handle that reuses it.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, Kind, SocketState, ServerState, LOCAL, REMOTE, bytesOf, expectClean } from "./rig.ts";
import { Core } from "../../host/core/core.ts";

const V6_FULL = "2001:db8:85a3:1:2:8a2e:370:7334"; // no zero word: both halves of 16 bytes
const V6_MAPPED = "::ffff:10.1.2.3";

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

/** an open client socket connected to `peer` from `local` */
function openTo(peer: { address: string; port: number }, local: { address: string; port: number; family: 4 | 6 } | null): number {
  const h = rig.idle();
  expect(rig.core.connectAddress(h, peer.address, peer.port, rig.now)).toBe(Code.Ok);
  expect(rig.core.onConnected(h, local, rig.now)).toBe(Code.Ok);
  expect(rig.names()).toEqual(["IoConnect", "Connect"]);
  return h;
}

describe("addresses round-trip", () => {
  test.each([
    ["IPv4", "192.0.2.7", 4],
    ["IPv6", V6_FULL, 6],
    ["IPv6 loopback", "::1", 6],
    ["IPv4-mapped IPv6", V6_MAPPED, 6],
  ] as const)("%s peer and local on a client", (_name, address, family) => {
    const local = { address, port: 65535, family };
    const h = openTo({ address, port: 1 }, local);
    expect(rig.core.peerAddress(h)).toEqual({ address, port: 1, family });
    expect(rig.core.localAddress(h)).toEqual(local);
  });

  test("ports 0 and 65535 survive the u16 field", () => {
    const h = openTo({ address: "10.0.0.1", port: 65535 }, { address: "10.0.0.2", port: 0, family: 4 });
    expect(rig.core.peerAddress(h)?.port).toBe(65535);
    expect(rig.core.localAddress(h)).toEqual({ address: "10.0.0.2", port: 0, family: 4 });
  });

  test("a client without a local address reports none; its peer is still there", () => {
    const h = openTo({ address: V6_FULL, port: 443 }, null);
    expect(rig.core.localAddress(h)).toBeNull();
    expect(rig.core.peerAddress(h)).toEqual({ address: V6_FULL, port: 443, family: 6 });
  });

  test("an idle socket has neither address", () => {
    const h = rig.idle();
    expect(rig.core.peerAddress(h)).toBeNull();
    expect(rig.core.localAddress(h)).toBeNull();
  });

  test("resolving: the port is held, the address comes with the answer", () => {
    const h = rig.resolving("example.com", 8443);
    expect(rig.core.peerAddress(h)).toBeNull();
    expect(rig.core.onResolved(h, V6_FULL, 6, rig.now)).toBe(Code.Ok);
    expect(rig.core.peerAddress(h)).toEqual({ address: V6_FULL, port: 8443, family: 6 });
    expect(rig.core.localAddress(h)).toBeNull();
    expect(rig.names()).toEqual(["Lookup", "IoConnect"]);
  });

  test("a connect refused by policy leaves no address behind", () => {
    const allowAll = { default: "allow" as const, allow: [], deny: [] };
    const r = new Rig({ policy: { listen: allowAll, connect: { ...allowAll, deny: [{ cidr: "10.0.0.0/8" }] } } });
    const h = r.idle();
    expect(r.core.connectAddress(h, "10.1.1.1", 80, r.now)).toBe(Code.PolicyDenied);
    expect(r.core.peerAddress(h)).toBeNull();
    expect(r.core.connectAddress(h, "192.0.2.1", 80, r.now)).toBe(Code.Ok);
    expect(r.core.peerAddress(h)).toEqual({ address: "192.0.2.1", port: 80, family: 4 });
    r.finish();
  });

  test("accepted: the remote address, or none when the host passes none", () => {
    const s = rig.listening();
    const remote = { address: V6_FULL, port: 50001, family: 6 as const };
    const a = rig.core.onAccepted(s, remote, rig.now);
    const b = rig.core.onAccepted(s, null, rig.now);
    expect(rig.core.peerAddress(a)).toEqual(remote);
    expect(rig.core.localAddress(a)).toBeNull();
    expect(rig.core.peerAddress(b)).toBeNull();
    expect(rig.core.localAddress(b)).toBeNull();
  });

  test("a server keeps the address asked for until the bound one arrives", () => {
    const s = rig.server();
    expect(rig.core.listenAddress(s, "::", 0, 0)).toBe(Code.Ok);
    expect(rig.core.localAddress(s)).toEqual({ address: "::", port: 0, family: 6 });
    expect(rig.core.onListening(s, { address: V6_FULL, port: 40123, family: 6 })).toBe(Code.Ok);
    expect(rig.core.localAddress(s)).toEqual({ address: V6_FULL, port: 40123, family: 6 });
    expect(rig.core.peerAddress(s)).toBeNull(); // a server handle is not a socket

    const t = rig.server();
    expect(rig.core.listenAddress(t, "127.0.0.1", 8001, 0)).toBe(Code.Ok);
    expect(rig.core.onListening(t, null)).toBe(Code.Ok);
    expect(rig.core.localAddress(t)).toEqual({ address: "127.0.0.1", port: 8001, family: 4 });
    expect(rig.names()).toEqual(["IoListen", "Listening", "IoListen", "Listening"]);
  });

  test("unix sockets and servers hold no address (the host keeps the path)", () => {
    const h = rig.idle(false, Kind.Ipc);
    expect(rig.core.connectPath(h, "/tmp/a.sock", rig.now)).toBe(Code.Ok);
    expect(rig.core.onConnected(h, null, rig.now)).toBe(Code.Ok);
    expect(rig.core.peerAddress(h)).toBeNull();
    expect(rig.core.localAddress(h)).toBeNull();
    const s = rig.server(Kind.Ipc);
    expect(rig.core.listenPath(s, "/tmp/b.sock", 0)).toBe(Code.Ok);
    expect(rig.core.onListening(s, null)).toBe(Code.Ok);
    expect(rig.core.localAddress(s)).toBeNull();
    const a = rig.core.onAccepted(s, null, rig.now);
    expect(a).toBeGreaterThan(0);
    expect(rig.core.peerAddress(a)).toBeNull();
    expect(rig.names()).toEqual(["IoConnect", "Connect", "IoListen", "Listening", "Connection"]);
  });
});

describe("slot reuse", () => {
  /** a core of one slot: every new entry reuses the slot the last one held */
  function oneSlot(): Rig {
    return new Rig({ capacity: 1 });
  }

  function closeSocket(r: Rig, h: number): void {
    expect(r.core.destroy(h, false)).toBe(Code.Ok);
    r.answerCloses(r.drain());
    expect(r.core.liveHandles()).toBe(0);
  }

  test("a socket in a reused slot shows nothing of the last one", () => {
    const r = oneSlot();
    const old = r.idle();
    expect(r.core.connectAddress(old, V6_FULL, 443, r.now)).toBe(Code.Ok);
    expect(r.core.onConnected(old, { address: "::1", port: 4000, family: 6 }, r.now)).toBe(Code.Ok);
    expect(r.core.ref(old, false)).toBe(Code.Ok);
    expect(r.core.setNoDelay(old, true)).toBe(Code.Ok);
    expect(r.core.setTimeout(old, 500, r.now)).toBe(Code.Ok);
    expect(r.core.write(old, 10, r.now)).toBe(Code.Ok);
    r.core.pause(old);
    expect(r.core.onData(old, bytesOf(3000), r.now)).toBe(Code.Ok);
    expect(r.core.isRefed(old)).toBe(false);
    closeSocket(r, old);

    const h = r.idle(true);
    expect(h & 0xffff).toBe(old & 0xffff);
    expect(h).not.toBe(old);
    expect(r.core.state(h)).toBe(SocketState.Idle);
    expect(r.core.peerAddress(h)).toBeNull();
    expect(r.core.localAddress(h)).toBeNull();
    expect(r.core.isRefed(h)).toBe(true);
    expect(r.core.bytesRead(h)).toBe(0);
    expect(r.core.bytesWritten(h)).toBe(0);
    expect(r.core.bufferSize(h)).toBe(0);
    expect(r.core.readBuffered(h)).toBe(0);
    expect(r.core.nextDeadline()).toBeLessThanOrEqual(r.now + 500); // an early bound is allowed...
    r.advance(1000);
    expect(r.drain()).toEqual([]); // ...but the old timeout never fires on the new socket

    // the stale handle is refused everywhere, and reaches nothing of the new socket
    expect(r.core.peerAddress(old)).toBeNull();
    expect(r.core.localAddress(old)).toBeNull();
    expect(r.core.state(old)).toBe(-Code.InvalidHandle);
    expect(r.core.isRefed(old)).toBe(false);
    expect(r.core.ref(old, false)).toBe(Code.InvalidHandle);
    expect(r.core.isRefed(h)).toBe(true);
    closeSocket(r, h);
    r.finish();
  });

  test("an accepted socket and a server reusing a client's slot start blank", () => {
    const r = new Rig({ capacity: 2 });
    const s = r.listening(); // slot 0
    const c = r.idle(); // slot 1
    expect(r.core.connectAddress(c, "192.0.2.9", 80, r.now)).toBe(Code.Ok);
    expect(r.core.onConnected(c, LOCAL, r.now)).toBe(Code.Ok);
    r.drain();
    closeSocket2(r, c);
    const a = r.core.onAccepted(s, null, r.now); // slot 1 again
    expect(a & 0xffff).toBe(c & 0xffff);
    expect(r.core.peerAddress(a)).toBeNull();
    expect(r.core.localAddress(a)).toBeNull();
    expect(r.core.state(a)).toBe(SocketState.Open);
    r.drain();
    closeSocket2(r, a);

    const v = r.server(); // slot 1 again, now a server
    expect(v & 0xffff).toBe(c & 0xffff);
    expect(r.core.isServer(v)).toBe(true);
    expect(r.core.state(v)).toBe(ServerState.Idle);
    expect(r.core.localAddress(v)).toBeNull();
    expect(r.core.connections(v)).toBe(0);
    r.finish();

    function closeSocket2(rr: Rig, h: number): void {
      expect(rr.core.destroy(h, false)).toBe(Code.Ok);
      rr.answerCloses(rr.drain());
      expect(rr.core.state(h)).toBe(-Code.InvalidHandle);
    }
  });
});

describe("bits of one word", () => {
  test("each boolean moves alone: options, pause and ref leave the state and each other", () => {
    const h = rig.open(true);
    expect(rig.core.setNoDelay(h, true)).toBe(Code.Ok);
    expect(rig.core.setKeepAlive(h, true, 0)).toBe(Code.Ok);
    expect(rig.core.ref(h, false)).toBe(Code.Ok);
    expect(rig.core.onData(h, bytesOf(10), rig.now)).toBe(Code.Deliver); // none of them paused it
    expect(rig.core.writeNeedsDrain(h)).toBe(false);
    expect(rig.core.isRefed(h)).toBe(false);
    rig.core.pause(h);
    expect(rig.core.onData(h, bytesOf(10), rig.now)).toBe(Code.Ok); // paused: buffered
    expect(rig.core.ref(h, true)).toBe(Code.Ok);
    expect(rig.core.setNoDelay(h, false)).toBe(Code.Ok);
    expect(rig.core.setKeepAlive(h, false, 0)).toBe(Code.Ok);
    expect(rig.core.isRefed(h)).toBe(true);
    expect(rig.core.onData(h, bytesOf(10), rig.now)).toBe(Code.Ok); // still paused
    expect(rig.core.readBuffered(h)).toBe(20);
    expect(rig.core.state(h)).toBe(SocketState.Open);
    rig.core.resume(h);
    // noDelay, keepAlive and its delay, ref off; ref on, noDelay, keepAlive; then the buffered bytes
    expect(rig.names()).toEqual([...Array(7).fill("IoSetOption"), "Data"]);
    expect(rig.core.onEof(h, rig.now)).toBe(Code.Ok); // allowHalfOpen kept: WriteOnly
    expect(rig.names()).toEqual(["End"]);
    expect(rig.core.state(h)).toBe(SocketState.WriteOnly);
  });

  test("kind and role bits: IPC refuses an address, TCP a path, an accepted socket any connect", () => {
    const ipc = rig.idle(false, Kind.Ipc);
    expect(rig.core.connectAddress(ipc, "127.0.0.1", 80, rig.now)).toBe(Code.InvalidArgument);
    const tcp = rig.idle();
    expect(rig.core.connectPath(tcp, "/tmp/x.sock", rig.now)).toBe(Code.InvalidArgument);
    const s = rig.listening();
    const a = rig.accepted(s);
    expect(rig.core.connectAddress(a, "127.0.0.1", 80, rig.now)).toBe(Code.InvalidState);
    expect(rig.core.state(a)).toBe(SocketState.Open);
  });
});

describe("read buffer block", () => {
  test("paused reads grow the block and come back whole and in order", () => {
    const h = rig.open();
    rig.core.pause(h);
    const chunks = [100, 1000, 5000, 1, 20000].map((n, i) => bytesOf(n, i + 1));
    let total = 0;
    for (const c of chunks) {
      expect(rig.core.onData(h, c, rig.now)).toBe(Code.Ok);
      total += c.length;
      expect(rig.core.readBuffered(h)).toBe(total);
    }
    expect(rig.core.stats().bufferedBytes).toBe(total);
    rig.core.resume(h);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["IoReadStop", "Data", "IoReadStart"]);
    const want = chunks.flatMap((c) => Array.from(c));
    expect(recs[1].data).toEqual(want);
    expect(rig.core.readBuffered(h)).toBe(0);
    expect(rig.core.stats().bufferedBytes).toBe(0);
  });

  test("a buffer dropped by destroy releases its bytes", () => {
    const h = rig.open();
    rig.core.pause(h);
    expect(rig.core.onData(h, bytesOf(2048), rig.now)).toBe(Code.Ok);
    expect(rig.core.destroy(h, false)).toBe(Code.Ok);
    expect(rig.core.readBuffered(h)).toBe(0);
    expect(rig.core.stats().bufferedBytes).toBe(0);
  });
});

describe("memory per socket", () => {
  // Allocation in the core is deterministic, so these are exact figures, not timings:
  // the bytes between two growth steps of the allocator, per socket opened between them.
  function perSocket(open: (c: Core, i: number) => void): number {
    const c = Core.create({ capacity: 65535 });
    const steps: { i: number; before: number }[] = [];
    let last = c.memoryBytes();
    for (let i = 0; i < 65000 && steps.length < 3; i++) {
      open(c, i);
      c.drain(() => {});
      const now = c.memoryBytes();
      if (now !== last) {
        steps.push({ i, before: last });
        last = now;
      }
    }
    const [a, b] = steps.slice(-2);
    return (b.before - a.before) / (b.i - a.i);
  }

  test("an idle accepted socket (no address) costs at most 80 bytes", () => {
    let server = 0;
    const bytes = perSocket((c) => {
      if (server === 0) {
        server = c.serverOpen(Kind.Tcp);
        c.listenAddress(server, "127.0.0.1", 8000, 0);
        c.onListening(server, null);
        c.setMaxConnections(server, -1);
      }
      c.drain(() => {});
      expect(c.onAccepted(server, null, 0)).toBeGreaterThan(0);
    });
    expect(bytes).toBeLessThanOrEqual(80);
  });

  test("a connected client with both addresses costs at most 144 bytes", () => {
    const bytes = perSocket((c) => {
      const h = c.socketOpen(Kind.Tcp, false);
      c.connectAddress(h, "10.0.0.2", 80, 0);
      c.onConnected(h, LOCAL, 0);
    });
    expect(bytes).toBeLessThanOrEqual(144);
  });

  test("the sockets measured above are released (no leak from the layout)", () => {
    const c = Core.create({ capacity: 8 });
    for (let i = 0; i < 1000; i++) {
      const h = c.socketOpen(Kind.Tcp, false);
      c.connectAddress(h, REMOTE.address, REMOTE.port, 0);
      c.onConnected(h, LOCAL, 0);
      c.destroy(h, false);
      c.onClosed(h);
      c.drain(() => {});
    }
    expectClean(c);
  });
});
