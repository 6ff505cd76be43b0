import { expect, test } from "vitest";
import { expectOk, LOOPBACK } from "./helpers.ts";

const HOST = `const host = globalThis[Symbol.for("wasock.host")];`;

const GUEST = `
  ${HOST}
  import net from "net";
  const server = net.createServer((s) => s.on("data", (d) => s.end(d)));
  server.listen(0, "127.0.0.1", () => {
    const c = net.connect(server.address().port, "127.0.0.1", () => c.write("hello"));
    c.on("data", () => {
      const raw = host.connectTcp("127.0.0.1", server.address().port, 0);
      const out = new Float64Array(3).fill(-1);
      const r1 = host.counters(raw, out.buffer);
      const r2 = host.counters(raw, new ArrayBuffer(16));
      const r3 = host.counters(raw);
      console.log(JSON.stringify([r1, Array.from(out), typeof r2, JSON.parse(r2), typeof r3]));
      // destroy(h, reset, out): the counters first, the same way; then the handle is gone
      const fin = new Float64Array(3).fill(-1);
      const r4 = host.destroy(raw, false, fin.buffer);
      console.log(JSON.stringify([r4 === undefined ? null : JSON.parse(r4), Array.from(fin)]));
      const raw2 = host.connectTcp("127.0.0.1", server.address().port, 0);
      const r5 = host.destroy(raw2, false, new ArrayBuffer(16));
      const raw3 = host.connectTcp("127.0.0.1", server.address().port, 0);
      const r6 = host.destroy(raw3, false);
      const stale = new Float64Array(3).fill(-1);
      let forged = null;
      try { host.destroy(0x7fff0001, false, stale.buffer); } catch (e) { forged = e.code; }
      console.log(JSON.stringify([JSON.parse(r5), r6 === undefined, forged, Array.from(stale)]));
    });
    c.on("close", () => {
      console.log(JSON.stringify([c.bytesRead, c.bytesWritten]));
      server.close();
    });
  });
`;

const ZEROS = { bytesRead: 0, bytesWritten: 0, bufferSize: 0 };

test("counters: into a 24-byte buffer, else as JSON; a closed socket keeps its totals", async () => {
  const r = await expectOk(GUEST, LOOPBACK);
  expect(JSON.parse(r.lines[0]!)).toEqual([null, [0, 0, 0], "string", ZEROS, "string"]);
  expect(JSON.parse(r.lines[1]!)).toEqual([null, [0, 0, 0]]);
  // a buffer of another size gets JSON; no buffer, nothing; a forged handle is refused and nothing is written
  expect(JSON.parse(r.lines[2]!)).toEqual([ZEROS, true, "ERR_INVALID_HANDLE", [-1, -1, -1]]);
  // the Socket's own destroy takes its totals this way (destroyCounted)
  expect(JSON.parse(r.lines[3]!)).toEqual([5, 5]);
});

test("counters: without the heap reader, JSON every time, and the same totals", async () => {
  const saved = process.env.WASOCK_QUICKJS_NO_HEAP;
  process.env.WASOCK_QUICKJS_NO_HEAP = "1";
  try {
    const r = await expectOk(GUEST, LOOPBACK);
    const first = JSON.parse(r.lines[0]!) as unknown[];
    expect(typeof first[0]).toBe("string");
    expect(first[1]).toEqual([-1, -1, -1]);
    expect(JSON.parse(r.lines[1]!)).toEqual([ZEROS, [-1, -1, -1]]);
    expect(JSON.parse(r.lines[3]!)).toEqual([5, 5]);
  } finally {
    if (saved === undefined) delete process.env.WASOCK_QUICKJS_NO_HEAP;
    else process.env.WASOCK_QUICKJS_NO_HEAP = saved;
  }
});
