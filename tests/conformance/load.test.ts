/**
 * Volume: connection churn, many timers, many connections closing under a
 * closing server. Aggregates are compared (counts, orders that Node
 * defines); the file's leak check then proves the core table drained.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, once } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const H = "127.0.0.1";

describe("load", () => {
  diff("churn: 600 connections, 1 byte each way, concurrency 12", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.track(c);
      c.on("data", (d) => c.end(d));
    });
    const port = await ctx.listen(srv);
    let ok = 0;
    let bad = 0;
    const events = new Map<string, number>();
    const one = async () => {
      const c = net.connect(port, H);
      const seq: string[] = [];
      for (const ev of ["connect", "data", "end", "close", "error"]) c.on(ev, () => seq.push(ev));
      c.end("x");
      await once(c, "close", 10_000);
      const key = seq.join(">");
      events.set(key, (events.get(key) ?? 0) + 1);
      if (c.bytesRead === 1 && c.bytesWritten === 1) ok++;
      else bad++;
    };
    let next = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < 600) {
          next++;
          await one();
        }
      }),
    );
    ctx.log("churn", "ok", ok, "bad", bad);
    ctx.log("churn", "event sequences", Object.fromEntries(events));
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    await new Promise<void>((r) => srv.close(() => r()));
  }, (t) => expect(JSON.stringify(t.churn)).toContain('"ok",600'), 30_000);

  diff("100 idle sockets with setTimeout(40): each times out exactly once", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c));
    const port = await ctx.listen(srv);
    const socks: Socket[] = [];
    let timeouts = 0;
    for (let i = 0; i < 100; i++) {
      const c = ctx.track(net.connect(port, H));
      c.setTimeout(40, () => timeouts++);
      socks.push(c);
    }
    await Promise.all(socks.map((c) => once(c, "connect")));
    await delay(200);
    ctx.log("timers", "timeouts", timeouts, "destroyed", socks.filter((s) => s.destroyed).length);
    for (const s of socks) s.destroy();
    await Promise.all(socks.map((c) => (c.closed ? Promise.resolve() : once(c, "close"))));
    await new Promise<void>((r) => srv.close(() => r()));
  });

  diff("a closing server with 100 open connections: 'close' once, after the last one", async (net, ctx) => {
    const conns: Socket[] = [];
    const srv = net.createServer((c) => conns.push(ctx.track(c)));
    const port = await ctx.listen(srv);
    const clients = Array.from({ length: 100 }, () => ctx.track(net.connect(port, H)));
    await Promise.all(clients.map((c) => once(c, "connect")));
    while (conns.length < 100) await delay(2);
    let closes = 0;
    srv.on("close", () => closes++);
    srv.close(() => ctx.log("server", "close cb, open client sockets", clients.filter((c) => !c.destroyed).length));
    await delay(20);
    ctx.log("server", "closes while connections open", closes);
    for (const c of clients) c.destroy();
    await once(srv, "close", 5000).catch(() => {});
    await delay(10);
    ctx.log("server", "closes", closes);
  });
});
