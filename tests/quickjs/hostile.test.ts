// Hostile guests: the host stays healthy, limits hold, and the next sandbox works.
import * as net from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { createSandbox } from "../../host/quickjs/index.ts";
import { disposeChecked, expectOk, LOOPBACK, runGuest } from "./helpers.ts";

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** a host server; `onSocket` decides what to do with each connection */
async function hostServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; sockets: Set<net.Socket>; maxOpen: () => number }> {
  const sockets = new Set<net.Socket>();
  let max = 0;
  const srv = net.createServer((s) => {
    sockets.add(s);
    max = Math.max(max, sockets.size);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
    onSocket(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const origClose = srv.close.bind(srv);
  srv.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return origClose(cb);
  }) as typeof srv.close;
  return { port: (srv.address() as net.AddressInfo).port, sockets, maxOpen: () => max };
}

/** the next sandbox still works: an echo round trip */
async function nextSandboxWorks(): Promise<void> {
  const r = await expectOk(`
    import net from "net";
    const srv = net.createServer((s) => s.pipe(s));
    srv.listen(0, "127.0.0.1", () => {
      const c = net.connect(srv.address().port, "127.0.0.1", () => c.end("ping"));
      c.on("data", (d) => console.log(String(d)));
      c.on("close", () => srv.close());
    });
  `, LOOPBACK);
  expect(r.lines).toEqual(["ping"]);
}

describe("CPU", () => {
  test("an infinite loop at the top level is interrupted", async () => {
    const t0 = Date.now();
    const r = await runGuest(`console.log("start"); for (;;) {}`, { cpuBudgetMs: 100 });
    expect(r.ok).toBe(false);
    expect(r.error!.code).toBe("ERR_CPU_BUDGET_EXCEEDED");
    expect(r.lines).toEqual(["start"]);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await nextSandboxWorks();
  });

  test("an infinite loop in a timer, a socket callback and an async function is interrupted", async () => {
    const a = await runGuest(`setTimeout(() => { while (true) {} }, 5);`, { cpuBudgetMs: 100 });
    expect(a.error!.code).toBe("ERR_CPU_BUDGET_EXCEEDED");
    const b = await runGuest(`(async () => { await null; while (true) {} })();`, { cpuBudgetMs: 100 });
    expect(b.error!.code).toBe("ERR_CPU_BUDGET_EXCEEDED");
    const c = await runGuest(`
      import net from "net";
      const srv = net.createServer((s) => s.on("data", () => { for (;;) {} }));
      srv.listen(0, "127.0.0.1", () => net.connect(srv.address().port, "127.0.0.1", function () { this.write("x"); }));
    `, { ...LOOPBACK, cpuBudgetMs: 100 });
    expect(c.error!.code).toBe("ERR_CPU_BUDGET_EXCEEDED");
    await nextSandboxWorks();
  });

  test("the budget is per callback: many short callbacks run past it in total", async () => {
    const r = await expectOk(`
      let n = 0;
      const iv = setInterval(() => { const t = Date.now(); while (Date.now() - t < 60) {} if (++n === 10) clearInterval(iv); }, 1);
    `, { cpuBudgetMs: 400 });
    expect(r.exitCode).toBe(0);
  });
});

describe("memory", () => {
  test("a huge allocation hits the memory limit", async () => {
    const r = await runGuest(`const a = []; for (;;) a.push(new Uint8Array(4 * 1024 * 1024));`, { memoryLimit: 32 * 1024 * 1024 });
    expect(r.ok).toBe(false);
    expect(r.error!.message).toMatch(/out of memory/);
    expect(r.error!.code).toBe("ERR_MEMORY_LIMIT_EXCEEDED");
    const big = await runGuest(`const b = new Uint8Array(256 * 1024 * 1024); console.log(b.length);`, { memoryLimit: 32 * 1024 * 1024 });
    expect(big.ok).toBe(false);
    expect(big.error!.message).toMatch(/out of memory/);
    expect(big.lines).toEqual([]);
    await nextSandboxWorks();
  });

  test("a guest that catches the out-of-memory error keeps running", async () => {
    const r = await expectOk(`
      try { "x".repeat(64 * 1024 * 1024); console.log("allocated"); } catch (e) { console.log("caught", e instanceof Error); }
    `, { memoryLimit: 32 * 1024 * 1024 });
    expect(r.lines).toEqual(["caught true"]);
  });
});

describe("writing forever without reading", () => {
  test("respecting backpressure: writes stop at write() === false and memory stays bounded", async () => {
    const peer = await hostServer((s) => s.pause());
    let out = "";
    const sandbox = await createSandbox({ ...LOOPBACK, stdout: (t) => (out += t), stderr: (t) => (out += t), memoryLimit: 64 * 1024 * 1024 });
    const done = sandbox.run({ source: `
      import net from "net";
      const c = net.connect(${peer.port}, "127.0.0.1");
      let stall = null;
      function pump() {
        clearTimeout(stall);
        while (c.write(Buffer.alloc(65536, 1)));
        // no 'drain' for 300 ms: the peer's kernel buffers are full
        stall = setTimeout(() => console.log("stalled"), 300);
      }
      c.on("connect", pump);
      c.on("drain", pump);
    ` });
    for (let i = 0; i < 1000 && !out.includes("stalled"); i++) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain("stalled");
    const s1 = sandbox.stats();
    await new Promise((r) => setTimeout(r, 300));
    const s2 = sandbox.stats();
    // the kernel buffers take a few MiB; after that nothing grows
    expect(s2.bytesWritten).toBe(s1.bytesWritten);
    expect(s2.bufferedBytes).toBeLessThan(4 * 1024 * 1024);
    expect(s2.guestHeapBytes - s1.guestHeapBytes).toBeLessThan(1024 * 1024);
    disposeChecked(sandbox);
    await expect(done).rejects.toMatchObject({ code: "ERR_SANDBOX_DISPOSED" });
    await nextSandboxWorks();
  });

  test("a write above the per-socket quota fails with ERR_QUOTA_EXCEEDED", async () => {
    const peer = await hostServer((s) => s.resume());
    const r = await expectOk(`
      import net from "net";
      const c = net.connect(${peer.port}, "127.0.0.1", () => {
        c.write(Buffer.alloc(2 * 1024 * 1024, 1), (err) => console.log("write cb", err && err.code));
      });
      c.on("error", (e) => console.log("error", e.code, e.message));
    `, { ...LOOPBACK, maxBufferedBytesPerSocket: 1024 * 1024 });
    expect(r.lines[0]).toBe("write cb ERR_QUOTA_EXCEEDED");
    expect(r.lines[1]).toMatch(/^error ERR_QUOTA_EXCEEDED Quota exceeded/);
    await nextSandboxWorks();
  });

  test("ignoring backpressure: host buffering stays under the quota and the guest heap under its limit", async () => {
    const peer = await hostServer((s) => s.pause());
    const quota = 1024 * 1024;
    const sandbox = await createSandbox({ ...LOOPBACK, stdout: () => {}, stderr: () => {}, maxBufferedBytesPerSocket: quota, memoryLimit: 16 * 1024 * 1024 });
    const done = sandbox.run(`
      import net from "net";
      const c = net.connect(${peer.port}, "127.0.0.1");
      c.on("connect", function loop() { for (let i = 0; i < 4; i++) c.write(Buffer.alloc(256 * 1024, 1)); setImmediate(loop); });
    `);
    let maxBuffered = 0;
    const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, sandbox.stats().bufferedBytes)), 5);
    const err = await done.then(() => null, (e: Error) => e);
    clearInterval(watch);
    // Node's Writable buffers unsent writes in the guest; the heap limit ends it
    expect(err?.message).toMatch(/out of memory/);
    expect(maxBuffered).toBeLessThanOrEqual(quota);
    disposeChecked(sandbox);
    await nextSandboxWorks();
  });
});

describe("connection loop", () => {
  test("maxSockets holds: extra connects fail with ERR_QUOTA_EXCEEDED", async () => {
    const peer = await hostServer(() => {});
    const r = await expectOk(`
      import net from "net";
      const codes = {};
      const sockets = [];
      let settled = 0;
      for (let i = 0; i < 50; i++) {
        const c = net.connect(${peer.port}, "127.0.0.1");
        sockets.push(c);
        const done = (k) => { codes[k] = (codes[k] ?? 0) + 1; if (++settled === 50) { console.log(JSON.stringify(codes)); for (const s of sockets) s.destroy(); } };
        c.on("connect", () => done("connected"));
        c.on("error", (e) => done(e.code));
      }
    `, { ...LOOPBACK, maxSockets: 10 });
    const codes = JSON.parse(r.lines[0]!) as Record<string, number>;
    expect(codes.connected).toBe(10);
    expect(codes.ERR_QUOTA_EXCEEDED).toBe(40);
    expect(peer.maxOpen()).toBeLessThanOrEqual(10);
    await nextSandboxWorks();
  });
});

describe("handles", () => {
  const HOST = `const host = globalThis[Symbol.for("wasock.host")];`;

  test("forged handle numbers get ERR_INVALID_HANDLE from every host function", async () => {
    const r = await expectOk(`
      ${HOST}
      const calls = {
        write: (h) => host.write(h, new ArrayBuffer(4), 0, 4),
        end: (h) => host.end(h), destroy: (h) => host.destroy(h, true), pause: (h) => host.pause(h), resume: (h) => host.resume(h),
        setTimeout: (h) => host.setTimeout(h, 10), setNoDelay: (h) => host.setNoDelay(h, true), setKeepAlive: (h) => host.setKeepAlive(h, true, 0),
        ref: (h) => host.ref(h, false), counters: (h) => host.counters(h), socketInfo: (h) => host.socketInfo(h),
        serverClose: (h) => host.serverClose(h), serverAddress: (h) => host.serverAddress(h), getConnections: (h) => host.getConnections(h),
        setMaxConnections: (h) => host.setMaxConnections(h, 1), serverRef: (h) => host.serverRef(h, false),
      };
      const seen = new Set();
      for (const [name, call] of Object.entries(calls)) {
        for (const h of [0, 1, 2, 65537, 0x7fffffff, -1, 1.5, NaN, "1", null, {}]) {
          try { call(h); seen.add(name + ": no error for " + String(h)); } catch (e) { seen.add(e.code); }
        }
      }
      console.log([...seen].sort().join(","));
    `);
    expect(r.lines[0]!.split(",").every((c) => c === "ERR_INVALID_HANDLE" || c === "ERR_INVALID_ARG_TYPE")).toBe(true);
    expect(r.lines[0]).toContain("ERR_INVALID_HANDLE");
  });

  test("malformed connect requests get a clear error and open nothing", async () => {
    const r = await expectOk(`
      ${HOST}
      const bad = [
        () => host.connectTcp(),
        () => host.connectTcp(42, 80, 0),
        () => host.connectTcp("127.0.0.1", "80", 0),
        () => host.connectTcp("127.0.0.1", 70000, 0),
        () => host.connectTcp("127.0.0.1", 80, -1),
        () => host.connectTcp("127.0.0.1", 80, 1 << 20),
        () => host.connectTcp("127.0.0.1", 80, 0, undefined, undefined, undefined, 5),
        () => host.connectTcp("127.0.0.1", 80, 0, undefined, undefined, undefined, undefined, -3),
        () => host.connectTcp("127.0.0.1", 80, 0, undefined, undefined, undefined, undefined, undefined, {}),
        () => host.connectTcp("127.0.0.1", 80, 0, "1000"),
      ];
      const codes = bad.map((call) => { try { return "handle " + call(); } catch (e) { return e.code; } });
      console.log(codes.join(","));
    `);
    expect(r.lines[0]!.split(",")).toEqual([
      "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_TYPE", "ERR_OUT_OF_RANGE", "ERR_OUT_OF_RANGE",
      "ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_VALUE", "ERR_OUT_OF_RANGE", "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_TYPE",
    ]);
  });

  test("a stale handle (closed) gets an error, never the socket that reused its slot", async () => {
    const peer = await hostServer((s) => s.resume());
    const r = await expectOk(`
      ${HOST}
      import net from "net";
      const stale = host.connectTcp("127.0.0.1", ${peer.port}, 0);
      host.destroy(stale, false);
      setTimeout(() => {
        const c = net.connect(${peer.port}, "127.0.0.1", () => {
          let code = "none";
          try { host.write(stale, new ArrayBuffer(3), 0, 3); } catch (e) { code = e.code; }
          try { host.destroy(stale, true); } catch (e) { code += "," + e.code; }
          console.log(typeof stale, code, c.destroyed, c.bytesWritten);
          c.end("still mine");
        });
      }, 50);
    `, LOOPBACK);
    expect(r.lines).toEqual(["number ERR_INVALID_HANDLE,ERR_INVALID_HANDLE false 0"]);
  });

  test("two sandboxes: neither can reach the other's sockets", async () => {
    const peer = await hostServer((s) => s.on("data", (d) => s.write(d)));
    let outB = "";
    const b = await createSandbox({ ...LOOPBACK, cpuBudgetMs: 20_000, stdout: (t) => (outB += t), stderr: (t) => (outB += t) });
    const runB = b.run({ source: `
      ${HOST}
      import net from "net";
      const c = net.connect(${peer.port}, "127.0.0.1");
      c.on("connect", () => {
        // a raw handle of B's own, and the numbers around it (where B's other sockets are)
        const raw = host.connectTcp("127.0.0.1", ${peer.port}, 0);
        const mine = [raw];
        for (let h = raw - 64; h < raw + 64; h++) { try { host.counters(h); if (h !== raw) mine.push(h); } catch {} }
        host.destroy(raw, false);
        console.log("handles " + JSON.stringify(mine));
      });
      c.on("data", (d) => { console.log("B got " + d); if (String(d) === "second") c.end(); });
      globalThis.second = () => c.write("second");
      setTimeout(() => c.write("second"), 400);
    `, filename: "b.mjs" });
    for (let i = 0; i < 100 && !outB.includes("handles"); i++) await new Promise((r) => setTimeout(r, 10));
    const handles = JSON.parse(/handles (\[.*\])/.exec(outB)![1]!) as number[];
    expect(handles.length).toBeGreaterThan(1);
    const a = await expectOk(`
      ${HOST}
      const tried = ${JSON.stringify(handles)};
      for (const h of [...tried]) for (let d = -64; d < 64; d++) tried.push(h + d);
      for (let h = 1; h < 3000; h++) tried.push(h);
      let reached = 0;
      for (const h of tried) {
        try { host.destroy(h, true); reached++; } catch {}
        try { host.write(h, new ArrayBuffer(1), 0, 1); reached++; } catch {}
      }
      console.log("reached " + reached);
    `, { cpuBudgetMs: 20_000 });
    expect(a.lines).toEqual(["reached 0"]);
    await runB;
    expect(outB).toContain("B got second");
    disposeChecked(b);
  });
});
