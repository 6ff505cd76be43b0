// Reads (Deliver, paused buffering, IoReadStop/Start, End after buffered bytes) and
// writes (accounting, highWaterMark, Drain), through the fake driver.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { Rig, Code, SocketState, bytesOf } from "./rig.ts";

let rig: Rig;
beforeEach(() => {
  rig = new Rig();
});
afterEach(() => {
  rig.finish();
});

describe("reads while paused", () => {
  test("paused bytes are copied, then delivered as Data on resume, in order", () => {
    const h = rig.open();
    rig.core.pause(h);
    const a = bytesOf(10, 1);
    const b = bytesOf(20, 2);
    expect(rig.core.onData(h, a, rig.now)).toBe(Code.Ok);
    expect(rig.core.onData(h, b, rig.now)).toBe(Code.Ok);
    expect(rig.core.readBuffered(h)).toBe(30);
    expect(rig.core.stats().bufferedBytes).toBe(30);
    expect(rig.names()).toEqual([]);
    rig.core.resume(h);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["Data"]);
    expect(recs[0].data).toEqual([...a, ...b]);
    expect(rig.core.readBuffered(h)).toBe(0);
    expect(rig.core.stats().bufferedBytes).toBe(0);
    expect(rig.core.bytesRead(h)).toBe(30);
  });

  test("after the buffer empties, flowing data is delivered by the host again", () => {
    const h = rig.open();
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(5), rig.now);
    rig.core.resume(h);
    // bytes arriving before the buffer is drained must queue behind it (order)
    expect(rig.core.onData(h, bytesOf(3, 9), rig.now)).toBe(Code.Ok);
    const recs = rig.drain();
    expect(recs.map((r) => [r.ev, r.b])).toEqual([["Data", 8]]);
    expect(rig.core.onData(h, bytesOf(3), rig.now)).toBe(Code.Deliver);
  });

  test("a full read buffer asks the host to stop reading (IoReadStop), resume restarts it", () => {
    const h = rig.open();
    rig.core.setHighWaterMark(h, 100);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(60), rig.now);
    expect(rig.names()).toEqual([]);
    rig.core.onData(h, bytesOf(60), rig.now);
    expect(rig.names()).toEqual(["IoReadStop"]);
    // bytes already in flight are still taken
    expect(rig.core.onData(h, bytesOf(60), rig.now)).toBe(Code.Ok);
    expect(rig.names()).toEqual([]);
    rig.core.resume(h);
    const recs = rig.drain();
    expect(recs.map((r) => [r.ev, r.b])).toEqual([["Data", 180], ["IoReadStart", 0]]);
  });

  test("resume with nothing buffered but reading stopped restarts reading", () => {
    const h = rig.open();
    rig.core.setHighWaterMark(h, 10);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(10), rig.now);
    expect(rig.names()).toEqual(["IoReadStop"]);
    rig.core.resume(h);
    rig.core.pause(h); // paused again before the drain: the Flush is dropped
    expect(rig.names()).toEqual([]);
    expect(rig.core.readBuffered(h)).toBe(10);
    rig.core.resume(h);
    expect(rig.names()).toEqual(["Data", "IoReadStart"]);
  });

  test("pausing inside a Data handler stops further delivery", () => {
    const h = rig.open();
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(4), rig.now);
    rig.core.resume(h);
    const seen: number[] = [];
    rig.core.drain((kind, hh, a, b) => {
      seen.push(kind);
      if (kind === 33) {
        rig.core.pause(hh);
        // later bytes arrive while paused
        expect(rig.core.onData(hh, bytesOf(2), rig.now)).toBe(Code.Ok);
      }
    });
    expect(seen).toEqual([33]);
    expect(rig.core.readBuffered(h)).toBe(2);
  });

  test("Data bytes stay readable during the sink call even as later data arrives", () => {
    const h = rig.open();
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(50, 7), rig.now);
    rig.core.resume(h);
    let got: number[] = [];
    rig.core.drain((kind, _h, a, b) => {
      if (kind === 33) got = Array.from(rig.core.bytes(a, b));
    });
    expect(got).toEqual(Array.from(bytesOf(50, 7)));
  });

  test("large paused reads grow core memory; the views are rebuilt and bytes stay exact", () => {
    const h = rig.open();
    rig.core.setHighWaterMark(h, 1 << 22); // cap 16 MiB
    rig.core.pause(h);
    const before = rig.core.memoryBytes();
    const chunks = [bytesOf(1 << 20, 1), bytesOf(1 << 20, 2), bytesOf(1 << 20, 3)];
    for (const c of chunks) expect(rig.core.onData(h, c, rig.now)).toBe(Code.Ok);
    expect(rig.core.memoryBytes()).toBeGreaterThan(before);
    rig.core.resume(h);
    let got: Uint8Array | null = null;
    rig.core.drain((kind, _h, a, b) => {
      if (kind === 33) got = rig.core.bytes(a, b);
    });
    expect(got!.length).toBe(3 << 20);
    // Buffer.compare: toEqual on MiB-sized arrays takes seconds
    chunks.forEach((c, i) => expect(Buffer.compare(got!.subarray(i << 20, (i + 1) << 20), c)).toBe(0));
  });

  test("the read buffer is released when emptied (no buffer kept by idle sockets)", () => {
    const h = rig.open();
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(4096), rig.now);
    rig.core.resume(h);
    rig.drain();
    expect(rig.core.readBuffered(h)).toBe(0);
    expect(rig.core.stats().bufferedBytes).toBe(0);
  });
});

describe("EOF and half-open", () => {
  test("End waits behind buffered bytes and for resume", () => {
    const h = rig.open(true);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(7), rig.now);
    rig.core.onEof(h, rig.now);
    expect(rig.names()).toEqual([]);
    expect(rig.core.state(h)).toBe(SocketState.Open);
    rig.core.resume(h);
    expect(rig.names()).toEqual(["Data", "End"]);
    expect(rig.core.state(h)).toBe(SocketState.WriteOnly);
  });

  test("EOF while paused with nothing buffered: End on resume", () => {
    const h = rig.open(true);
    rig.core.pause(h);
    rig.core.onEof(h, rig.now);
    expect(rig.names()).toEqual([]);
    rig.core.resume(h);
    expect(rig.names()).toEqual(["End"]);
  });

  test("buffered End without allowHalfOpen closes our side after it", () => {
    const h = rig.open(false);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(3), rig.now);
    rig.core.onEof(h, rig.now);
    rig.core.resume(h);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["Data", "End", "IoShutdown", "IoClose"]);
    rig.answerCloses(recs);
  });

  test("data after EOF is refused", () => {
    const h = rig.open(true);
    rig.core.onEof(h, rig.now);
    rig.drain();
    expect(rig.core.onData(h, bytesOf(1), rig.now)).toBe(Code.InvalidState);
  });

  test("destroy with a pending End: no End, no Data after destroy", () => {
    const h = rig.open(true);
    rig.core.pause(h);
    rig.core.onData(h, bytesOf(3), rig.now);
    rig.core.onEof(h, rig.now);
    rig.core.resume(h);
    rig.core.destroy(h, false);
    const recs = rig.drain();
    expect(recs.map((r) => r.ev)).toEqual(["IoClose"]);
    rig.answerCloses(recs);
  });
});

describe("writes and drain", () => {
  test("write accounts bytes; onWritten releases them", () => {
    const h = rig.open();
    expect(rig.core.write(h, 100, rig.now)).toBe(Code.Ok);
    expect(rig.core.writeNeedsDrain(h)).toBe(false);
    expect(rig.core.bufferSize(h)).toBe(100);
    expect(rig.core.bytesWritten(h)).toBe(100);
    expect(rig.core.stats().bufferedBytes).toBe(100);
    expect(rig.core.onWritten(h, 100, rig.now)).toBe(Code.Ok);
    expect(rig.core.bufferSize(h)).toBe(0);
    expect(rig.names()).toEqual([]); // no Drain: never needed
  });

  test("reaching highWaterMark needs a drain; Drain when the queue empties", () => {
    const h = rig.open();
    expect(rig.core.write(h, 16383, rig.now)).toBe(Code.Ok);
    expect(rig.core.writeNeedsDrain(h)).toBe(false);
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.Ok);
    expect(rig.core.writeNeedsDrain(h)).toBe(true);
    rig.core.onWritten(h, 16000, rig.now);
    expect(rig.names()).toEqual([]);
    rig.core.onWritten(h, 384, rig.now);
    expect(rig.names()).toEqual(["Drain"]);
    expect(rig.core.write(h, 1, rig.now)).toBe(Code.Ok);
    expect(rig.core.writeNeedsDrain(h)).toBe(false);
    rig.core.onWritten(h, 1, rig.now);
    expect(rig.names()).toEqual([]);
  });

  test("setHighWaterMark changes the threshold", () => {
    const h = rig.open();
    rig.core.setHighWaterMark(h, 10);
    rig.core.write(h, 10, rig.now);
    expect(rig.core.writeNeedsDrain(h)).toBe(true);
    expect(rig.core.setHighWaterMark(h, -1)).toBe(Code.InvalidArgument);
    rig.core.onWritten(h, 10, rig.now);
    expect(rig.names()).toEqual(["Drain"]);
  });

  test("onWritten beyond what was queued is refused", () => {
    const h = rig.open();
    rig.core.write(h, 5, rig.now);
    expect(rig.core.onWritten(h, 6, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.onWritten(h, -1, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.bufferSize(h)).toBe(5);
  });

  test("zero-length and negative writes", () => {
    const h = rig.open();
    expect(rig.core.write(h, 0, rig.now)).toBe(Code.Ok);
    expect(rig.core.write(h, -5, rig.now)).toBe(Code.InvalidArgument);
    expect(rig.core.bufferSize(h)).toBe(0);
  });

  test("byte counters are 64-bit in the core (past 2^32)", () => {
    const h = rig.open();
    const chunk = 1 << 30;
    for (let i = 0; i < 5; i++) {
      expect(rig.core.write(h, chunk, rig.now)).toBe(Code.Ok);
      expect(rig.core.onWritten(h, chunk, rig.now)).toBe(Code.Ok);
    }
    expect(rig.core.bytesWritten(h)).toBe(5 * chunk);
    expect(rig.core.stats().bytesWritten).toBe(5 * chunk);
    rig.drain();
  });
});
