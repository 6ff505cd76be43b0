/**
 * NodeDriver on its own, against a node:net peer: the Backend contract
 * (handles, events in order, write completion, half-close, close) and the
 * core's table after each test.
 */
import * as net from "node:net";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BEv } from "../../host/backend.ts";
import type { ErrorInfo } from "../../host/backend.ts";
import { NodeDriver } from "../../host/node/driver.ts";
import { delay, once } from "./helpers.ts";

type Rec = [number, BEv, ...unknown[]];

function recorder(d: NodeDriver): { events: Rec[]; waitFor(h: number, ev: BEv): Promise<Rec> } {
  const events: Rec[] = [];
  const waiters: { h: number; ev: BEv; resolve(r: Rec): void }[] = [];
  d.setDispatch((h, ev, a, b, c, e) => {
    const r: Rec = [h, ev, a, b, c, e];
    events.push(r);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].h === h && waiters[i].ev === ev) waiters.splice(i, 1)[0].resolve(r);
    }
  });
  return {
    events,
    waitFor(h, ev) {
      const seen = events.find((r) => r[0] === h && r[1] === ev);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ h, ev, resolve }));
    },
  };
}

async function echoServer(): Promise<{ srv: net.Server; port: number }> {
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on("data", (d) => s.write(d));
    s.on("end", () => s.end());
    s.on("error", () => {});
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { srv, port: (srv.address() as net.AddressInfo).port };
}

let drivers: NodeDriver[] = [];
afterEach(() => {
  for (const d of drivers) d.dispose();
  drivers = [];
});

function driver(opts: ConstructorParameters<typeof NodeDriver>[0] = {}): NodeDriver {
  const d = new NodeDriver(opts);
  drivers.push(d);
  return d;
}

describe("NodeDriver sockets", () => {
  it("connects, writes, reads, half-closes and closes, leaving the table empty", async () => {
    const { srv, port } = await echoServer();
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "127.0.0.1", port, allowHalfOpen: true, resolved: true });
    expect(typeof h).toBe("number");
    const hh = h as number;
    await rec.waitFor(hh, BEv.Connect);
    expect(d.socketInfo(hh)).toMatchObject({ remote: { address: "127.0.0.1", family: "IPv4", port } });
    expect(d.hasRefs()).toBe(true);
    const w = d.write(hh, Buffer.from("hello"));
    expect(w === undefined || w === true).toBe(true);
    const [, , data] = await rec.waitFor(hh, BEv.Data);
    expect(Buffer.from(data as Uint8Array).toString()).toBe("hello");
    d.end(hh);
    await rec.waitFor(hh, BEv.Finished);
    await rec.waitFor(hh, BEv.End);
    expect(d.counters(hh)).toMatchObject({ bytesRead: 5, bytesWritten: 5, bufferSize: 0 });
    d.destroy(hh, false);
    const [, , hadError] = await rec.waitFor(hh, BEv.Close);
    expect(hadError).toBe(false);
    // order: Connect before Data before End before Close
    const kinds = rec.events.filter((r) => r[0] === hh).map((r) => r[1]);
    expect(kinds.indexOf(BEv.Connect)).toBeLessThan(kinds.indexOf(BEv.Data));
    expect(kinds.indexOf(BEv.End)).toBeLessThan(kinds.indexOf(BEv.Close));
    expect(d.stats().liveHandles).toBe(0);
    expect(d.hasRefs()).toBe(false);
    srv.close();
  });

  it("never dispatches from inside a Backend call", async () => {
    const d = driver();
    let inCall = false;
    let reentered = false;
    d.setDispatch(() => {
      if (inCall) reentered = true;
    });
    inCall = true;
    const h = d.connectTcp({ host: "127.0.0.1", port: 1, allowHalfOpen: false, resolved: true }) as number;
    d.destroy(h, false);
    inCall = false;
    for (let i = 0; i < 100 && d.stats().liveHandles !== 0; i++) await delay(5);
    expect(reentered).toBe(false);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("reports ECONNREFUSED with Node's fields, then Close(hadError)", async () => {
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "127.0.0.1", port: 1, allowHalfOpen: false, resolved: true }) as number;
    const [, , err] = await rec.waitFor(h, BEv.Error);
    expect(err).toMatchObject({ code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 1 });
    const [, , hadError] = await rec.waitFor(h, BEv.Close);
    expect(hadError).toBe(true);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("resolves names host-side and reports Lookup with Node's arguments", async () => {
    const { srv, port } = await echoServer();
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "localhost", port, family: 4, allowHalfOpen: false }) as number;
    const [, , err, address, family, host] = await rec.waitFor(h, BEv.Lookup);
    expect([err, address, family, host]).toEqual([null, "127.0.0.1", 4, "localhost"]);
    await rec.waitFor(h, BEv.Connect);
    d.destroy(h, false);
    await rec.waitFor(h, BEv.Close);
    srv.close();
  });

  it("a refused name lookup is a Lookup with ENOTFOUND, then Error and Close", async () => {
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "nosuchhost.invalid", port: 80, allowHalfOpen: false }) as number;
    const [, , err] = await rec.waitFor(h, BEv.Lookup);
    expect((err as ErrorInfo).code).toBe("ENOTFOUND");
    expect((err as ErrorInfo).syscall).toBe("getaddrinfo");
    await rec.waitFor(h, BEv.Close);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("resetAndDestroy sends an RST the peer sees as ECONNRESET", async () => {
    let peerErr: NodeJS.ErrnoException | null = null;
    const srv = net.createServer((s) => s.on("error", (e) => (peerErr = e)));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    const accepted = once<net.Socket>(srv, "connection");
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "127.0.0.1", port, allowHalfOpen: false, resolved: true }) as number;
    await rec.waitFor(h, BEv.Connect);
    const peer = await accepted;
    d.destroy(h, true);
    await once(peer, "close");
    expect(peerErr!.code).toBe("ECONNRESET");
    await rec.waitFor(h, BEv.Close);
    srv.close();
  });
});

describe("NodeDriver servers", () => {
  it("listens, accepts (addresses from socketInfo), counts connections and closes", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ host: "127.0.0.1", port: 0, allowHalfOpen: false, pauseOnConnect: false }) as number;
    // With a host, node:net binds after a lookup: no address yet, as in Node.
    expect(d.serverAddress(sh)).toBe(null);
    const [, , listening] = await rec.waitFor(sh, BEv.Listening);
    const addr = d.serverAddress(sh) as { port: number; address: string; family: string };
    expect(addr).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
    expect(listening).toEqual(addr);
    const c = net.connect(addr.port, "127.0.0.1");
    const [, , nh] = await rec.waitFor(sh, BEv.Connection);
    expect(d.socketInfo(nh as number)).toMatchObject({ remote: { address: "127.0.0.1", port: c.localPort } });
    expect(d.getConnections(sh)).toBe(1);
    c.write("x");
    const [, , data] = await rec.waitFor(nh as number, BEv.Data);
    expect(Buffer.from(data as Uint8Array).toString()).toBe("x");
    d.serverClose(sh);
    expect(d.serverAddress(sh)).toBe(null);
    c.destroy();
    // The core keeps a half-open socket: its owner (ts-api) decides when it closes.
    await rec.waitFor(nh as number, BEv.End);
    d.destroy(nh as number, false);
    await rec.waitFor(nh as number, BEv.Close);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("maxConnections drops the extra connection with DropInfo", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ port: 0, allowHalfOpen: false, pauseOnConnect: false }) as number;
    d.setMaxConnections(sh, 0);
    const port = (d.serverAddress(sh) as { port: number }).port;
    const c = net.connect(port, "127.0.0.1");
    c.on("error", () => {});
    const [, , drop] = await rec.waitFor(sh, BEv.Drop);
    expect(drop).toMatchObject({ localAddress: "::ffff:127.0.0.1", localPort: port, remoteAddress: "::ffff:127.0.0.1" });
    await once(c, "close");
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("EADDRINUSE is an Error with Node's listen fields", async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    const port = (blocker.address() as net.AddressInfo).port;
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ host: "127.0.0.1", port, allowHalfOpen: false, pauseOnConnect: false }) as number;
    const [, , err] = await rec.waitFor(sh, BEv.Error);
    expect(err).toMatchObject({ code: "EADDRINUSE", errno: -98, syscall: "listen", address: "127.0.0.1", port });
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
    blocker.close();
  });
});

/** A TCP socket bound to 127.0.0.1 and not listening, as an inherited fd would be. */
function boundFd(): { fd: number; port: number } {
  const { TCP, constants } = (process as unknown as { binding(n: string): any }).binding("tcp_wrap");
  const t = new TCP(constants.SERVER);
  expect(t.bind("127.0.0.1", 0)).toBe(0);
  const out: { port?: number } = {};
  t.getsockname(out);
  // The listening server takes the fd over and closes it; this handle is never
  // closed (it is not active: it keeps nothing alive), so the fd is closed once.
  return { fd: t.fd as number, port: out.port as number };
}

describe("NodeDriver listenFd", () => {
  it("listens on an inherited fd: Listening, connections accounted, ServerClose", async () => {
    const { fd, port } = boundFd();
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenFd({ fd, allowHalfOpen: true, pauseOnConnect: false }) as number;
    expect(typeof sh).toBe("number");
    const [, , addr] = await rec.waitFor(sh, BEv.Listening);
    expect(addr).toEqual({ address: "127.0.0.1", family: "IPv4", port });
    const c = net.connect(port, "127.0.0.1");
    const [, , nh] = await rec.waitFor(sh, BEv.Connection);
    expect(d.getConnections(sh)).toBe(1);
    d.write(nh as number, Buffer.from("hi"));
    const [data] = await once<Buffer>(c, "data").then((b) => [b]);
    expect(String(data)).toBe("hi");
    c.end();
    await rec.waitFor(nh as number, BEv.End);
    d.destroy(nh as number, false);
    await rec.waitFor(nh as number, BEv.Close);
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("a bound address the policy denies: ERR_ACCESS_DENIED, nothing accepted", async () => {
    const { fd, port } = boundFd();
    const d = driver({ policy: { connect: { default: "allow", allow: [], deny: [] }, listen: { default: "allow", allow: [], deny: [{ cidr: "127.0.0.0/8" }] } } });
    const res = d.listenFd({ fd, allowHalfOpen: true, pauseOnConnect: false });
    expect(res).toMatchObject({ code: "ERR_ACCESS_DENIED", syscall: "listen", address: "127.0.0.1", port });
    const c = net.connect(port, "127.0.0.1");
    const err = await once<NodeJS.ErrnoException>(c, "error");
    expect(err.code).toBe("ECONNREFUSED");
    await delay(20);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("a bad fd: Node's 'error' EINVAL (syscall listen, address null); the server can still be closed", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenFd({ fd: 99999, allowHalfOpen: true, pauseOnConnect: false }) as number;
    expect(typeof sh).toBe("number");
    const [, , err] = await rec.waitFor(sh, BEv.Error);
    expect(err).toMatchObject({ code: "EINVAL", errno: -22, syscall: "listen", address: null });
    expect(d.serverAddress(sh)).toBe(null);
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });
});

describe("NodeDriver hasRefs", () => {
  it("a closing server counts until its ServerClose record", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ host: "127.0.0.1", port: 0, allowHalfOpen: false, pauseOnConnect: false }) as number;
    await rec.waitFor(sh, BEv.Listening);
    const port = (d.serverAddress(sh) as { port: number }).port;
    const c = net.connect(port, "127.0.0.1");
    const [, , nh] = await rec.waitFor(sh, BEv.Connection);
    d.serverClose(sh);
    // the accepted connection is still open: the server has not closed yet
    await delay(20);
    expect(rec.events.some((r) => r[0] === sh && r[1] === BEv.ServerClose)).toBe(false);
    d.ref(nh as number, false);
    expect(d.hasRefs()).toBe(true);
    c.destroy();
    await rec.waitFor(nh as number, BEv.End);
    d.destroy(nh as number, false);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.hasRefs()).toBe(false);
  });
});

describe("NodeDriver refusals", () => {
  it("a connect the policy refuses at once returns an ErrorInfo and dispatches nothing", async () => {
    const d = driver({ policy: { connect: { default: "allow", allow: [], deny: [{ cidr: "10.0.0.0/8" }] },
      listen: { default: "allow", allow: [], deny: [] } } });
    const rec = recorder(d);
    const res = d.connectTcp({ host: "10.1.2.3", port: 80, allowHalfOpen: true, resolved: true });
    expect(res).toMatchObject({ code: "ERR_ACCESS_DENIED", syscall: "connect", address: "10.1.2.3", port: 80 });
    await delay(20);
    expect(rec.events).toEqual([]);
    expect(d.stats().liveHandles).toBe(0);
  });
});

describe("NodeDriver autoSelectFamily (ConnectTcp.multi, ConnectTcp.name)", () => {
  const dnsCjs = createRequire(import.meta.url)("node:dns") as typeof import("node:dns");
  const realLookup = dnsCjs.lookup;
  const TWO = [{ address: "127.0.0.1", family: 4 }, { address: "::1", family: 6 }];
  beforeAll(() => {
    // a name with two addresses, without touching /etc/hosts
    (dnsCjs as { lookup: unknown }).lookup = (host: string, opts: unknown, cb: Function) => {
      if (host === "two.wasock.test") return process.nextTick(cb, null, TWO.map((x) => ({ ...x })));
      return (realLookup as Function)(host, opts, cb);
    };
    syncBuiltinESMExports();
  });
  afterAll(() => {
    (dnsCjs as { lookup: unknown }).lookup = realLookup;
    syncBuiltinESMExports();
  });
  const allowName = (name: string) => ({
    connect: { default: "deny" as const, allow: [{ host: name }], deny: [] },
    listen: { default: "allow" as const, allow: [], deny: [] },
  });

  it("with multi, several addresses are handed over (Resolved), then the handle closes", async () => {
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "two.wasock.test", port: 1, allowHalfOpen: true, multi: true }) as number;
    const [, , list, name] = await rec.waitFor(h, BEv.Resolved);
    expect(list).toEqual(TWO);
    expect(name).toBe("two.wasock.test");
    await delay(20);
    expect(rec.events.map((r) => r.slice(1, 3))).toEqual([[BEv.Resolved, list], [BEv.Close, false]]);
    expect(d.stats().liveHandles).toBe(0);
    expect(d.hasRefs()).toBe(false);
  });

  it("without multi, the first address is tried (one Lookup, then Connect)", async () => {
    const { srv, port } = await echoServer();
    const d = driver();
    const rec = recorder(d);
    const h = d.connectTcp({ host: "two.wasock.test", port, allowHalfOpen: true }) as number;
    await rec.waitFor(h, BEv.Connect);
    expect(rec.events.filter((r) => r[0] === h).map((r) => r[1])).toEqual([BEv.Lookup, BEv.Connect]);
    expect(rec.events[0].slice(2, 6)).toEqual([null, "127.0.0.1", 4, "two.wasock.test"]);
    d.destroy(h, false);
    await rec.waitFor(h, BEv.Close);
    srv.close();
  });

  it("an attempt with name: a rule allowing the name allows its address; no Lookup event", async () => {
    const { srv, port } = await echoServer();
    const d = driver({ policy: allowName("two.wasock.test") });
    const rec = recorder(d);
    // without the name the address alone is denied
    expect(d.connectTcp({ host: "127.0.0.1", port, allowHalfOpen: true, resolved: true }))
      .toMatchObject({ code: "ERR_ACCESS_DENIED" });
    const h = d.connectTcp({ host: "127.0.0.1", port, allowHalfOpen: true, resolved: true,
      name: "two.wasock.test" }) as number;
    expect(typeof h).toBe("number");
    await rec.waitFor(h, BEv.Connect);
    expect(rec.events.filter((r) => r[0] === h).map((r) => r[1])).toEqual([BEv.Connect]);
    d.destroy(h, false);
    await rec.waitFor(h, BEv.Close);
    srv.close();
  });

  it("an attempt with a denied name is refused at once; a denied address of an allowed-by-default name fails with Error", async () => {
    const d = driver({ policy: {
      connect: { default: "allow", allow: [], deny: [{ host: "bad.wasock.test" }, { cidr: "::1" }] },
      listen: { default: "allow", allow: [], deny: [] },
    } });
    const rec = recorder(d);
    expect(d.connectTcp({ host: "127.0.0.1", port: 1, allowHalfOpen: true, resolved: true, name: "bad.wasock.test" }))
      .toMatchObject({ code: "ERR_ACCESS_DENIED" });
    const h = d.connectTcp({ host: "::1", port: 1, allowHalfOpen: true, resolved: true, name: "two.wasock.test" }) as number;
    const [, , err] = await rec.waitFor(h, BEv.Error);
    expect(err).toMatchObject({ code: "ERR_ACCESS_DENIED", syscall: "connect", address: "::1", port: 1 });
    await rec.waitFor(h, BEv.Close);
    expect(rec.events.filter((r) => r[0] === h).map((r) => r[1])).toEqual([BEv.Error, BEv.Close]);
  });
});

describe("NodeDriver accepted connections (raw libuv handles)", () => {
  it("reset on an accepted connection sends RST; the peer sees ECONNRESET", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ host: "127.0.0.1", port: 0, allowHalfOpen: true, pauseOnConnect: false }) as number;
    await rec.waitFor(sh, BEv.Listening);
    const port = (d.serverAddress(sh) as { port: number }).port;
    const c = net.connect(port, "127.0.0.1");
    const [, , nh] = await rec.waitFor(sh, BEv.Connection);
    expect(d.socketInfo(nh as number)).toMatchObject({
      local: { address: "127.0.0.1", family: "IPv4", port }, remote: { address: "127.0.0.1", family: "IPv4" } });
    d.destroy(nh as number, true);
    const err = await once<NodeJS.ErrnoException>(c, "error");
    expect(err.code).toBe("ECONNRESET");
    await rec.waitFor(nh as number, BEv.Close);
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });

  it("pauseOnConnect: nothing is read until resume; then bytes, End, Finished in order", async () => {
    const d = driver();
    const rec = recorder(d);
    const sh = d.listenTcp({ host: "127.0.0.1", port: 0, allowHalfOpen: true, pauseOnConnect: true }) as number;
    await rec.waitFor(sh, BEv.Listening);
    const port = (d.serverAddress(sh) as { port: number }).port;
    const c = net.connect(port, "127.0.0.1");
    c.end("abc");
    const [, , nh] = await rec.waitFor(sh, BEv.Connection);
    await delay(30);
    expect(rec.events.some((r) => r[0] === nh && r[1] === BEv.Data)).toBe(false);
    d.resume(nh as number);
    await rec.waitFor(nh as number, BEv.End);
    const got = rec.events.filter((r) => r[0] === nh && r[1] === BEv.Data).map((r) => Buffer.from(r[2] as Uint8Array).toString());
    expect(got.join("")).toBe("abc");
    d.end(nh as number);
    await rec.waitFor(nh as number, BEv.Finished);
    await once(c, "close");
    d.destroy(nh as number, false);
    await rec.waitFor(nh as number, BEv.Close);
    d.serverClose(sh);
    await rec.waitFor(sh, BEv.ServerClose);
    expect(d.stats().liveHandles).toBe(0);
  });
});
