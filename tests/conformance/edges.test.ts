/**
 * Edge cases where an implementation of net most easily drifts from Node:
 * tick-level event order, synchronous state right after a call, counters
 * for strings before connect, cached addresses after close, timers reset by
 * writes, re-listening, resetAndDestroy while connecting or on IPC.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const H = "127.0.0.1";

async function pair(net: Net, ctx: Ctx, srvOpts: Record<string, unknown> = {}) {
  let resolveConn!: (s: Socket) => void;
  const conn = new Promise<Socket>((r) => (resolveConn = r));
  const srv = net.createServer(srvOpts, (c) => resolveConn(ctx.track(c)));
  const port = await ctx.listen(srv);
  const client = ctx.track(net.connect(port, H));
  await once(client, "connect");
  const server = await conn;
  return { srv, port, client, server };
}

const closeServer = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));
const STATE = ["readyState", "pending", "connecting", "destroyed", "readable", "writable", "writableEnded", "writableFinished", "readableEnded"];

describe("tick-level order", () => {
  diff("client lifecycle with microtask/nextTick markers", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.track(c);
      c.on("data", (d) => c.end(d));
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { ticks: true });
    c.write("tick");
    await once(c, "close");
    await delay(5);
    await closeServer(srv);
  });

  diff("server-side lifecycle with markers", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.watch("server", c, { ticks: true });
      c.end("bye");
    });
    const port = await ctx.listen(srv);
    const c = ctx.track(net.connect(port, H));
    c.resume();
    c.end("hi");
    await once(c, "close");
    await delay(10);
    await closeServer(srv);
  });

  diff("error path with markers (ECONNREFUSED)", async (net, ctx) => {
    const c = ctx.watch("client", net.connect(1, H), { ticks: true });
    await once(c, "close");
    await delay(5);
  });

  diff("destroy() inside 'connect'", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { snap: ["destroyed", "readyState"] });
    c.on("connect", () => c.destroy());
    await once(c, "close");
    await closeServer(srv);
  });

  diff("write callbacks, 'drain', 'finish' and end callback order", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.resume();
    ctx.watch("client", client, { events: ["drain", "finish", "close"] });
    const big = Buffer.alloc(256 * 1024, 1);
    for (let i = 0; i < 4; i++) client.write(big, () => ctx.log("client", `write cb ${i}`));
    client.end("tail", () => ctx.log("client", "end cb"));
    await once(client, "finish");
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });
});

describe("callback timing and listener order", () => {
  diff("getConnections / close / listen / connect callbacks relative to sync code and other listeners", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).end());
    ctx.trackServer(srv);
    srv.on("listening", () => ctx.log("order", "listening listener (registered first)"));
    srv.listen(0, H, () => ctx.log("order", "listen cb"));
    srv.on("listening", () => ctx.log("order", "listening listener (registered after listen)"));
    ctx.log("order", "after listen() call");
    await once(srv, "listening");
    const port = (srv.address() as { port: number }).port;
    ctx.namePort(port, "srv");
    srv.getConnections((e, n) => ctx.log("order", "getConnections cb", e, n));
    ctx.log("order", "after getConnections() call");
    await delay(5);
    const c = ctx.track(new net.Socket());
    c.on("connect", () => ctx.log("order", "connect listener (registered first)"));
    c.connect(port, H, () => ctx.log("order", "connect cb"));
    c.on("connect", () => ctx.log("order", "connect listener (registered after connect)"));
    ctx.log("order", "after connect() call");
    c.resume();
    await once(c, "close");
    srv.close(() => ctx.log("order", "close cb"));
    ctx.log("order", "after close() call");
    await once(srv, "close");
    ctx.log("order", "after close event");
    await delay(5);
    const idle = net.createServer();
    idle.close((e) => ctx.log("order", "close cb on idle server", e ?? null));
    ctx.log("order", "after idle close() call");
    await delay(5);
  });

  diff("write callback and end callback timing relative to sync code", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.resume();
    client.resume();
    client.write("a", () => ctx.log("order", "write cb"));
    ctx.log("order", "after write() call");
    queueMicrotask(() => ctx.log("order", "microtask"));
    process.nextTick(() => ctx.log("order", "nextTick"));
    setImmediate(() => ctx.log("order", "immediate"));
    await delay(10);
    const closed = once(client, "close");
    client.end(() => ctx.log("order", "end cb"));
    ctx.log("order", "after end() call");
    await closed;
    await closeServer(srv);
  });
});

describe("synchronous state right after a call", () => {
  diff("after connect(), end(), destroy()", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).resume());
    const port = await ctx.listen(srv);
    const c = ctx.track(new net.Socket());
    ctx.snap("client", "new", c, STATE);
    c.connect(port, H);
    ctx.snap("client", "connect()", c, STATE);
    c.end("early");
    ctx.snap("client", "end() while connecting", c, STATE);
    await once(c, "connect");
    ctx.snap("client", "connected", c, STATE);
    await once(c, "finish");
    ctx.snap("client", "finished", c, STATE);
    c.destroy();
    ctx.snap("client", "destroy()", c, STATE);
    await once(c, "close");
    ctx.snap("client", "closed", c, STATE);
    await closeServer(srv);
  });

  diff("server state right after listen() and close()", async (net, ctx) => {
    const srv = ctx.trackServer(net.createServer());
    srv.listen(0, H);
    ctx.value("server", "listening after listen()", () => srv.listening);
    ctx.value("server", "address after listen()", () => (srv.address() === null ? null : "object"));
    await once(srv, "listening");
    srv.close(() => ctx.log("server", "close cb"));
    ctx.value("server", "listening after close()", () => srv.listening);
    ctx.value("server", "address after close()", () => srv.address());
    await once(srv, "close");
  });

  diff("close() before 'listening' fires", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer());
    srv.listen(0, H);
    srv.close((e) => ctx.log("server", "close cb", e ?? null));
    await delay(30);
    ctx.value("server", "listening", () => srv.listening);
  });

  diff("listen again after close()", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer((c) => c.end("again")));
    await ctx.listen(srv, "first");
    await closeServer(srv);
    const port2 = await ctx.listen(srv, "second");
    ctx.addr("server", "relistened", srv);
    const c = ctx.watch("client", net.connect(port2, H));
    await once(c, "close");
    await closeServer(srv);
  });

  diff("pause() before connect, resume() later", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).end("payload"));
    const port = await ctx.listen(srv);
    const c = ctx.track(net.connect(port, H));
    c.pause();
    ctx.value("client", "isPaused", () => c.isPaused());
    ctx.watch("client", c, { events: ["connect", "data", "end", "close"] });
    await once(c, "connect");
    await delay(20);
    ctx.value("client", "still paused", () => c.isPaused());
    c.resume();
    await once(c, "close");
    await closeServer(srv);
  });
});

describe("counters and strings before connect", () => {
  diff("bufferSize / bytesWritten / writableLength with multibyte and hex strings before connect", async (net, ctx) => {
    const got: Buffer[] = [];
    const srv = net.createServer((c) => ctx.track(c).on("data", (d) => got.push(d)).on("end", () => c.end()));
    const port = await ctx.listen(srv);
    const c = ctx.track(net.connect(port, H));
    const P = ["bufferSize", "bytesWritten", "writableLength"];
    c.write("€€€");
    ctx.snap("client", "after '€€€'", c, P);
    c.write("deadbeef", "hex");
    ctx.snap("client", "after hex", c, P);
    // (an odd-length hex string queued before connect aborts Node 20 itself in writev)
    c.write("aGk=", "base64");
    ctx.snap("client", "after base64", c, P);
    c.write(Buffer.from("xyz"));
    ctx.snap("client", "after buffer", c, P);
    await once(c, "connect");
    ctx.snap("client", "connect", c, P);
    c.end();
    await once(c, "close");
    ctx.snap("client", "close", c, P);
    ctx.log("server", "received", Buffer.concat(got).toString("hex"));
    await closeServer(srv);
  });

  diff("bytesRead / bytesWritten after close, both sides", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.on("data", (d) => server.write(d));
    server.on("end", () => server.end());
    client.resume();
    client.end("€".repeat(1000));
    await once(client, "close");
    await delay(10);
    ctx.snap("client", "closed", client, ["bytesRead", "bytesWritten"]);
    ctx.snap("server", "closed", server, ["bytesRead", "bytesWritten"]);
    await closeServer(srv);
  });
});

describe("write() return value at the highWaterMark", () => {
  diff("writes queued before connect return false exactly at the highWaterMark", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).resume());
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { events: ["drain", "close"] });
    ctx.value("client", "writableHighWaterMark", () => c.writableHighWaterMark);
    ctx.value("client", "write 16383", () => c.write(Buffer.alloc(16383)));
    ctx.value("client", "write 1", () => c.write(Buffer.alloc(1)));
    ctx.value("client", "write 1 more", () => c.write(Buffer.alloc(1)));
    ctx.value("client", "writableNeedDrain", () => c.writableNeedDrain);
    ctx.value("client", "write '€' (string counts chars)", () => c.write("€"));
    await once(c, "drain");
    c.end();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connected: write() return values when the kernel takes the bytes at once", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).resume());
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { events: ["drain", "close"] });
    await once(c, "connect");
    for (const n of [16383, 16384, 64 * 1024, 1 << 20]) {
      const ok = ctx.value("client", `write ${n}`, () => c.write(Buffer.alloc(n)));
      if (!ok) await once(c, "drain");
      await delay(5);
    }
    c.end();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("a socket with highWaterMark: 4", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).resume());
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", new net.Socket({ highWaterMark: 4 } as never), { events: ["drain", "close"] });
    c.connect(port, H);
    ctx.value("client", "write 3", () => c.write("abc"));
    ctx.value("client", "write 1", () => c.write("d"));
    await once(c, "drain");
    c.end();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect() while already connecting", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).end("x"));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H));
    ctx.value("client", "second connect", () => c.connect(port, H) === c);
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect 127.0.0.1 to an ipv6Only server on '::'", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).end("v6"));
    ctx.trackServer(srv);
    srv.listen({ port: 0, host: "::", ipv6Only: true });
    await once(srv, "listening");
    const port = (srv.address() as { port: number }).port;
    ctx.namePort(port, "v6only");
    const a = ctx.watch("v4", net.connect(port, H));
    await once(a, "close");
    const b = ctx.watch("v6", net.connect(port, "::1"));
    await once(b, "close");
    await closeServer(srv);
  });
});

describe("async iteration edges", () => {
  diff("breaking out of for await destroys the socket", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["end", "error", "close"] });
    ctx.watch("client", client, { events: ["end", "finish", "error", "close"] });
    server.write("first");
    for await (const chunk of client) {
      ctx.log("client", "chunk", String(chunk));
      break;
    }
    ctx.value("client", "destroyed after break", () => client.destroyed);
    await Promise.all([client.closed ? null : once(client, "close"), server.destroyed ? null : once(server, "close")]);
    await closeServer(srv);
  });

  diff("setEncoding() on buffered, unread data re-decodes it", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    client.pause();
    server.write("h€llo");
    await once(client, "readable");
    client.setEncoding("hex");
    ctx.value("client", "read()", () => client.read());
    client.end();
    server.end();
    client.resume();
    await once(client, "close");
    await closeServer(srv);
  });
});

describe("re-entrant calls from handlers", () => {
  diff("pause() inside 'data' stops delivery; destroy() inside 'data' ends it", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    let n = 0;
    client.on("data", (d) => {
      n++;
      ctx.log("client", "data in handler", n, client.isPaused());
      client.pause();
      setTimeout(() => {
        if (n === 2) client.destroy();
        else client.resume();
      }, 15);
    });
    ctx.watch("client", client, { events: ["end", "error", "close"] });
    const closed = once(client, "close");
    server.write("one");
    await delay(40);
    server.write("two");
    await delay(40);
    if (!server.destroyed) server.write("three");
    await closed;
    await delay(10);
    ctx.log("client", "handler calls", n);
    await closeServer(srv);
  });

  diff("end() and write() inside 'connect' and inside 'end'", async (net, ctx) => {
    const srv = net.createServer({ allowHalfOpen: true }, (c) => {
      ctx.watch("server", c, { events: ["data", "end", "close"] });
      c.on("end", () => {
        ctx.value("server", "write in end", () => c.write("reply-in-end"));
        c.end();
      });
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { events: ["data", "end", "finish", "close"] });
    c.on("connect", () => {
      ctx.value("client", "write in connect", () => c.write("hello-"));
      ctx.value("client", "end in connect", () => c.end("bye") === c);
    });
    await once(c, "close");
    await delay(10);
    await closeServer(srv);
  });
});

describe("less common options", () => {
  diff("destroySoon() while connecting", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.watch("server", c, { events: ["data", "end", "close"] }));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { snap: ["destroyed", "writable", "readyState"] });
    c.write("before");
    c.destroySoon();
    ctx.snap("client", "sync", c, ["destroyed", "writable", "readyState"]);
    await once(c, "close");
    await delay(20);
    await closeServer(srv);
  });
});

describe("addresses after close", () => {
  diff("remote/local properties read only after close", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    client.destroy();
    await Promise.all([once(client, "close"), once(server, "close")]);
    const P = ["remoteAddress", "remotePort", "remoteFamily", "localAddress", "localPort", "localFamily"];
    ctx.snap("client", "after close", client, P);
    ctx.snap("server", "after close", server, P);
    ctx.addr("client", "after close", client);
    await closeServer(srv);
  });

  diff("remote/local properties read before and after close", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    const P = ["remoteAddress", "remotePort", "remoteFamily", "localAddress", "localPort", "localFamily"];
    ctx.snap("client", "open", client, P);
    ctx.snap("server", "open", server, P);
    client.destroy();
    await Promise.all([once(client, "close"), once(server, "close")]);
    ctx.snap("client", "after close", client, P);
    ctx.snap("server", "after close", server, P);
    ctx.addr("client", "after close", client);
    await closeServer(srv);
  });
});

describe("timers", () => {
  diff("writes postpone the idle timeout too", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.resume();
    ctx.watch("client", client, { events: ["timeout"] });
    client.setTimeout(80);
    const t0 = Date.now();
    for (let i = 0; i < 8; i++) {
      client.write("w");
      await delay(25);
    }
    ctx.log("client", "writes done", Date.now() - t0 >= 200);
    await once(client, "timeout");
    client.destroy();
    await closeServer(srv);
  });

  diff("setTimeout() again restarts the idle timer", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    ctx.watch("client", client, { events: ["timeout"] });
    client.setTimeout(150);
    await delay(90);
    client.setTimeout(150);
    const ref = setTimeout(() => ctx.log("client", "reference timer at ~180 ms"), 90);
    await once(client, "timeout");
    clearTimeout(ref);
    ctx.value("client", "timeout prop", () => client.timeout);
    client.destroy();
    await closeServer(srv);
  });

  diff("idle timeout fires while writes are stuck behind a paused peer", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx, { pauseOnConnect: true });
    ctx.watch("client", client, { events: ["timeout", "drain"] });
    for (let i = 0; i < 16; i++) client.write(Buffer.alloc(1 << 20));
    client.setTimeout(80);
    await once(client, "timeout", 3000);
    ctx.log("client", "still buffered", client.bufferSize > 0, "destroyed", client.destroyed);
    client.destroy();
    server.destroy();
    await closeServer(srv);
  });

  diff("destroy() inside the timeout callback", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    ctx.watch("client", client, { events: ["timeout", "close", "end", "error"] });
    client.setTimeout(20, () => client.destroy());
    await once(client, "close");
    await closeServer(srv);
  });

  diff("setTimeout(ms) replaces the callback-less timer; several callbacks", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    client.setTimeout(30, () => ctx.log("client", "cb1"));
    client.setTimeout(30, () => ctx.log("client", "cb2"));
    await once(client, "timeout");
    await delay(5);
    client.destroy();
    await closeServer(srv);
  }, (t) => expect(names(t, "client").length).toBeGreaterThan(0));
});

describe("resetAndDestroy edges", () => {
  diff("resetAndDestroy() while connecting", async (net, ctx) => {
    let sc: Socket | undefined;
    const srv = net.createServer((c) => {
      sc = ctx.watch("server", c, { events: ["end", "error", "close"] });
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { snap: ["destroyed", "connecting"] });
    c.resetAndDestroy();
    ctx.snap("client", "sync", c, ["destroyed", "connecting"]);
    await once(c, "close");
    while (!sc) await delay(2);
    if (!sc.destroyed) await once(sc, "close");
    await closeServer(srv);
  });

  diff("resetAndDestroy() on an IPC socket", async (net, ctx) => {
    const path = ctx.tmpPath("r.sock");
    const srv = net.createServer((c) => ctx.track(c));
    ctx.trackServer(srv);
    srv.listen(path);
    await once(srv, "listening");
    const c = ctx.watch("client", net.connect(path));
    await once(c, "connect");
    ctx.value("client", "resetAndDestroy", () => c.resetAndDestroy() === c);
    c.destroy();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("setNoDelay / setKeepAlive on an IPC socket", async (net, ctx) => {
    const path = ctx.tmpPath("k.sock");
    const srv = net.createServer((c) => ctx.track(c).end("x"));
    ctx.trackServer(srv);
    srv.listen(path);
    await once(srv, "listening");
    const c = ctx.watch("client", net.connect(path));
    await once(c, "connect");
    ctx.value("client", "setNoDelay", () => c.setNoDelay(true) === c);
    ctx.value("client", "setKeepAlive", () => c.setKeepAlive(true, 100) === c);
    await once(c, "close");
    await closeServer(srv);
  });
});

describe("server edges", () => {
  diff("'connection' for a client that already went away", async (net, ctx) => {
    let conns = 0;
    const srv = net.createServer((c) => {
      conns++;
      ctx.watch("server", c, { events: ["data", "end", "error", "close"], snap: ["readyState"] });
    });
    const port = await ctx.listen(srv);
    const c = ctx.track(net.connect(port, H));
    await once(c, "connect");
    c.end("bye");
    c.destroy();
    while (conns === 0) await delay(2);
    await delay(30);
    await closeServer(srv);
  });

  diff("server.close() inside 'connection'", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer((c) => {
      srv.close(() => ctx.log("server", "close cb"));
      ctx.value("server", "listening in handler", () => srv.listening);
      c.end("last one");
    }));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H));
    await once(c, "close");
    await once(srv, "close");
  });

  diff("getConnections after clients are destroyed", async (net, ctx) => {
    const srv = ctx.trackServer(net.createServer((c) => ctx.track(c)));
    const port = await ctx.listen(srv);
    const cs = [0, 1, 2].map(() => ctx.track(net.connect(port, H)));
    await Promise.all(cs.map((c) => once(c, "connect")));
    await delay(20);
    const count = () => new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    await count();
    cs[0].destroy();
    cs[1].destroy();
    await delay(30);
    await count();
    cs[2].destroy();
    await delay(30);
    await count();
    await closeServer(srv);
  });

  diff("connections: server-side socket options inherited (allowHalfOpen, pauseOnConnect)", async (net, ctx) => {
    const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => {
      ctx.track(c);
      ctx.value("server", "allowHalfOpen", () => c.allowHalfOpen);
      ctx.value("server", "isPaused", () => c.isPaused());
      ctx.value("server", "server prop", () => (c as unknown as { server?: unknown }).server === srv);
      c.destroy();
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { events: ["end", "close"] });
    await once(c, "close");
    await closeServer(srv);
  });
});
