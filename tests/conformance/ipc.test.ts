/**
 * IPC (Unix-domain sockets): listen/connect by path in every signature,
 * readableAll/writableAll, close() unlinking the path, long paths, missing
 * paths, stale socket files and non-socket files.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { existsSync, statSync, writeFileSync } from "node:fs";
import type { Server, Socket } from "node:net";
import { checkLeaks, diff, leakBaseline, names, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const PROPS = ["readyState", "remoteAddress", "remotePort", "remoteFamily", "localAddress", "localPort", "bytesRead", "bytesWritten", "timeout"];

async function echoAt(net: Net, ctx: Ctx, path: string, opts: Record<string, unknown> = {}): Promise<Server> {
  const srv = ctx.watchServer(
    "server",
    net.createServer((c) => {
      ctx.snap("server", "connection", c, PROPS);
      ctx.addr("server", "conn", c);
      c.on("data", (d) => c.write(d));
      c.on("end", () => c.end());
    }),
    ["listening", "error", "close"],
  );
  srv.listen({ path, ...opts });
  await Promise.race([once(srv, "listening"), once(srv, "error")]);
  return srv;
}

async function closeAndCheckUnlink(ctx: Ctx, srv: Server, path: string): Promise<void> {
  ctx.log("fs", "exists before close", existsSync(path));
  await new Promise<void>((r) => srv.close(() => r()));
  ctx.log("fs", "exists after close", existsSync(path));
}

type Sig = [string, (net: Net, path: string, cb: () => void) => Socket];
const sigs: Sig[] = [
  ["connect(path)", (net, p) => net.connect(p)],
  ["connect(path, cb)", (net, p, cb) => net.connect(p, cb)],
  ["connect({ path })", (net, p) => net.connect({ path: p })],
  ["connect({ path, timeout, allowHalfOpen })", (net, p) => net.connect({ path: p, timeout: 5000, allowHalfOpen: true })],
  ["createConnection(path, cb)", (net, p, cb) => net.createConnection(p, cb)],
  ["new Socket().connect(path)", (net, p) => new net.Socket().connect(p)],
  ["new Socket().connect({ path }, cb)", (net, p, cb) => new net.Socket().connect({ path: p }, cb)],
];

describe("IPC", () => {
  for (const [name, make] of sigs) {
    diff(`${name}: echo over a Unix socket, then close() unlinks the path`, async (net, ctx) => {
      const path = ctx.tmpPath("s.sock");
      const srv = await echoAt(net, ctx, path);
      ctx.addr("server", "listening", srv);
      const c = ctx.watch("client", make(net, path, () => ctx.log("client", "connect cb")), { snap: PROPS });
      ctx.snap("client", "sync", c, PROPS);
      await once(c, "connect");
      ctx.addr("client", "connected", c);
      c.end("over ipc");
      await once(c, "close");
      await closeAndCheckUnlink(ctx, srv, path);
    }, (t) => expect(t.fs).toEqual([["exists before close", true], ["exists after close", false]]));
  }

  diff("server.listen(path, cb) and listen(path, backlog, cb)", async (net, ctx) => {
    for (const [i, args] of [[1, []], [2, [5]]] as const) {
      const path = ctx.tmpPath(`b${i}.sock`);
      const srv = ctx.watchServer(`s${i}`, net.createServer());
      (srv.listen as (...a: unknown[]) => Server)(path, ...args, () => ctx.log(`s${i}`, "listen cb"));
      await once(srv, "listening");
      ctx.addr(`s${i}`, "listening", srv);
      await closeAndCheckUnlink(ctx, srv, path);
    }
  });

  diff("listen({ path, readableAll, writableAll }) sets the file mode", async (net, ctx) => {
    for (const [i, o] of [[1, {}], [2, { readableAll: true }], [3, { writableAll: true }], [4, { readableAll: true, writableAll: true }]] as const) {
      const path = ctx.tmpPath(`m${i}.sock`);
      const srv = await echoAt(net, ctx, path, o);
      ctx.log("fs", `mode ${JSON.stringify(o)}`, (statSync(path).mode & 0o777).toString(8));
      await closeAndCheckUnlink(ctx, srv, path);
    }
  });

  diff("path longer than sun_path: listen (libuv truncates), close, then connect", async (net, ctx) => {
    const path = ctx.tmpPath("x".repeat(120) + ".sock");
    const truncated = path.slice(0, 107);
    const srv = ctx.watchServer("server", net.createServer((c) => c.destroy()), ["listening", "error", "close"]);
    ctx.value("server", "listen", () => srv.listen(path) === srv);
    await Promise.race([once(srv, "listening"), once(srv, "error")]);
    ctx.addr("server", "listening", srv);
    ctx.log("fs", "long path exists", existsSync(path), "truncated exists", existsSync(truncated));
    await new Promise<void>((r) => srv.close(() => r()));
    ctx.log("fs", "after close: long path exists", existsSync(path), "truncated exists", existsSync(truncated));
    const c = ctx.watch("client", net.connect(path));
    await once(c, "close");
  });

  diff("connect to a missing path: ENOENT", async (net, ctx) => {
    const c = ctx.watch("client", net.connect(ctx.tmpPath("missing.sock")), { snap: ["readyState", "destroyed"] });
    await once(c, "close");
  }, (t) => expect(JSON.stringify(t.client)).toContain("ENOENT"));

  diff("connect to a regular file: ECONNREFUSED", async (net, ctx) => {
    const path = ctx.tmpPath("plain");
    writeFileSync(path, "x");
    const c = ctx.watch("client", net.connect(path));
    await once(c, "close");
  });

  diff("listen on a path that already exists: EADDRINUSE", async (net, ctx) => {
    const path = ctx.tmpPath("taken");
    writeFileSync(path, "x");
    const srv = ctx.watchServer("server", net.createServer(), ["listening", "error", "close"]);
    srv.listen(path);
    await Promise.race([once(srv, "listening"), once(srv, "error")]);
    ctx.log("fs", "file still there", existsSync(path));
  }, (t) => expect(JSON.stringify(t.server)).toContain("EADDRINUSE"));

  diff("listen in a directory that does not exist", async (net, ctx) => {
    const srv = ctx.watchServer("server", net.createServer(), ["listening", "error", "close"]);
    srv.listen(ctx.tmpPath("no/such/dir.sock"));
    await Promise.race([once(srv, "listening"), once(srv, "error")]);
  });

  diff("two servers on one path: the second gets EADDRINUSE; close() of the first unlinks", async (net, ctx) => {
    const path = ctx.tmpPath("dup.sock");
    const a = await echoAt(net, ctx, path);
    const b = ctx.watchServer("b", net.createServer(), ["listening", "error", "close"]);
    b.listen(path);
    await Promise.race([once(b, "listening"), once(b, "error")]);
    await closeAndCheckUnlink(ctx, a, path);
  });

  diff("Linux abstract socket names ('\\0name'): listen, connect, close", async (net, ctx) => {
    const name = `\0wasock-conformance-${process.pid}-${ctx.impl}-${Date.now()}`;
    ctx.alias(name.slice(1), "<abstract>");
    const srv = ctx.watchServer("server", net.createServer((c) => c.end("abstract")), ["listening", "error", "close"]);
    srv.listen(name);
    await Promise.race([once(srv, "listening"), once(srv, "error")]);
    ctx.log("server", "address() is the name", srv.address() === name);
    const c = ctx.watch("client", net.connect(name), { events: ["connect", "data", "end", "error", "close"] });
    await once(c, "close");
    await new Promise<void>((r) => srv.close(() => r()));
    const again = ctx.watch("again", net.connect(name), { events: ["connect", "error", "close"] });
    await once(again, "close");
  }, (t) => expect(names(t, "client")).toContain("data"));

  diff("a Unix socket path with non-ASCII characters", async (net, ctx) => {
    const path = ctx.tmpPath("sök-€.sock");
    const srv = await echoAt(net, ctx, path);
    ctx.addr("server", "listening", srv);
    ctx.log("fs", "exists", existsSync(path));
    const c = ctx.watch("client", net.connect(path), { events: ["connect", "data", "end", "close"] });
    c.end("ü");
    await once(c, "close");
    await closeAndCheckUnlink(ctx, srv, path);
  });

  diff("IPC half-open and getConnections", async (net, ctx) => {
    const path = ctx.tmpPath("h.sock");
    const srv = ctx.watchServer(
      "server",
      net.createServer({ allowHalfOpen: true }, (c) => {
        ctx.watch("conn", c, { events: ["data", "end", "finish", "close"] });
        c.on("end", () => setTimeout(() => c.end("after your end"), 5));
      }),
      ["listening", "close"],
    );
    srv.listen(path);
    await once(srv, "listening");
    const c = ctx.watch("client", net.connect(path), { events: ["data", "end", "finish", "close"] });
    await once(c, "connect");
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    c.end("hi");
    await once(c, "close");
    await closeAndCheckUnlink(ctx, srv, path);
  }, (t) => expect(names(t, "conn")).toContain("end"));
});
