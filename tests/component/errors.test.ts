// Error outcomes through the component: refused connects, ports in use, policy
// denials (enforced before any wasi:sockets call) and quotas.
import { describe, it, expect, afterEach } from "vitest";
import { loadCore, startPeer, pollUntil, has, loopback, codeOf, Ev, type Peer, type SocketCalls } from "./harness.ts";

const Code = { AddressInUse: 13, ConnectionRefused: 15, PolicyDenied: 23 } as const;

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.stop();
  peer = null;
});

/** A loopback port with nothing listening: a peer's port after the peer exits. */
async function deadPort(): Promise<number> {
  const p = await startPeer("hold");
  await p.stop();
  return p.port;
}

describe("connection-refused", () => {
  it("reports connection-refused with ECONNREFUSED's errno, then close(hadError)", async () => {
    const port = await deadPort();
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    core.connectAddress(h, loopback(port));
    const evs = pollUntil(core, has(Ev.Close, h));
    const err = evs.find((e) => e.kind === Ev.Error)!;
    expect(err).toBeDefined();
    expect(err.a).toBe(Code.ConnectionRefused);
    expect(err.b).toBe(-111);
    expect(evs.find((e) => e.kind === Ev.Close)!.a).toBe(1);
    expect(evs.some((e) => e.kind === Ev.Connect)).toBe(false);
    expect(core.liveHandles()).toBe(0);
  });
});

describe("address-in-use", () => {
  it("a listen on a port another process holds gives address-in-use and EADDRINUSE", async () => {
    peer = await startPeer("hold");
    const core = await loadCore();
    const s = core.serverOpen(0, false, false);
    core.listenAddress(s, loopback(peer.port), 16);
    const evs = pollUntil(core, has(Ev.Error, s));
    const err = evs.find((e) => e.kind === Ev.Error)!;
    expect(err.a).toBe(Code.AddressInUse);
    expect(err.b).toBe(-98);
    expect(evs.some((e) => e.kind === Ev.Listening)).toBe(false);
    core.serverClose(s);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("two listens on one port inside the component: the second gets address-in-use", async () => {
    const core = await loadCore();
    const a = core.serverOpen(0, false, false);
    core.listenAddress(a, loopback(0), 16);
    pollUntil(core, has(Ev.Listening, a));
    const port = core.localAddress(a).val.port;
    expect(port).toBeGreaterThan(0);
    const b = core.serverOpen(0, false, false);
    core.listenAddress(b, loopback(port), 16);
    const evs = pollUntil(core, has(Ev.Error, b));
    expect(evs.find((e) => e.kind === Ev.Error)!.a).toBe(Code.AddressInUse);
    core.serverClose(a);
    core.serverClose(b);
    pollUntil(core, () => core.liveHandles() === 0);
  });
});

describe("policy, enforced inside the component", () => {
  async function denied(setup: (core: Awaited<ReturnType<typeof loadCore>>) => void) {
    const calls: SocketCalls = { count: 0, names: [] };
    const core = await loadCore(calls);
    setup(core);
    return { core, calls };
  }

  it("a denied address is refused synchronously and no wasi:sockets call is made", async () => {
    const { core, calls } = await denied((c) => {
      c.policyDefault("connect", false);
      c.policyAddCidr("connect", false, { tag: "ipv4", val: [10, 0, 0, 0] }, 8, 0, 65535);
    });
    const h = core.socketOpen(0, false);
    expect(codeOf(() => core.connectAddress(h, loopback(9)))).toBe("policy-denied");
    core.poll(0);
    core.destroy(h, false);
    pollUntil(core, () => core.liveHandles() === 0);
    expect(calls.count).toBe(0);
  });

  it("a denied name is refused before any lookup", async () => {
    const { core, calls } = await denied((c) => c.policyAddHost("connect", true, "*.evil.test", 0, 65535));
    const h = core.socketOpen(0, false);
    expect(codeOf(() => core.connectName(h, "www.evil.test", 80, 0))).toBe("policy-denied");
    core.destroy(h, false);
    pollUntil(core, () => core.liveHandles() === 0);
    expect(calls.names).toEqual([]);
  });

  it("an allowed name whose address is denied fails after the lookup, before any connect", async () => {
    const { core, calls } = await denied((c) => {
      c.policyAddHost("connect", false, "localhost", 0, 65535);
      c.policyAddCidr("connect", true, { tag: "ipv4", val: [127, 0, 0, 0] }, 8, 0, 65535);
    });
    const h = core.socketOpen(0, false);
    core.connectName(h, "localhost", 9, 0);
    const evs = pollUntil(core, has(Ev.Close, h));
    expect(evs.find((e) => e.kind === Ev.Error)!.a).toBe(Code.PolicyDenied);
    expect(calls.names.some((n) => n.startsWith("ip-name-lookup"))).toBe(true);
    expect(calls.names.some((n) => n.startsWith("tcp-create-socket"))).toBe(false);
  });

  it("a denied listen port is refused with no socket created", async () => {
    const { core, calls } = await denied((c) => {
      c.policyDefault("listen", false);
      c.policyAddCidr("listen", false, { tag: "ipv4", val: [127, 0, 0, 1] }, 32, 8000, 9000);
    });
    const s = core.serverOpen(0, false, false);
    expect(codeOf(() => core.listenAddress(s, loopback(7999), 8))).toBe("policy-denied");
    core.serverClose(s);
    pollUntil(core, () => core.liveHandles() === 0);
    expect(calls.count).toBe(0);
  });

  it("the policy is frozen once a socket exists", async () => {
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    expect(codeOf(() => core.policyDefault("connect", false))).toBe("invalid-state");
    expect(codeOf(() => core.policyAddHost("connect", true, "x.test", 0, 65535))).toBe("invalid-state");
    core.destroy(h, false);
    pollUntil(core, () => core.liveHandles() === 0);
  });
});

describe("quotas and unsupported features", () => {
  it("max-sockets is a quota error, never growth", async () => {
    const core = await loadCore();
    core.configure(8, { maxSockets: 2, maxBufferedBytesPerSocket: 0, maxBufferedBytesTotal: 0 });
    const a = core.socketOpen(0, false);
    const b = core.socketOpen(0, false);
    expect(codeOf(() => core.socketOpen(0, false))).toBe("quota-exceeded");
    core.destroy(a, false);
    core.destroy(b, false);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("a write past max-buffered-bytes-per-socket is quota-exceeded and nothing is queued", async () => {
    peer = await startPeer("hold");
    const core = await loadCore();
    core.configure(16, { maxSockets: 0, maxBufferedBytesPerSocket: 1024, maxBufferedBytesTotal: 0 });
    const h = core.socketOpen(0, false);
    core.connectAddress(h, loopback(peer.port));
    core.write(h, new Uint8Array(1000)); // queued while connecting
    expect(codeOf(() => core.write(h, new Uint8Array(100)))).toBe("quota-exceeded");
    expect(core.bufferSize(h)).toBe(1000);
    pollUntil(core, () => core.bufferSize(h) === 0); // flushed once connected
    core.destroy(h, false);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("maxConnections: the accepted connection is dropped (drop event), its socket closed", async () => {
    const core = await loadCore();
    const srv = core.serverOpen(0, false, false);
    core.listenAddress(srv, loopback(0), 8);
    pollUntil(core, has(Ev.Listening, srv));
    core.setMaxConnections(srv, 0);
    const c = core.socketOpen(0, false);
    core.connectAddress(c, loopback(core.localAddress(srv).val.port));
    const evs = pollUntil(core, (e) => has(Ev.Drop, srv)(e) && has(Ev.Close, c)(e));
    expect(evs.some((e) => e.kind === Ev.Connection)).toBe(false);
    expect(evs.find((e) => e.kind === Ev.Close && e.handle === c)).toBeDefined();
    expect(core.connections(srv)).toBe(0);
    core.serverClose(srv);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("IPC (Unix) sockets and servers are not-supported: wasi:sockets has none", async () => {
    const core = await loadCore();
    expect(codeOf(() => core.socketOpen(1, false))).toBe("not-supported");
    expect(codeOf(() => core.serverOpen(1))).toBe("not-supported");
    expect(core.liveHandles()).toBe(0);
  });

  it("TCP_NODELAY and RST do not exist in wasi:sockets: not-supported, and the socket still closes", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    core.connectAddress(h, loopback(peer.port));
    pollUntil(core, has(Ev.Connect, h));
    expect(codeOf(() => core.setNoDelay(h, true))).toBe("not-supported");
    expect(codeOf(() => core.setNoDelay(h, false))).toBe("ok");
    expect(codeOf(() => core.setNoDelay(0x7fff0001, true))).toBe("invalid-handle");
    expect(codeOf(() => core.destroy(h, true))).toBe("not-supported");
    const evs = pollUntil(core, has(Ev.Close, h));
    expect(evs.find((e) => e.kind === Ev.Close)!.a).toBe(0);
    expect(core.liveHandles()).toBe(0);
  });
});
