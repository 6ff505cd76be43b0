/**
 * Server: every listen signature, close/address/getConnections,
 * maxConnections + 'drop', ref/unref, asyncDispose, already-listening,
 * EADDRINUSE and the documented retry pattern.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { AddressInfo, Server } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, tick, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

/** Listen with the given args, record 'listening' / 'error', the address and state, then close. */
async function listenAndRecord(net: Net, ctx: Ctx, args: unknown[], opts: { name?: string } = {}): Promise<Server> {
  const srv = ctx.watchServer("server", net.createServer());
  ctx.value("server", "listening before", () => srv.listening);
  const ret = ctx.value("server", "listen()", () => (srv.listen as (...a: unknown[]) => Server)(...args, () => ctx.log("server", "listen cb")));
  ctx.log("server", "listen returns this", ret === srv);
  ctx.value("server", "listening sync", () => srv.listening);
  if (ret !== undefined) await Promise.race([once(srv, "listening"), once(srv, "error")]);
  const a = srv.address();
  if (a !== null && typeof a === "object") ctx.namePort(a.port, opts.name ?? "srv");
  ctx.addr("server", "listening", srv);
  ctx.value("server", "listening after", () => srv.listening);
  return srv;
}

async function closeAndRecord(ctx: Ctx, srv: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    srv.close((err) => {
      ctx.log("server", "close cb", err ?? null);
      resolve();
    });
  });
  ctx.addr("server", "closed", srv);
  ctx.value("server", "listening closed", () => srv.listening);
}

const listenCases: [string, unknown[]][] = [
  ["listen(0, '127.0.0.1')", [0, "127.0.0.1"]],
  ["listen(0, '127.0.0.1', 7)", [0, "127.0.0.1", 7]],
  ["listen(0, '::1')", [0, "::1"]],
  ["listen(0)", [0]],
  ["listen() with only a callback", []],
  ["listen('0', '127.0.0.1') numeric string port", ["0", "127.0.0.1"]],
  ["listen({ port: 0, host: '127.0.0.1' })", [{ port: 0, host: "127.0.0.1" }]],
  ["listen({ port: 0, host: '127.0.0.1', backlog: 3, exclusive: true })", [{ port: 0, host: "127.0.0.1", backlog: 3, exclusive: true }]],
  ["listen({ port: 0, host: '::1', ipv6Only: true })", [{ port: 0, host: "::1", ipv6Only: true }]],
  ["listen({ port: 0, host: '::', ipv6Only: true })", [{ port: 0, host: "::", ipv6Only: true }]],
  ["listen({ host: '127.0.0.1' }) (port omitted)", [{ host: "127.0.0.1" }]],
  ["listen({ port: 0, host: 'localhost' })", [{ port: 0, host: "localhost" }]],
  ["listen({ fd: 99999 }) (bad handle)", [{ fd: 99999 }]],
];

describe("listen signatures", () => {
  for (const [name, args] of listenCases) {
    diff(name, async (net, ctx) => {
      const srv = await listenAndRecord(net, ctx, args);
      await closeAndRecord(ctx, srv);
    }, (t) => expect(names(t, "server")).toContain("close cb"));
  }

  diff("connect to a server listening on '::' via 127.0.0.1 (dual stack)", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.snap("server", "connection", c, ["remoteAddress", "remoteFamily", "localAddress", "localFamily"]);
      ctx.addr("server", "conn", c);
      c.end("dual");
    });
    ctx.trackServer(srv);
    srv.listen(0);
    await once(srv, "listening");
    ctx.namePort((srv.address() as AddressInfo).port, "srv");
    ctx.addr("server", "listening", srv);
    const c = ctx.watch("client", net.connect((srv.address() as AddressInfo).port, "127.0.0.1"), { snap: ["remoteAddress", "remoteFamily", "localAddress"] });
    await once(c, "close");
    srv.close();
    await once(srv, "close");
  });
});

describe("server lifecycle", () => {
  diff("ERR_SERVER_ALREADY_LISTEN on a second listen", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    await ctx.listen(srv);
    ctx.value("server", "listen again", () => srv.listen(0, "127.0.0.1"));
    await tick();
    await closeAndRecord(ctx, srv);
  });

  diff("close() when not running: callback error and 'close' event", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    await closeAndRecord(ctx, srv);
    await tick();
  });

  diff("close() twice after listening", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    await ctx.listen(srv);
    srv.close((e) => ctx.log("server", "cb1", e ?? null));
    srv.close((e) => ctx.log("server", "cb2", e ?? null));
    await once(srv, "close");
    await tick();
    await tick();
  });

  diff("close() waits for open connections; getConnections counts them", async (net, ctx) => {
    const conns: import("node:net").Socket[] = [];
    const srv = ctx.watchServer("server", net.createServer((c) => conns.push(c)));
    const port = await ctx.listen(srv);
    const a = ctx.watch("a", net.connect(port, "127.0.0.1"));
    const b = ctx.watch("b", net.connect(port, "127.0.0.1"));
    await Promise.all([once(a, "connect"), once(b, "connect")]);
    while (conns.length < 2) await delay(2);
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    srv.close((e) => ctx.log("server", "close cb", e ?? null));
    ctx.value("server", "listening after close()", () => srv.listening);
    ctx.addr("server", "after close()", srv);
    await delay(20);
    ctx.log("server", "checkpoint: a and b still open");
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    a.end();
    await once(a, "close");
    await delay(10);
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    ctx.log("server", "checkpoint: a closed");
    b.end();
    await once(srv, "close");
    ctx.log("server", "closed after b");
  });

  diff("maxConnections = 1 drops the second connection with a 'drop' event", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer((c) => c.write("hi")));
    ctx.value("server", "maxConnections default", () => srv.maxConnections);
    srv.maxConnections = 1;
    ctx.value("server", "maxConnections", () => srv.maxConnections);
    const port = await ctx.listen(srv);
    const a = ctx.watch("a", net.connect(port, "127.0.0.1"));
    await once(a, "data");
    const drop = once(srv, "drop");
    const b = ctx.watch("b", net.connect(port, "127.0.0.1"), { events: ["connect", "data", "end", "close"] });
    b.on("error", (e) => ctx.log("b", "error", (e as NodeJS.ErrnoException).code === "ECONNRESET" ? "ECONNRESET" : e));
    await drop;
    await once(b, "close");
    a.destroy();
    srv.close();
    await once(srv, "close");
  }, (t) => expect(names(t, "server")).toContain("drop"));

  diff("maxConnections = 0 (falsy: Node applies no limit)", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer((c) => c.end("never")));
    srv.maxConnections = 0;
    const port = await ctx.listen(srv);
    for (const who of ["a", "b"]) {
      const c = ctx.watch(who, net.connect(port, "127.0.0.1"), { events: ["connect", "data", "end", "close"] });
      c.on("error", (e) => ctx.log(who, "error", (e as NodeJS.ErrnoException).code === "ECONNRESET" ? "ECONNRESET" : e));
      await once(c, "close");
    }
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    srv.close();
    await once(srv, "close");
  }, (t) => expect(names(t, "a")).toContain("data"));

  diff("ref/unref return the server; listening survives unref", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    ctx.log("server", "unref()===srv before listen", srv.unref() === srv);
    await ctx.listen(srv);
    ctx.log("server", "ref()===srv", srv.ref() === srv);
    ctx.log("server", "unref()===srv", srv.unref() === srv);
    ctx.value("server", "listening", () => srv.listening);
    srv.ref();
    await closeAndRecord(ctx, srv);
  });

  diff("Symbol.asyncDispose closes the server", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    ctx.log("server", "has asyncDispose", typeof (srv as unknown as Record<symbol, unknown>)[Symbol.asyncDispose]);
    await ctx.listen(srv);
    const r = await (srv as unknown as Record<symbol, () => Promise<unknown>>)[Symbol.asyncDispose]();
    ctx.log("server", "disposed", r);
    ctx.value("server", "listening", () => srv.listening);
    ctx.log("server", "dispose again", await (srv as unknown as Record<symbol, () => Promise<unknown>>)[Symbol.asyncDispose]().then(() => "resolved", (e) => e));
  });

  diff("EADDRINUSE on a taken port, then the documented retry pattern", async (net, ctx) => {
    const first = ctx.watchServer("first", net.createServer());
    const port = await ctx.listen(first, "taken");
    const second = ctx.watchServer("second", net.createServer());
    let attempts = 0;
    await new Promise<void>((resolve) => {
      second.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EADDRINUSE" && attempts < 3) {
          attempts++;
          ctx.log("second", "retrying", attempts);
          setTimeout(() => {
            second.close();
            // free the port on the second attempt
            if (attempts === 2) first.close();
            second.listen(port, "127.0.0.1");
          }, 20);
        }
      });
      second.on("listening", () => resolve());
      second.listen(port, "127.0.0.1");
    });
    ctx.addr("second", "listening", second);
    second.close();
    await once(second, "close");
  }, (t) => expect(names(t, "second")).toContain("retrying"));

  diff("after EADDRINUSE: close() reports not running; listen() again without close() works", async (net, ctx) => {
    const holder = ctx.trackServer(net.createServer());
    const port = await ctx.listen(holder, "taken");
    const s = ctx.watchServer("s", net.createServer());
    s.listen(port, "127.0.0.1");
    await once(s, "error");
    ctx.value("s", "listening", () => s.listening);
    await new Promise<void>((r) => s.close((e) => (ctx.log("s", "close cb", e ?? null), r())));
    const s2 = ctx.watchServer("s2", net.createServer());
    s2.listen(port, "127.0.0.1");
    await once(s2, "error");
    ctx.value("s2", "listen again", () => s2.listen(0, "127.0.0.1") === s2);
    await Promise.race([once(s2, "listening"), once(s2, "error")]);
    ctx.value("s2", "listening", () => s2.listening);
    await new Promise<void>((r) => s2.close(() => r()));
    await new Promise<void>((r) => holder.close(() => r()));
  });

  diff("listen with an AbortSignal: abort after listening closes", async (net, ctx) => {
    const ac = new AbortController();
    const srv = ctx.watchServer("server", net.createServer());
    srv.listen({ port: 0, host: "127.0.0.1", signal: ac.signal });
    await once(srv, "listening");
    ctx.namePort((srv.address() as AddressInfo).port, "srv");
    ac.abort();
    ctx.value("server", "listening right after abort", () => srv.listening);
    await once(srv, "close");
    ctx.value("server", "listening", () => srv.listening);
  });

  diff("listen with an AbortSignal aborted before 'listening'", async (net, ctx) => {
    const ac = new AbortController();
    const srv = ctx.watchServer("server", net.createServer());
    srv.listen({ port: 0, host: "127.0.0.1", signal: ac.signal });
    ac.abort();
    ctx.value("server", "listening right after abort", () => srv.listening);
    await delay(30);
    ctx.value("server", "listening", () => srv.listening);
    ctx.addr("server", "after", srv);
  });

  diff("listen with an already-aborted AbortSignal", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    ctx.value("server", "listen", () => srv.listen({ port: 0, host: "127.0.0.1", signal: AbortSignal.abort() }) === srv);
    await delay(30);
    ctx.value("server", "listening", () => srv.listening);
    ctx.addr("server", "after", srv);
  });

  diff("listen signal that is not an AbortSignal", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    ctx.value("server", "listen", () => srv.listen({ port: 0, host: "127.0.0.1", signal: {} as AbortSignal }));
    await delay(10);
    ctx.value("server", "listening", () => srv.listening);
  });

  diff("createServer(options, listener): connection socket identity and options", async (net, ctx) => {
    const srv = net.createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 }, (c) => {
      ctx.log("server", "c instanceof Socket", c instanceof net.Socket);
      ctx.snap("server", "connection", c);
      ctx.addr("server", "socket", c);
      ctx.log("server", "server.listening", srv.listening);
      c.end("x");
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"));
    await once(c, "close");
    srv.close();
    await once(srv, "close");
  }, (t) => expect(names(t, "server")).toContain("@connection"));

  diff("createServer({ highWaterMark }) applies to accepted sockets", async (net, ctx) => {
    const srv = net.createServer({ highWaterMark: 1024 } as never, (c) => {
      ctx.value("server", "hwm", () => [c.readableHighWaterMark, c.writableHighWaterMark]);
      ctx.value("server", "write 2000", () => c.write(Buffer.alloc(2000)));
      c.end();
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { events: ["data", "end", "close"] });
    await once(c, "close");
    await new Promise<void>((r) => srv.close(() => r()));
  });

  diff("new Server() without new and with a listener", async (net, ctx) => {
    const Srv = net.Server as unknown as (...a: unknown[]) => Server;
    const srv = ctx.value("server", "Server() call", () => Srv((c: import("node:net").Socket) => c.end())) as Server | undefined;
    ctx.log("server", "instanceof", srv instanceof net.Server);
    if (srv) {
      const port = await ctx.listen(srv);
      const c = ctx.watch("client", net.connect(port, "127.0.0.1"));
      await once(c, "close");
      srv.close();
      await once(srv, "close");
    }
  });
});
