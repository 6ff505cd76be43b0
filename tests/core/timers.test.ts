// Idle timeouts on a virtual clock: tick(now) fires, nextDeadline() says when.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, bytesOf } from "./rig.ts";

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

describe("idle timeout", () => {
  test("no timer: nextDeadline is -1 and tick fires nothing", () => {
    rig.open();
    expect(rig.core.nextDeadline()).toBe(-1);
    rig.advance(1e9);
    expect(rig.names()).toEqual([]);
  });

  test("fires once at the deadline, not before", () => {
    const h = rig.open();
    rig.core.setTimeout(h, 500, rig.now);
    expect(rig.core.nextDeadline()).toBe(rig.now + 500);
    rig.advance(499);
    expect(rig.names()).toEqual([]);
    rig.advance(1);
    expect(rig.drain()).toEqual([{ ev: "Timeout", h, a: 0, b: 0 }]);
    expect(rig.core.nextDeadline()).toBe(-1);
    rig.advance(10_000);
    expect(rig.names()).toEqual([]); // one-shot until the next activity
  });

  test("activity re-arms: data, writes, write completions", () => {
    const h = rig.open();
    rig.core.setTimeout(h, 100, rig.now);
    rig.advance(90);
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.Deliver);
    rig.advance(90);
    rig.core.write(h, 1, rig.now);
    rig.advance(90);
    rig.core.onWritten(h, 1, rig.now);
    rig.advance(90);
    expect(rig.names()).toEqual([]);
    rig.advance(10);
    expect(rig.names()).toEqual(["Timeout"]);
    rig.core.onData(h, bytesOf(1), rig.now); // re-armed after firing
    rig.advance(100);
    expect(rig.names()).toEqual(["Timeout"]);
  });

  test("nextDeadline may be early after a refresh, never late", () => {
    const h = rig.open();
    rig.core.setTimeout(h, 100, rig.now);
    const first = rig.core.nextDeadline();
    rig.advance(50);
    rig.core.onData(h, bytesOf(1), rig.now); // deadline moves to now + 100
    expect(rig.core.nextDeadline()).toBe(first);
    rig.toDeadline();
    expect(rig.names()).toEqual([]);
    expect(rig.core.nextDeadline()).toBe(rig.now + 50);
    rig.toDeadline();
    expect(rig.names()).toEqual(["Timeout"]);
  });

  test("setTimeout(0) disarms", () => {
    const h = rig.open();
    rig.core.setTimeout(h, 100, rig.now);
    rig.core.setTimeout(h, 0, rig.now);
    rig.advance(1000);
    expect(rig.names()).toEqual([]);
  });

  test("armed before connect (Node's timeout option) fires while connecting", () => {
    const h = rig.idle();
    rig.core.setTimeout(h, 300, rig.now);
    rig.core.connectAddress(h, "10.0.0.1", 80, rig.now);
    rig.drain();
    rig.advance(300);
    expect(rig.names()).toEqual(["Timeout"]);
  });

  test("the earliest of several sockets decides; each fires at its own time", () => {
    const a = rig.open();
    const b = rig.open();
    rig.core.setTimeout(a, 300, rig.now);
    rig.core.setTimeout(b, 100, rig.now);
    const t0 = rig.now;
    expect(rig.core.nextDeadline()).toBe(t0 + 100);
    rig.toDeadline();
    expect(rig.drain().map((r) => r.h)).toEqual([b]);
    expect(rig.core.nextDeadline()).toBe(t0 + 300);
    rig.toDeadline();
    expect(rig.drain().map((r) => r.h)).toEqual([a]);
  });

  test("no timeout once destroyed", () => {
    const h = rig.open();
    rig.core.setTimeout(h, 100, rig.now);
    rig.core.destroy(h, false);
    rig.advance(200);
    expect(rig.names()).toEqual(["IoClose"]);
  });

  test("bad timeouts are refused", () => {
    const h = rig.open();
    expect(rig.core.setTimeout(h, -1, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.setTimeout(h, NaN, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.setTimeout(h, Infinity, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.setTimeout(h, 10, NaN)).toBe(Code.InvalidArgument);
  });
});
