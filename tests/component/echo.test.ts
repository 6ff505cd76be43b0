// Echo over loopback through the component: the core's driver performs the I/O with
// wasi:sockets (preview2-shim on Node); the peer is a Node echo server in a child process.
import { describe, it, expect, afterEach } from "vitest";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { loadCore, startPeer, pollUntil, has, dataOf, loopback, Ev, DIST, type Peer, type Sockets } from "./harness.ts";

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.stop();
  peer = null;
});

function closeAll(core: Sockets, ...hs: number[]) {
  for (const h of hs) if (core.state(h) !== 7) core.destroy(h, false);
  pollUntil(core, () => core.liveHandles() === 0);
}

describe("echo through the component", () => {
  it("connects by address, writes, reads the echo, ends, and closes", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    expect(h).toBeGreaterThan(0);
    core.connectAddress(h, loopback(peer.port));
    const first = pollUntil(core, has(Ev.Connect, h));
    expect(first.find((e) => e.kind === Ev.Error)).toBeUndefined();
    expect(core.peerAddress(h)).toEqual(loopback(peer.port));
    expect(core.localAddress(h).tag).toBe("ipv4");

    core.write(h, new TextEncoder().encode("hello "));
    core.write(h, new TextEncoder().encode("component"));
    const evs = pollUntil(core, (e) => dataOf(e, h).length >= 15);
    expect(dataOf(evs, h)).toBe("hello component");
    expect(core.bytesWritten(h)).toBe(15n);
    expect(core.bytesRead(h)).toBe(15n);

    core.end(h);
    const rest = pollUntil(core, has(Ev.Close, h));
    const kinds = rest.filter((e) => e.handle === h).map((e) => e.kind);
    expect(kinds).toContain(Ev.End);
    expect(kinds.at(-1)).toBe(Ev.Close);
    expect(rest.find((e) => e.kind === Ev.Close)!.a).toBe(0);
    expect(core.liveHandles()).toBe(0);
  });

  it("connects by name through wasi:sockets/ip-name-lookup", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    core.connectName(h, "localhost", peer.port, 4);
    const evs = pollUntil(core, has(Ev.Connect, h));
    expect(evs.map((e) => e.kind)).toContain(Ev.Lookup);
    core.write(h, new Uint8Array([1, 2, 3]));
    const data = pollUntil(core, (e) => e.some((x) => x.kind === Ev.Data));
    expect([...data.find((x) => x.kind === Ev.Data)!.data]).toEqual([1, 2, 3]);
    closeAll(core, h);
  });

  it("moves 1 MiB both ways and counts every byte", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const h = core.socketOpen(0, false);
    core.connectAddress(h, loopback(peer.port));
    pollUntil(core, has(Ev.Connect, h));
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    for (let i = 0; i < 16; i++) core.write(h, chunk);
    let got = 0;
    let sum = 0;
    pollUntil(core, (evs) => {
      for (const e of evs.splice(0)) {
        if (e.kind !== Ev.Data) continue;
        for (let i = 0; i < e.data.length; i++) sum = (sum + e.data[i]) >>> 0;
        got += e.data.length;
      }
      return got >= 16 * chunk.length;
    }, 20000);
    expect(got).toBe(16 * chunk.length);
    expect(sum).toBe((16 * chunk.reduce((a, b) => a + b, 0)) >>> 0);
    expect(core.bufferSize(h)).toBe(0);
    closeAll(core, h);
  });

  it("accepts a connection from another process and answers after its FIN (allowHalfOpen)", async () => {
    const core = await loadCore();
    const srv = core.serverOpen(0, true, false); // accepted sockets inherit allowHalfOpen
    core.listenAddress(srv, loopback(0), 8);
    pollUntil(core, has(Ev.Listening, srv));
    const port = core.localAddress(srv).val.port;
    const child = spawn(process.execPath, [join(DIST, "..", "..", "tests", "component", "peer.mjs"), "client", String(port), "from a peer"],
      { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (d) => { out += d; });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    let accepted = 0;
    const evs = pollUntil(core, (seen) => {
      for (const e of seen) if (e.kind === Ev.Connection && accepted === 0) accepted = e.a;
      return accepted !== 0 && seen.some((e) => e.kind === Ev.End && e.handle === accepted);
    }, 10000);
    expect(dataOf(evs, accepted)).toBe("from a peer");
    expect(core.connections(srv)).toBe(1); // half-open: still alive after the peer's FIN
    expect(core.state(accepted)).toBe(5); // WriteOnly
    expect(core.peerAddress(accepted).tag).toBe("ipv4");
    core.write(accepted, new TextEncoder().encode("echo: from a peer"));
    core.end(accepted);
    pollUntil(core, has(Ev.Close, accepted));
    core.serverClose(srv);
    pollUntil(core, () => core.liveHandles() === 0);
    await exited;
    expect(out).toBe("reply:echo: from a peer\n");
  });

  it("IPv6 loopback: listen on ::1, connect, echo inside one component", async () => {
    const core = await loadCore();
    const v6 = (port: number) => ({ tag: "ipv6", val: { port, flowInfo: 0, address: [0, 0, 0, 0, 0, 0, 0, 1], scopeId: 0 } });
    const srv = core.serverOpen(0, false, false);
    core.listenAddress(srv, v6(0), 8);
    pollUntil(core, has(Ev.Listening, srv));
    const local = core.localAddress(srv);
    expect(local.tag).toBe("ipv6");
    expect(local.val.address).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    const c = core.socketOpen(0, false);
    core.connectAddress(c, v6(local.val.port));
    let accepted = 0;
    pollUntil(core, (seen) => {
      for (const e of seen) if (e.kind === Ev.Connection) accepted = e.a;
      return accepted !== 0 && seen.some((e) => e.kind === Ev.Connect && e.handle === c);
    });
    expect(core.peerAddress(c)).toEqual(v6(local.val.port));
    core.write(c, new TextEncoder().encode("six"));
    const evs = pollUntil(core, (seen) => dataOf(seen, accepted).length >= 3);
    expect(dataOf(evs, accepted)).toBe("six");
    core.destroy(c, false);
    core.destroy(accepted, false);
    core.serverClose(srv);
    pollUntil(core, () => core.liveHandles() === 0);
  });
});
