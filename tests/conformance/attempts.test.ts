/**
 * 'connectionAttempt' and 'connectionAttemptFailed' on single-address connects
 * (Node 20.12+): when each comes (inside connect() for a pipe, on the next tick
 * for an IP, after 'lookup' for a name), with what, and what the socket says
 * about its local address meanwhile. Every other differential file watches these
 * events too (ALL_SOCKET_EVENTS); this one pins the cases down one by one.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const H = "127.0.0.1";
const EVENTS = ["lookup", "connectionAttempt", "connectionAttemptFailed", "connect", "error", "close"];
const LOCAL = ["localAddress", "localPort", "connecting"];

const closeServer = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));

async function ender(net: Net, ctx: Ctx): Promise<{ srv: Server; port: number }> {
  const srv = net.createServer((c) => {
    ctx.track(c).on("error", () => {});
    c.end();
  });
  return { srv, port: await ctx.listen(srv) };
}

/** A port nothing listens on (a server's, closed). */
async function freedPort(net: Net, ctx: Ctx): Promise<number> {
  const probe = net.createServer();
  const port = await ctx.listen(probe, "freed");
  await closeServer(probe);
  return port;
}

/** Tick markers around a socket's calls, so a trace shows which tick each event came in. */
function markTicks(ctx: Ctx, label: string): void {
  ctx.log("client", `${label}: sync`);
  process.nextTick(() => ctx.log("client", `${label}: first tick`));
  setImmediate(() => ctx.log("client", `${label}: immediate`));
}

describe("connectionAttempt on one address", () => {
  diff("an IP: on the next tick, with the address, the port and 4", async (net, ctx) => {
    const { srv, port } = await ender(net, ctx);
    const c = ctx.watch("client", net.connect(port, H), { events: EVENTS, snap: LOCAL });
    markTicks(ctx, "connect()");
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client").slice(0, 3)).toEqual(["connect(): sync", "connectionAttempt", "@connectionAttempt"]));

  diff("a name: right after 'lookup', with the resolved address", async (net, ctx) => {
    const { srv, port } = await ender(net, ctx);
    const c = ctx.watch("client", net.connect({ port, host: "localhost", autoSelectFamily: false }), { events: EVENTS });
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client").slice(0, 2)).toEqual(["lookup", "connectionAttempt"]));

  diff("a custom lookup with one answer: 'lookup', then the attempt", async (net, ctx) => {
    const { srv, port } = await ender(net, ctx);
    const lookup = (_h: string, _o: unknown, cb: (e: null, a: string, f: number) => void) => cb(null, H, 4);
    // a lookup that answers at once: both events come inside connect()
    const c = ctx.watch("client", new net.Socket(), { events: EVENTS });
    c.connect({ port, host: "example.invalid", lookup, autoSelectFamily: false } as never);
    ctx.log("client", "after connect()");
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client").slice(0, 3)).toEqual(["lookup", "connectionAttempt", "after connect()"]));

  diff("a pipe: inside connect(), with the path and no port or family", async (net, ctx) => {
    const path = ctx.tmpPath("attempt.sock");
    const srv = net.createServer((c) => ctx.track(c).end());
    ctx.trackServer(srv);
    await new Promise<void>((r) => srv.listen(path, r));
    const c = new net.Socket();
    ctx.watch("client", c, { events: EVENTS });
    ctx.log("client", "before connect()");
    c.connect(path);
    ctx.log("client", "after connect()");
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client").slice(0, 3)).toEqual(["before connect()", "connectionAttempt", "after connect()"]));

  diff("refused: 'connectionAttemptFailed' (no longer connecting), then 'error'", async (net, ctx) => {
    const port = await freedPort(net, ctx);
    const c = ctx.watch("client", net.connect(port, H), { events: EVENTS, snap: ["connecting", "readyState", "destroyed"] });
    await once(c, "close");
  }, (t) => expect(names(t, "client").filter((n) => !n.startsWith("@"))).toEqual(["connectionAttempt", "connectionAttemptFailed", "error", "close"]));

  diff("a pipe to a missing path: the failed attempt names the path", async (net, ctx) => {
    const c = new net.Socket();
    ctx.watch("client", c, { events: EVENTS });
    c.connect(ctx.tmpPath("missing.sock"));
    await once(c, "close");
  }, (t) => expect(names(t, "client")).toContain("connectionAttemptFailed"));

  diff("a bind that fails (EADDRINUSE): no attempt", async (net, ctx) => {
    const taken = net.createServer();
    const localPort = await ctx.listen(taken, "taken");
    const { srv, port } = await ender(net, ctx);
    const c = ctx.watch("client", net.connect({ port, host: H, localAddress: H, localPort }), { events: EVENTS });
    markTicks(ctx, "connect()");
    await once(c, "close");
    await closeServer(srv);
    await closeServer(taken);
  }, (t) => expect(names(t, "client")).not.toContain("connectionAttempt"));
});

describe("the local address while connecting", () => {
  for (const [label, local] of [
    ["localAddress", { localAddress: H }],
    ["localPort", { localPort: 0 }],
    ["localAddress and localPort", { localAddress: H, localPort: "free" }],
    ["no bind", {}],
  ] as const) {
    diff(`${label}: nothing before the bind, the bound address at the attempt`, async (net, ctx) => {
      const { srv, port } = await ender(net, ctx);
      const opts: Record<string, unknown> = { port, host: H, ...local };
      if (opts.localPort === "free") opts.localPort = await freedPort(net, ctx);
      const c = ctx.watch("client", net.connect(opts as never), { events: EVENTS, snap: LOCAL });
      await once(c, "close");
      await closeServer(srv);
    }, (t) => expect(names(t, "client")).toContain("@connectionAttempt"));

    diff(`${label}: a read before the bind is what Node keeps until 'connect'`, async (net, ctx) => {
      const { srv, port } = await ender(net, ctx);
      const opts: Record<string, unknown> = { port, host: H, ...local };
      if (opts.localPort === "free") opts.localPort = await freedPort(net, ctx);
      const c: Socket = net.connect(opts as never);
      ctx.snap("client", "sync", c, LOCAL);
      ctx.watch("client", c, { events: EVENTS, snap: LOCAL });
      await once(c, "close");
      await delay(5);
      await closeServer(srv);
    }, (t) => expect(names(t, "client")).toContain("@connect"));
  }
});
