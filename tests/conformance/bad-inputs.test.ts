/**
 * A table of bad inputs. Each row is run against node:net and wasock/node;
 * what is compared is whether it threw synchronously or emitted 'error'
 * (and when), with the error's class, code, message and system fields.
 *
 * Every connect goes to 127.0.0.1 (port 1 when a port is needed: nothing
 * listens there), so no row sends traffic off this machine.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const H = "127.0.0.1";
const CLOSED = 1;
const noop = () => {};

interface Emitter {
  on(ev: string, fn: (...a: unknown[]) => void): unknown;
  once(ev: string, fn: (...a: unknown[]) => void): unknown;
  off(ev: string, fn: (...a: unknown[]) => void): unknown;
}

/** Run fn; record a synchronous throw, or the first outcome events of what it returned. */
async function probe(ctx: Ctx, fn: () => unknown, actor = "probe"): Promise<void> {
  let r: unknown;
  try {
    r = fn();
  } catch (e) {
    ctx.log(actor, "threw", e);
    return;
  }
  const em = r as Emitter | undefined;
  if (em === null || typeof em !== "object" || typeof em.on !== "function") {
    ctx.log(actor, "returned", r);
    return;
  }
  ctx.log(actor, "returned", r);
  if (typeof (r as Socket).destroy === "function") ctx.track(r as Socket);
  else ctx.trackServer(r as Server);
  const seen: string[] = [];
  for (const ev of ["error", "lookup", "connect", "listening", "close"]) {
    em.on(ev, (...args: unknown[]) => {
      seen.push(ev);
      ctx.log(actor, ev, ...(ev === "close" || ev === "error" ? args : []));
    });
  }
  const t0 = Date.now();
  while (Date.now() - t0 < 400) {
    if (seen.includes("close") || seen.includes("listening") || seen.includes("connect")) break;
    await delay(5);
  }
  if (seen.length === 0) ctx.log(actor, "nothing within 0.4 s");
}

/** A connected socket against a throwaway server. */
async function connected(net: Net, ctx: Ctx): Promise<Socket> {
  const srv = net.createServer((c) => ctx.track(c).on("error", noop));
  const port = await ctx.listen(srv);
  const s = ctx.track(net.connect(port, H));
  await once(s, "connect");
  return s;
}

type Row = [string, (net: Net, ctx: Ctx) => Promise<void> | void];
const sync = (fn: (net: Net) => unknown) => (net: Net, ctx: Ctx) => probe(ctx, () => fn(net));
/**
 * socket.connect(...args) on a tracked Socket. net.connect(...) would create
 * the same Socket, but when it throws, node:net has already opened a handle
 * that nobody can close, and the leak check would blame the run.
 */
const C = (...args: unknown[]) => (net: Net, ctx: Ctx) =>
  probe(ctx, () => {
    const s = ctx.track(new net.Socket());
    return (s.connect as (...a: unknown[]) => Socket).apply(s, args);
  });
/** Call fn on a connected socket. */
const onSocket = (fn: (s: Socket) => unknown) => async (net: Net, ctx: Ctx) => {
  const s = await connected(net, ctx);
  s.on("error", (e) => ctx.log("socket", "error", e));
  await probe(ctx, () => fn(s));
  await delay(10);
};
/** Call fn on a destroyed socket. */
const onDestroyed = (fn: (s: Socket) => unknown) => async (net: Net, ctx: Ctx) => {
  const s = await connected(net, ctx);
  s.destroy();
  await once(s, "close");
  s.on("error", (e) => ctx.log("socket", "error", e));
  await probe(ctx, () => fn(s));
  await delay(10);
};
/** Call listen(...args) on a fresh server. */
const listen = (...args: unknown[]) => (net: Net, ctx: Ctx) =>
  probe(ctx, () => {
    const srv = ctx.trackServer(net.createServer());
    return (srv.listen as (...a: unknown[]) => Server).apply(srv, args);
  });

const rows: Row[] = [
  // connect: ports
  ["connect() no arguments", C()],
  ["connect({}) no port or path", C({} as never)],
  ["connect(-1, host)", C(-1, H)],
  ["connect(65536, host)", C(65536, H)],
  ["connect(NaN, host)", C(NaN, H)],
  ["connect('80a', host)", C("80a" as never, H)],
  ["connect({ port: -1 })", C({ port: -1, host: H })],
  ["connect({ port: 65536 })", C({ port: 65536, host: H })],
  ["connect({ port: NaN })", C({ port: NaN, host: H })],
  ["connect({ port: '80a' })", C({ port: "80a" as never, host: H })],
  ["connect({ port: 1.5 })", C({ port: 1.5, host: H })],
  ["connect({ port: true })", C({ port: true as never, host: H })],
  ["connect({ port: null })", C({ port: null as never, host: H })],
  ["connect({ port: {} })", C({ port: {} as never, host: H })],
  ["connect({ port: '' })", C({ port: "" as never, host: H })],
  ["connect({ port: Infinity })", C({ port: Infinity, host: H })],
  ["connect(' 1 ', host) (Number() coercion)", C(" 1 " as never, H)],
  ["connect('0x1', host)", C("0x1" as never, H)],
  ["connect('1e0', host)", C("1e0" as never, H)],
  ["connect({ port: '01' })", C({ port: "01" as never, host: H })],
  ["connect({ port: '  ' })", C({ port: "  " as never, host: H })],
  ["connect({ port: 1n })", C({ port: 1n as never, host: H })],
  ["listen({ port: '0x0', host })", listen({ port: "0x0", host: H })],
  ["listen({ port: ' ' })", listen({ port: " " })],
  // connect: other options
  ["connect({ host: 1 })", C({ port: CLOSED, host: 1 as never })],
  ["connect({ family: 5 })", C({ port: CLOSED, host: H, family: 5 as never })],
  ["connect({ family: 'IPv4' })", C({ port: CLOSED, host: H, family: "IPv4" as never })],
  ["connect({ localAddress: 'nope' })", C({ port: CLOSED, host: H, localAddress: "nope" })],
  ["connect({ localAddress: 1 })", C({ port: CLOSED, host: H, localAddress: 1 as never })],
  ["connect({ localPort: 'x' })", C({ port: CLOSED, host: H, localPort: "x" as never })],
  ["connect({ localPort: -1 })", C({ port: CLOSED, host: H, localPort: -1 })],
  ["connect({ lookup: 'x' })", C({ port: CLOSED, host: H, lookup: "x" as never })],
  ["connect({ hints: -1 })", C({ port: CLOSED, host: "localhost", hints: -1 })],
  ["connect({ hints: 'x' })", C({ port: CLOSED, host: "localhost", hints: "x" as never })],
  ["connect({ timeout: -1 })", C({ port: CLOSED, host: H, timeout: -1 })],
  ["connect({ timeout: 'x' })", C({ port: CLOSED, host: H, timeout: "x" as never })],
  ["connect({ path: 1 })", C({ path: 1 as never })],
  ["connect({ path: '' })", C({ path: "" })],
  ["connect({ autoSelectFamilyAttemptTimeout: 'x' })", C({ port: CLOSED, host: "localhost", autoSelectFamily: true, autoSelectFamilyAttemptTimeout: "x" as never })],
  ["connect({ keepAliveInitialDelay: 'x' })", C({ port: CLOSED, host: H, keepAlive: true, keepAliveInitialDelay: "x" as never })],
  ["connect({ localAddress: '::1' }) to an IPv4 host: bind EINVAL", C({ port: CLOSED, host: H, localAddress: "::1" })],
  ["connect({ localAddress: '127.0.0.2', localPort: taken })", async (net, ctx) => {
    const holder = ctx.trackServer(net.createServer());
    const port = await ctx.listen(holder, "taken");
    await probe(ctx, () => ctx.track(net.connect({ port: CLOSED, host: H, localAddress: H, localPort: port })));
  }],
  ["connect({ localPort: free }) ECONNREFUSED names the local end", async (net, ctx) => {
    const probeSrv = ctx.trackServer(net.createServer());
    const port = await ctx.listen(probeSrv, "local");
    await new Promise((r) => probeSrv.close(r));
    await probe(ctx, () => ctx.track(net.connect({ port: CLOSED, host: H, localPort: port })));
  }],
  ["connect({ localAddress, localPort: free }) ECONNREFUSED names the local end", async (net, ctx) => {
    const probeSrv = ctx.trackServer(net.createServer());
    const port = await ctx.listen(probeSrv, "local");
    await new Promise((r) => probeSrv.close(r));
    await probe(ctx, () => ctx.track(net.connect({ port: CLOSED, host: H, localAddress: H, localPort: port })));
  }],
  ["connect(port, host, 'not a function')", C(CLOSED, H, "x" as never)],
  ["connect(port, 1)", C(CLOSED, 1 as never)],
  ["connect(port) ECONNREFUSED", C(CLOSED, H)],
  ["connect(::1 port) ECONNREFUSED", C(CLOSED, "::1")],
  ["connect to 0.0.0.0 closed port", C(CLOSED, "0.0.0.0")],
  ["new Socket().connect(undefined)", C(undefined)],
  ["new Socket({ signal: 'x' })", sync((n) => new n.Socket({ signal: "x" as never }))],
  ["new Socket({ fd: 'x' })", sync((n) => new n.Socket({ fd: "x" as never }))],
  ["new Socket({ allowHalfOpen: 'yes' }) props", (net, ctx) => probe(ctx, () => new net.Socket({ allowHalfOpen: "yes" as never }).allowHalfOpen)],
  ["Socket() without new", sync((n) => (n.Socket as unknown as () => Socket)() instanceof n.Socket)],
  // listen
  ["listen(-1)", listen(-1)],
  ["listen(65536)", listen(65536)],
  ["listen(NaN)", listen(NaN)],
  ["listen(1.5)", listen(1.5)],
  ["listen({ port: -1 })", listen({ port: -1 })],
  ["listen({ port: 65536 })", listen({ port: 65536 })],
  ["listen({ port: '80a' })", listen({ port: "80a" })],
  ["listen({ port: true })", listen({ port: true })],
  ["listen({ port: null })", listen({ port: null })],
  ["listen({})", listen({})],
  ["listen({ host: 1, port: 0 })", listen({ host: 1, port: 0 })],
  ["listen({ port: 0, backlog: 'x' })", listen({ port: 0, host: H, backlog: "x" })],
  ["listen({ port: 0, backlog: -1 })", listen({ port: 0, host: H, backlog: -1 })],
  ["listen({ path: 1 })", listen({ path: 1 })],
  ["listen({ port: 0, signal: 'x' })", listen({ port: 0, host: H, signal: "x" })],
  ["listen(null)", listen(null)],
  ["listen(true)", listen(true)],
  ["listen(0, 1)", listen(0, 1)],
  ["listen(0, '192.0.2.1') EADDRNOTAVAIL (not a local address; nothing is sent)", listen(0, "192.0.2.1")],
  // createServer / server methods
  ["createServer('x')", sync((n) => n.createServer("x" as never))],
  ["createServer(1)", sync((n) => n.createServer(1 as never))],
  ["createServer({ highWaterMark: -1 })", sync((n) => n.createServer({ highWaterMark: -1 } as never))],
  ["createServer({ keepAliveInitialDelay: 'x' })", sync((n) => n.createServer({ keepAliveInitialDelay: "x" } as never))],
  ["createServer({ noDelay: 'x' })", sync((n) => n.createServer({ noDelay: "x" } as never))],
  ["server.getConnections('x')", sync((n) => n.createServer().getConnections("x" as never))],
  ["server.close('x')", sync((n) => n.createServer().close("x" as never))],
  ["server.address() before listen", sync((n) => n.createServer().address())],
  // socket methods
  ["write(1)", onSocket((s) => s.write(1 as never))],
  ["write(null)", onSocket((s) => s.write(null as never))],
  ["write({})", onSocket((s) => s.write({} as never))],
  ["write(undefined)", onSocket((s) => s.write(undefined as never))],
  ["write('x', 'bogus')", onSocket((s) => s.write("x", "bogus" as never))],
  ["write('x', 'utf8', 'notfn')", onSocket((s) => s.write("x", "utf8", "x" as never))],
  ["end(1)", onSocket((s) => s.end(1 as never))],
  ["write('x', 'buffer')", onSocket((s) => s.write("x", "buffer" as never))],
  ["write('x', null, cb)", onSocket((s) => s.write("x", null as never, () => {}))],
  ["write('x', 'UTF-8') (case)", onSocket((s) => s.write("x", "UTF-8" as never))],
  ["end('x', 'bogus')", onSocket((s) => s.end("x", "bogus" as never))],
  ["setTimeout('x')", onSocket((s) => s.setTimeout("x" as never))],
  ["setTimeout(-1)", onSocket((s) => s.setTimeout(-1))],
  ["setTimeout(NaN)", onSocket((s) => s.setTimeout(NaN))],
  ["setTimeout(Infinity)", onSocket((s) => s.setTimeout(Infinity) === s)],
  ["setTimeout(10, 'x')", onSocket((s) => s.setTimeout(10, "x" as never))],
  ["setKeepAlive(true, 'x')", onSocket((s) => s.setKeepAlive(true, "x" as never) === s)],
  ["setKeepAlive(true, -1)", onSocket((s) => s.setKeepAlive(true, -1) === s)],
  ["setNoDelay('x')", onSocket((s) => s.setNoDelay("x" as never) === s)],
  ["setEncoding('bogus')", onSocket((s) => s.setEncoding("bogus" as never))],
  ["unconnected new Socket().setTimeout(-1)", sync((n) => new n.Socket().setTimeout(-1))],
  // after end / destroy
  ["write after end", onSocket((s) => (s.end(), s.write("x")))],
  ["write after destroy", onDestroyed((s) => s.write("x"))],
  ["end after destroy", onDestroyed((s) => s.end("x") === s)],
  ["setTimeout after destroy", onDestroyed((s) => s.setTimeout(10) === s)],
  ["address() after destroy", onDestroyed((s) => s.address())],
  ["resetAndDestroy after destroy", onDestroyed((s) => s.resetAndDestroy() === s)],
  ["pause/resume after destroy", onDestroyed((s) => s.pause().resume() === s)],
  ["connect again after destroy", onDestroyed((s) => s.connect(CLOSED, H) === s)],
  // module-level
  ["BlockList.addAddress(1)", sync((n) => new n.BlockList().addAddress(1 as never))],
  ["BlockList.addSubnet(prefix 33)", sync((n) => new n.BlockList().addSubnet("1.0.0.0", 33))],
  ["BlockList.addRange(bad start)", sync((n) => new n.BlockList().addRange("x", "1.2.3.4"))],
  ["BlockList.check()", sync((n) => new n.BlockList().check(undefined as never))],
  ["new SocketAddress({ port: -1 })", sync((n) => new n.SocketAddress({ port: -1 }))],
  ["new SocketAddress({ address: 'x' })", sync((n) => new n.SocketAddress({ address: "x" }))],
  ["new SocketAddress(1)", sync((n) => new n.SocketAddress(1 as never))],
  ["isIP(1)", sync((n) => n.isIP(1 as never))],
  ["setDefaultAutoSelectFamily('x')", sync((n) => n.setDefaultAutoSelectFamily("x" as never))],
  ["setDefaultAutoSelectFamilyAttemptTimeout('x')", sync((n) => n.setDefaultAutoSelectFamilyAttemptTimeout("x" as never))],
];

describe(`bad inputs (${rows.length} rows)`, () => {
  for (const [name, body] of rows) diff(name, async (net, ctx) => void (await body(net, ctx)), (t) => expect(t.probe?.length).toBeGreaterThan(0));
});
