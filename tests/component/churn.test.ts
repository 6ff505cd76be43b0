// Many connections through one component: concurrent sockets, then a churn of
// open/echo/close cycles, with the component's memory flat after warm-up.
import { describe, it, expect, afterEach } from "vitest";
import { loadCore, startPeer, pollUntil, loopback, lastCoreInstance, Ev, type Peer, type Sockets, type WasmMemory } from "./harness.ts";

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.stop();
  peer = null;
});

/** Opens `n` sockets at once, echoes one byte on each, ends them all. */
function round(core: Sockets, port: number, n: number) {
  const hs: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = core.socketOpen(0, false);
    core.connectAddress(h, loopback(port));
    core.write(h, new Uint8Array([i & 0xff]));
    hs.push(h);
  }
  const got = new Map<number, number>();
  pollUntil(core, (evs) => {
    for (const e of evs.splice(0)) {
      if (e.kind === Ev.Data) {
        got.set(e.handle, e.data[0]);
        core.end(e.handle);
      }
      if (e.kind === Ev.Error) throw new Error(`error event on ${e.handle}: ${e.a}`);
    }
    return core.liveHandles() === 0;
  }, 20000);
  hs.forEach((h, i) => expect(got.get(h)).toBe(i & 0xff));
}

describe("churn", () => {
  it("rounds of 32 concurrent sockets: no leak, memory flat after warm-up", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const mem = lastCoreInstance!.exports.memory as WasmMemory;
    // the incremental GC settles its thresholds over the first rounds (measured:
    // 2 pages after one round, 4 from the fifth on, flat through 60)
    for (let i = 0; i < 8; i++) round(core, peer.port, 32);
    const warm = mem.buffer.byteLength;
    for (let i = 0; i < 24; i++) round(core, peer.port, 32);
    expect(core.liveHandles()).toBe(0);
    expect(core.coreStats().bufferedBytes).toBe(0);
    expect(mem.buffer.byteLength).toBeLessThanOrEqual(warm + 64 * 1024);
  }, 60_000);
});
