// Long runs: memory stays flat (incremental GC + explicit buffer frees), and slots whose
// generation is exhausted are retired instead of reused.
import { describe, expect, test } from "vitest";
import { Rig, Code, Kind, REMOTE, bytesOf, expectClean } from "./rig.ts";
import { Core } from "../../host/core/core.ts";

const LONG = Number(process.env.WASOCK_LONG ?? 0);
const CYCLES = 200_000 * (LONG > 0 ? 5 * LONG : 1);

/** one socket's whole life through the fake driver, with a paused read buffer on the way */
function lifecycle(rig: Rig, i: number, chunk: Uint8Array): void {
  const c = rig.core;
  const h = c.socketOpen(Kind.Tcp, false);
  if (h <= 0) throw new Error(`socketOpen ${h}`);
  c.connectAddress(h, "127.0.0.1", 80, i);
  c.onConnected(h, null, i);
  c.setTimeout(h, 1000, i);
  c.write(h, 100, i);
  if (i % 2 === 0) {
    c.pause(h);
    c.onData(h, chunk, i);
    c.resume(h);
  }
  c.onWritten(h, 100, i);
  c.destroy(h, i % 3 === 0);
  c.onClosed(h);
  c.drain(() => {});
}

describe("long run", () => {
  test(`${CYCLES} open/close cycles keep memory flat`, () => {
    const rig = new Rig({ capacity: 64 });
    const chunk = bytesOf(3000);
    const warm = 20_000;
    for (let i = 0; i < warm; i++) lifecycle(rig, i, chunk);
    const after = rig.core.memoryBytes();
    for (let i = warm; i < CYCLES; i++) lifecycle(rig, i, chunk);
    expect(rig.core.memoryBytes()).toBe(after);
    expect(after).toBeLessThanOrEqual(1 << 20); // a handful of 64 KiB pages
    expectClean(rig.core);
  }, 120_000);

  test("servers with accepted connections: flat too", () => {
    const rig = new Rig({ capacity: 64 });
    const round = () => {
      const c = rig.core;
      const s = c.serverOpen(Kind.Tcp);
      c.listenAddress(s, "127.0.0.1", 8000, 0);
      c.onListening(s, null);
      const hs = [c.onAccepted(s, REMOTE, 0), c.onAccepted(s, REMOTE, 0)];
      c.serverClose(s);
      c.onClosed(s);
      for (const h of hs) {
        c.onEof(h, 0);
        c.onClosed(h);
      }
      c.drain(() => {});
    };
    for (let i = 0; i < 5000; i++) round();
    const after = rig.core.memoryBytes();
    for (let i = 0; i < 20_000; i++) round();
    expect(rig.core.memoryBytes()).toBe(after);
    expectClean(rig.core);
  });
});

describe("generations", () => {
  test("a slot is retired after 0x7fff generations, never reused", () => {
    const c = Core.create({ capacity: 1 });
    const seen = new Set<number>();
    for (let gen = 1; gen <= 0x7fff; gen++) {
      const h = c.socketOpen(Kind.Tcp, false);
      expect(h).toBe(gen << 16);
      seen.add(h);
      c.destroy(h, false);
      c.drain(() => {});
    }
    expect(seen.size).toBe(0x7fff);
    expect(c.socketOpen(Kind.Tcp, false)).toBe(-Code.TableFull);
    expect(c.serverOpen(Kind.Tcp)).toBe(-Code.TableFull);
    expectClean(c);
  });

  test("free slots are reused first-in first-out, so generations wear evenly", () => {
    const c = Core.create({ capacity: 4 });
    const order: number[] = [];
    for (let i = 0; i < 12; i++) {
      const h = c.socketOpen(Kind.Tcp, false);
      order.push(h & 0xffff);
      c.destroy(h, false);
      c.drain(() => {});
    }
    expect(order).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expectClean(c);
  });
});
