/**
 * Module-level functions: exported names, isIP family, BlockList,
 * SocketAddress, the autoSelectFamily defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Duplex, Readable, Writable } from "node:stream";
import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as nodeNet from "node:net";

import { checkLeaks, diff, leakBaseline, loadWasock } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const DOCUMENTED = [
  "BlockList",
  "SocketAddress",
  "Server",
  "Socket",
  "Stream",
  "connect",
  "createConnection",
  "createServer",
  "getDefaultAutoSelectFamily",
  "getDefaultAutoSelectFamilyAttemptTimeout",
  "isIP",
  "isIPv4",
  "isIPv6",
  "setDefaultAutoSelectFamily",
  "setDefaultAutoSelectFamilyAttemptTimeout",
];

const IP_INPUTS: unknown[] = [
  "127.0.0.1",
  "0.0.0.0",
  "255.255.255.255",
  "256.0.0.1",
  "1.2.3",
  "01.2.3.4",
  "1.2.3.4 ",
  "::1",
  "::",
  "fe80::1%eth0",
  "::ffff:127.0.0.1",
  "2001:db8::1:2:3:4:5",
  "2001:db8:::1",
  "1:2:3:4:5:6:7:8",
  "1:2:3:4:5:6:7:8:9",
  "[::1]",
  "localhost",
  "",
  "x",
  123,
  null,
  undefined,
  {},
  ["127.0.0.1"],
];

const SOCKET_MEMBERS = [
  "address", "connect", "destroy", "destroySoon", "end", "pause", "ref", "resetAndDestroy", "resume",
  "setEncoding", "setKeepAlive", "setNoDelay", "setTimeout", "unref", "write", "cork", "uncork", "pipe",
  "read", "unshift", "isPaused", "on", "once", "emit", "bufferSize", "bytesRead", "bytesWritten", "connecting",
  "destroyed", "localAddress", "localPort", "localFamily", "pending", "remoteAddress", "remoteFamily",
  "remotePort", "timeout", "readyState", "autoSelectFamilyAttemptedAddresses", "allowHalfOpen",
  "readable", "writable", "readableHighWaterMark", "writableHighWaterMark", "readableFlowing",
  "readableEncoding", "writableLength", "writableNeedDrain", "writableEnded", "writableFinished",
  "writableCorked", "readableEnded", "readableLength", "closed", "errored",
];
const SERVER_MEMBERS = ["address", "close", "getConnections", "listen", "ref", "unref", "listening", "maxConnections", "on", "once", "emit"];

describe("module", () => {
  it("wasock/node: named exports are the default export's node:net names, plus createNet", async () => {
    const mod = (await loadWasock()) as Record<string, unknown> & { default: Record<string, unknown> };
    for (const n of DOCUMENTED) {
      expect(typeof mod[n], n).toBe(typeof mod.default[n]);
      expect(mod[n], n).toBe(mod.default[n]);
    }
    if (process.env.WASOCK_CONFORMANCE_SELF !== "1") expect(typeof mod.createNet).toBe("function");
  });

  const DIST = fileURLToPath(new URL("../../dist/node/index.mjs", import.meta.url));
  it.skipIf(!existsSync(DIST) || process.env.WASOCK_CONFORMANCE_SELF === "1")("the built dist/node/index.mjs keeps Node's class and function names", async () => {
    const built = ((await import(/* @vite-ignore */ DIST)) as { default: Record<string, { name: string }> }).default;
    const names = (m: Record<string, { name: string }>) =>
      ["Socket", "Server", "BlockList", "SocketAddress", "connect", "createConnection", "createServer", "isIP", "isIPv4", "isIPv6"].map((n) => m[n]?.name);
    expect(names(built)).toEqual(names(nodeNet as unknown as Record<string, { name: string }>));
  });

  diff("class names are Node's (util.inspect and stack traces show them)", async (net, ctx) => {
    ctx.value("names", "Socket", () => [net.Socket.name, new net.Socket().constructor.name]);
    ctx.value("names", "Server", () => [net.Server.name, new net.Server().constructor.name]);
    ctx.value("names", "Stream", () => net.Stream.name);
    ctx.value("names", "BlockList", () => [net.BlockList.name, new net.BlockList().constructor.name]);
    ctx.value("names", "SocketAddress", () => [net.SocketAddress.name, new net.SocketAddress(undefined as never).constructor.name]);
    ctx.value("names", "functions", () => [net.connect.name, net.createConnection.name, net.createServer.name, net.isIP.name]);
  });

  diff("Socket and Server can be called without new, and subclassed", async (net, ctx) => {
    type Ctor = new (...a: unknown[]) => { constructor: { name: string } };
    const Socket = net.Socket as unknown as Ctor & ((...a: unknown[]) => object);
    const Server = net.Server as unknown as Ctor & ((...a: unknown[]) => object);
    ctx.value("call", "Socket()", () => {
      const s = Socket({ allowHalfOpen: true }) as InstanceType<typeof net.Socket>;
      return [s instanceof net.Socket, s.constructor.name, s.allowHalfOpen];
    });
    ctx.value("call", "Server()", () => {
      const s = Server() as InstanceType<typeof net.Server>;
      return [s instanceof net.Server, s.constructor.name, s.listening];
    });
    class MySocket extends net.Socket {
      extra = 7;
    }
    class MyServer extends net.Server {}
    ctx.value("subclass", "Socket", () => {
      const s = new MySocket({ allowHalfOpen: true });
      return [s instanceof MySocket, s instanceof net.Socket, s instanceof Duplex, s.constructor.name, s.extra, s.allowHalfOpen, typeof s.connect];
    });
    ctx.value("subclass", "Server", () => {
      const s = new MyServer();
      return [s instanceof MyServer, s instanceof net.Server, s.constructor.name, typeof s.listen];
    });
    ctx.value("statics", "Socket inherits Duplex's", () => typeof (net.Socket as unknown as { from?: unknown }).from);
  });

  diff("Socket and Server instances have every documented member, with the same kind", async (net, ctx) => {
    const s = new net.Socket();
    for (const m of SOCKET_MEMBERS) ctx.value("socket", m, () => typeof (s as unknown as Record<string, unknown>)[m]);
    ctx.value("socket", "Symbol.asyncDispose", () => typeof (s as unknown as Record<symbol, unknown>)[Symbol.asyncDispose]);
    ctx.value("socket", "instanceof Stream", () => s instanceof net.Stream);
    ctx.value("socket", "instanceof node:stream Duplex/Readable/Writable, EventEmitter", () => [
      s instanceof Duplex,
      s instanceof Readable,
      s instanceof Writable,
      s instanceof EventEmitter,
    ]);
    const srv = new net.Server();
    for (const m of SERVER_MEMBERS) ctx.value("server", m, () => typeof (srv as unknown as Record<string, unknown>)[m]);
    ctx.value("server", "instanceof EventEmitter", () => srv instanceof EventEmitter);
    ctx.value("server", "Symbol.asyncDispose", () => typeof (srv as unknown as Record<symbol, unknown>)[Symbol.asyncDispose]);
    ctx.value("socket", "values", () => ({
      readableHighWaterMark: s.readableHighWaterMark,
      writableHighWaterMark: s.writableHighWaterMark,
      allowHalfOpen: s.allowHalfOpen,
      timeout: s.timeout,
      readyState: s.readyState,
      autoSelectFamilyAttemptedAddresses: s.autoSelectFamilyAttemptedAddresses,
      closed: s.closed,
      errored: s.errored,
    }));
    ctx.value("socket", "highWaterMark option", () => {
      const x = new net.Socket({ highWaterMark: 1024 } as never);
      return [x.readableHighWaterMark, x.writableHighWaterMark];
    });
    ctx.value("socket", "readable/writable false options", () => {
      const x = new net.Socket({ readable: false, writable: false });
      return [x.readable, x.writable, x.readyState];
    });
    s.destroy();
  });


  it.skipIf(process.env.WASOCK_CONFORMANCE_SELF === "1")("the leak check can fail: stats count live handles while open", async () => {
    const net = (await loadWasock()).default;
    const stats = (net as unknown as Record<symbol, () => { liveHandles: number; sockets: number; servers: number }>)[Symbol.for("wasock.stats")];
    expect(typeof stats).toBe("function");
    const before = stats.call(net);
    const srv = net.createServer((c) => c.pipe(c));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const c = net.connect((srv.address() as { port: number }).port, "127.0.0.1");
    await new Promise((r) => c.once("connect", r));
    const open = stats.call(net);
    expect(open.liveHandles).toBeGreaterThanOrEqual(before.liveHandles + 2);
    expect(open.servers).toBeGreaterThanOrEqual(1);
    c.destroy();
    await new Promise((r) => srv.close(r));
    for (let i = 0; i < 100 && stats.call(net).liveHandles > before.liveHandles; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stats.call(net).liveHandles).toBe(before.liveHandles);
  });

  diff(
    "exports every documented name with the same kind",
    async (net, ctx) => {
      for (const n of DOCUMENTED) ctx.log("module", n, typeof (net as unknown as Record<string, unknown>)[n]);
      ctx.log("module", "Stream===Socket", net.Stream === net.Socket);
      ctx.log("module", "connect===createConnection", net.connect === net.createConnection);
    },
    (t) => expect(t.module).toHaveLength(DOCUMENTED.length + 2),
  );

  diff("isIP / isIPv4 / isIPv6 over a table of inputs", async (net, ctx) => {
    for (const v of IP_INPUTS) {
      const label = JSON.stringify(v) ?? String(v);
      ctx.value("ip", `isIP(${label})`, () => net.isIP(v as string));
      ctx.value("ip", `isIPv4(${label})`, () => net.isIPv4(v as string));
      ctx.value("ip", `isIPv6(${label})`, () => net.isIPv6(v as string));
    }
  });

  diff("autoSelectFamily defaults, setters and clamping", async (net, ctx) => {
    const fam = net.getDefaultAutoSelectFamily();
    const to = net.getDefaultAutoSelectFamilyAttemptTimeout();
    try {
      ctx.value("m", "getDefaultAutoSelectFamily", () => net.getDefaultAutoSelectFamily());
      ctx.value("m", "getDefaultAutoSelectFamilyAttemptTimeout", () => net.getDefaultAutoSelectFamilyAttemptTimeout());
      ctx.value("m", "setDefaultAutoSelectFamily(false)", () => net.setDefaultAutoSelectFamily(false));
      ctx.value("m", "get", () => net.getDefaultAutoSelectFamily());
      ctx.value("m", "setDefaultAutoSelectFamily('yes')", () => net.setDefaultAutoSelectFamily("yes" as never));
      ctx.value("m", "setTimeout(5)", () => net.setDefaultAutoSelectFamilyAttemptTimeout(5));
      ctx.value("m", "get", () => net.getDefaultAutoSelectFamilyAttemptTimeout());
      ctx.value("m", "setTimeout(300)", () => net.setDefaultAutoSelectFamilyAttemptTimeout(300));
      ctx.value("m", "get", () => net.getDefaultAutoSelectFamilyAttemptTimeout());
      ctx.value("m", "setTimeout(0)", () => net.setDefaultAutoSelectFamilyAttemptTimeout(0));
      ctx.value("m", "setTimeout(-1)", () => net.setDefaultAutoSelectFamilyAttemptTimeout(-1));
      ctx.value("m", "setTimeout('10')", () => net.setDefaultAutoSelectFamilyAttemptTimeout("10" as never));
      ctx.value("m", "setTimeout(1.5)", () => net.setDefaultAutoSelectFamilyAttemptTimeout(1.5));
      ctx.value("m", "get", () => net.getDefaultAutoSelectFamilyAttemptTimeout());
    } finally {
      net.setDefaultAutoSelectFamily(fam);
      net.setDefaultAutoSelectFamilyAttemptTimeout(to);
    }
  });

  diff("BlockList rules and checks", async (net, ctx) => {
    const bl = new net.BlockList();
    ctx.value("bl", "addAddress v4", () => bl.addAddress("10.1.1.1"));
    ctx.value("bl", "addAddress v6", () => bl.addAddress("::1", "ipv6"));
    ctx.value("bl", "addRange", () => bl.addRange("192.168.0.10", "192.168.0.20"));
    ctx.value("bl", "addSubnet v4", () => bl.addSubnet("172.16.0.0", 12));
    ctx.value("bl", "addSubnet v6", () => bl.addSubnet("2001:db8::", 32, "ipv6"));
    ctx.value("bl", "addAddress SocketAddress", () => bl.addAddress(new net.SocketAddress({ address: "8.8.8.8" }) as never));
    ctx.value("bl", "rules", () => bl.rules);
    const probes: [string, string?][] = [
      ["10.1.1.1"],
      ["10.1.1.2"],
      ["192.168.0.9"],
      ["192.168.0.10"],
      ["192.168.0.15"],
      ["192.168.0.20"],
      ["192.168.0.21"],
      ["172.31.255.255"],
      ["172.32.0.0"],
      ["::1", "ipv6"],
      ["::2", "ipv6"],
      ["2001:db8:ffff::1", "ipv6"],
      ["2001:db9::1", "ipv6"],
      ["8.8.8.8"],
      ["::ffff:10.1.1.1", "ipv6"],
      ["10.1.1.1", "ipv6"],
    ];
    for (const [a, f] of probes) ctx.value("bl", `check(${a},${f})`, () => bl.check(a, f as never));
    ctx.value("bl", "check(SocketAddress)", () => bl.check(new net.SocketAddress({ address: "10.1.1.1" }) as never));
    // bad inputs
    ctx.value("bl", "addAddress(1)", () => bl.addAddress(1 as never));
    ctx.value("bl", "addAddress(x, ipv5)", () => bl.addAddress("1.2.3.4", "ipv5" as never));
    ctx.value("bl", "addAddress(bad ip)", () => bl.addAddress("1.2.3.400"));
    ctx.value("bl", "addRange(start>end)", () => bl.addRange("10.0.0.9", "10.0.0.1"));
    ctx.value("bl", "addRange(1,2)", () => bl.addRange(1 as never, 2 as never));
    ctx.value("bl", "addSubnet(33)", () => bl.addSubnet("10.0.0.0", 33));
    ctx.value("bl", "addSubnet(129 v6)", () => bl.addSubnet("::", 129, "ipv6"));
    ctx.value("bl", "addSubnet('8')", () => bl.addSubnet("10.0.0.0", "8" as never));
    ctx.value("bl", "check(1)", () => bl.check(1 as never));
    ctx.value("bl", "check(x, ipv5)", () => bl.check("1.2.3.4", "ipv5" as never));
    ctx.value("bl", "rules after errors", () => bl.rules);
  });

  diff("SocketAddress construction, properties and errors", async (net, ctx) => {
    const cases: unknown[] = [
      undefined,
      {},
      { address: "127.0.0.1", port: 80 },
      { address: "::1", family: "ipv6", port: 443, flowlabel: 7 },
      { address: "::1", family: "ipv4" },
      { address: "127.0.0.1", family: "ipv6" },
      { address: "x" },
      { address: 1 },
      { port: 65536 },
      { port: -1 },
      // { port: "80" } aborts Node 20 itself (C++ assertion), so it is not compared
      { family: "ipv5" },
      { flowlabel: -1, family: "ipv6", address: "::" },
      "127.0.0.1",
      null,
    ];
    for (const c of cases) {
      const label = JSON.stringify(c) ?? String(c);
      ctx.value("sa", `new(${label})`, () => {
        const sa = new net.SocketAddress(c as never);
        return { address: sa.address, port: sa.port, family: sa.family, flowlabel: sa.flowlabel, json: (sa as unknown as { toJSON(): unknown }).toJSON() };
      });
    }
  });
});
