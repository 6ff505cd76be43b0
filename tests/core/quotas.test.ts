// Quotas: going over is an error code, never growth.
import { describe, expect, test } from "vitest";
import { Rig, Code, Kind, bytesOf } from "./rig.ts";
import { Core, RAW } from "../../host/core/core.ts";

describe("per-socket buffered bytes", () => {
  test("a write over the per-socket quota is refused; the queue is unchanged", () => {
    const rig = new Rig({ quotas: { maxBufferedBytesPerSocket: 1000 } });
    const h = rig.open();
    expect(rig.core.write(h, 600, rig.now)).toBe(Code.Ok);
    expect(rig.core.write(h, 401, rig.now)).toBe(Code.QuotaExceeded);
    expect(rig.core.bufferSize(h)).toBe(600);
    expect(rig.core.write(h, 400, rig.now)).toBe(Code.Ok);
    rig.core.onWritten(h, 1000, rig.now);
    expect(rig.core.write(h, 1000, rig.now)).toBe(Code.Ok);
    rig.finish();
  });

  test("paused reads count against the same quota: over it errors and destroys the socket", () => {
    const rig = new Rig({ quotas: { maxBufferedBytesPerSocket: 1000 } });
    const h = rig.open();
    rig.core.setHighWaterMark(h, 100_000); // no IoReadStop before the quota
    rig.core.write(h, 500, rig.now);
    rig.core.pause(h);
    expect(rig.core.onData(h, bytesOf(500), rig.now)).toBe(Code.Ok);
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.QuotaExceeded);
    const recs = rig.drain();
    expect(recs.map((r) => [r.ev, r.a])).toEqual([["Error", Code.QuotaExceeded], ["IoClose", 0]]);
    expect(rig.core.stats().bufferedBytes).toBe(0);
    expect(rig.answerCloses(recs)).toEqual([{ ev: "Close", h, a: 1, b: 0 }]);
    rig.finish();
  });

  test("the read buffer is capped even without quotas (host ignoring IoReadStop)", () => {
    const rig = new Rig();
    const h = rig.open();
    rig.core.pause(h);
    const chunk = bytesOf(64 * 1024);
    let rc: Code = Code.Ok;
    let n = 0;
    while (rc === Code.Ok && n < 1000) {
      rc = rig.core.onData(h, chunk, rig.now);
      n++;
    }
    expect(rc).toBe(Code.QuotaExceeded);
    expect(n * chunk.length).toBeLessThanOrEqual((1 << 20) + 2 * chunk.length);
    expect(rig.drain().map((r) => r.ev)).toEqual(["IoReadStop", "Error", "IoClose"]);
    rig.finish();
  });
});

describe("i32 limits with the default (unlimited) quotas", () => {
  test("a socket queues at most 2^31 - 1 bytes; no counter overflows", () => {
    const rig = new Rig();
    const h = rig.open();
    expect(rig.core.write(h, 2 ** 31 - 1, rig.now)).toBe(Code.Ok);
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.QuotaExceeded);
    expect(rig.core.bufferSize(h)).toBe(2 ** 31 - 1);
    expect(rig.core.checkInvariants()).toBe(1);
    rig.finish();
  });

  test("a huge paused read is refused, not allocated (read cap with a clamped highWaterMark)", () => {
    const rig = new Rig();
    const h = rig.open();
    rig.core.setHighWaterMark(h, 2 ** 30); // clamped to 2^28: cap 2^30
    rig.core.pause(h);
    expect(rig.core.onData(h, bytesOf(1000), rig.now)).toBe(Code.Ok); // held + len would pass 2^31
    const dataIn = (rig.core[RAW]() as unknown as { data_in(h: number, len: number, now: number): number }).data_in;
    expect(dataIn(h, 2 ** 31 - 1, rig.now)).toBe(-Code.QuotaExceeded);
    expect(rig.drain().map((r) => r.ev)).toEqual(["Error", "IoClose"]);
    expect(rig.core.stats().bufferedBytes).toBe(0);
    rig.finish();
  });
});

describe("total buffered bytes", () => {
  test("the core-wide quota spans sockets", () => {
    const rig = new Rig({ quotas: { maxBufferedBytesTotal: 1000 } });
    const a = rig.open();
    const b = rig.open();
    expect(rig.core.write(a, 700, rig.now)).toBe(Code.Ok);
    expect(rig.core.write(b, 301, rig.now)).toBe(Code.QuotaExceeded);
    expect(rig.core.write(b, 300, rig.now)).toBe(Code.Ok);
    expect(rig.core.stats().bufferedBytes).toBe(1000);
    rig.core.destroy(a, false); // releases its 700
    expect(rig.core.write(b, 700, rig.now)).toBe(Code.Ok);
    rig.finish();
  });
});

describe("maxSockets", () => {
  test("sockets and servers count; closing frees room; accepts are refused at the limit", () => {
    const rig = new Rig({ quotas: { maxSockets: 3 } });
    const s = rig.listening();
    rig.accepted(s);
    rig.idle();
    expect(rig.core.socketOpen(Kind.Tcp, false)).toBe(-Code.QuotaExceeded);
    expect(rig.core.onAccepted(s, null, rig.now)).toBe(-Code.QuotaExceeded);
    expect(rig.core.stats()).toMatchObject({ sockets: 2, servers: 1 });
    rig.finish();
    expect(rig.core.socketOpen(Kind.Tcp, false)).toBeGreaterThan(0);
    rig.finish();
  });

  test("bad quota options throw at creation", () => {
    expect(() => Core.create({ quotas: { maxSockets: -1 } })).toThrow(RangeError);
    expect(() => Core.create({ capacity: 0 })).toThrow(RangeError);
    expect(() => Core.create({ capacity: 65536 })).toThrow(RangeError);
  });
});

describe("event queue bound", () => {
  test("inputs return WouldBlock when the host never drains; draining recovers", () => {
    const rig = new Rig({ capacity: 8 });
    const h = rig.open();
    let rc: Code = Code.Ok;
    let n = 0;
    while (rc === Code.Ok && n < 10_000) {
      rc = rig.core.setNoDelay(h, true);
      n++;
    }
    expect(rc).toBe(Code.WouldBlock);
    expect(n).toBe(4097);
    expect(rig.core.pendingRecords()).toBe(4096);
    expect(rig.drain().length).toBe(4096);
    expect(rig.core.setNoDelay(h, true)).toBe(Code.Ok);
    rig.finish();
  });
});
