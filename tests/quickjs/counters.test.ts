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
      const out = new Float64Array(3);
      const r1 = host.counters(raw, out.buffer);
      const r2 = host.counters(raw, new ArrayBuffer(16));
      const r3 = host.counters(raw);
      console.log(JSON.stringify([r1, Array.from(out), typeof r2, JSON.parse(r2), typeof r3]));
      host.destroy(raw, false);
    });
    c.on("close", () => {
      console.log(JSON.stringify([c.bytesRead, c.bytesWritten]));
      server.close();
    });
  });
`;

test("counters: into a 24-byte buffer, else as JSON; a closed socket keeps its totals", async () => {
  const r = await expectOk(GUEST, LOOPBACK);
  expect(JSON.parse(r.lines[0]!)).toEqual([null, [0, 0, 0], "string", { bytesRead: 0, bytesWritten: 0, bufferSize: 0 }, "string"]);
  expect(JSON.parse(r.lines[1]!)).toEqual([5, 5]);
});

test("counters: without the heap reader, JSON every time, and the same totals", async () => {
  const saved = process.env.WASOCK_QUICKJS_NO_HEAP;
  process.env.WASOCK_QUICKJS_NO_HEAP = "1";
  try {
    const r = await expectOk(GUEST, LOOPBACK);
    const first = JSON.parse(r.lines[0]!) as unknown[];
    expect(typeof first[0]).toBe("string");
    expect(JSON.parse(r.lines[1]!)).toEqual([5, 5]);
  } finally {
    if (saved === undefined) delete process.env.WASOCK_QUICKJS_NO_HEAP;
    else process.env.WASOCK_QUICKJS_NO_HEAP = saved;
  }
});
