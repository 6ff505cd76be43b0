// Timers and flow control through the component: idle timeouts fire from `poll`
// (the core's deadline becomes a wasi:clocks pollable), and pause() stops reading
// from wasi:sockets until resume() delivers what the core buffered.
import { describe, it, expect, afterEach } from "vitest";
import { loadCore, startPeer, pollUntil, has, dataOf, loopback, Ev, type Peer, type Sockets } from "./harness.ts";

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.stop();
  peer = null;
});

async function connected(): Promise<{ core: Sockets; h: number }> {
  peer = await startPeer("echo");
  const core = await loadCore();
  const h = core.socketOpen(0, false);
  core.connectAddress(h, loopback(peer.port));
  pollUntil(core, has(Ev.Connect, h));
  return { core, h };
}

function close(core: Sockets, h: number) {
  core.destroy(h, false);
  pollUntil(core, () => core.liveHandles() === 0);
}

describe("timers", () => {
  it("an idle timeout fires through poll, without data", async () => {
    const { core, h } = await connected();
    core.setTimeout(h, 60);
    const t0 = Date.now();
    const evs = pollUntil(core, has(Ev.Timeout, h), 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
    expect(evs.filter((e) => e.kind === Ev.Timeout)).toHaveLength(1);
    close(core, h);
  });

  it("poll(-1) with nothing pending returns at once instead of blocking forever", async () => {
    const core = await loadCore();
    expect(core.poll(-1)).toEqual([]);
    expect(core.hasRefs()).toBe(false);
  });
});

describe("pause and resume", () => {
  it("a paused socket delivers nothing; resume delivers every byte in order", async () => {
    const { core, h } = await connected();
    core.pause(h);
    core.write(h, new TextEncoder().encode("abc"));
    core.write(h, new TextEncoder().encode("def"));
    // give the echo time to come back; nothing may be delivered while paused
    const quiet: number[] = [];
    const until = Date.now() + 300;
    while (Date.now() < until) for (const e of core.poll(20)) quiet.push(e.kind);
    expect(quiet).not.toContain(Ev.Data);
    core.resume(h);
    const evs = pollUntil(core, (e) => dataOf(e, h).length >= 6);
    expect(dataOf(evs, h)).toBe("abcdef");
    close(core, h);
  });

  it("pauseOnConnect: an accepted socket reads nothing until resume", async () => {
    const core = await loadCore();
    const srv = core.serverOpen(0, false, true);
    core.listenAddress(srv, loopback(0), 8);
    pollUntil(core, has(Ev.Listening, srv));
    const c = core.socketOpen(0, false);
    core.connectAddress(c, loopback(core.localAddress(srv).val.port));
    core.write(c, new TextEncoder().encode("early"));
    let accepted = 0;
    pollUntil(core, (seen) => {
      for (const e of seen) if (e.kind === Ev.Connection) accepted = e.a;
      return accepted !== 0 && core.bufferSize(c) === 0;
    });
    const quiet: number[] = [];
    const until = Date.now() + 200;
    while (Date.now() < until) for (const e of core.poll(20)) if (e.handle === accepted) quiet.push(e.kind);
    expect(quiet).not.toContain(Ev.Data);
    core.resume(accepted);
    const evs = pollUntil(core, (seen) => dataOf(seen, accepted).length >= 5);
    expect(dataOf(evs, accepted)).toBe("early");
    core.destroy(c, false);
    core.destroy(accepted, false);
    core.serverClose(srv);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("write reports the high-water mark, then drain when the queue empties", async () => {
    const { core, h } = await connected();
    const big = new Uint8Array(64 * 1024);
    expect(core.write(h, big)).toBe(true); // above the 16 KiB default high-water mark
    expect(core.bufferSize(h)).toBe(64 * 1024);
    pollUntil(core, has(Ev.Drain, h));
    expect(core.bufferSize(h)).toBe(0);
    close(core, h);
  });
});
