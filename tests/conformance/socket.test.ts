/**
 * Socket: every connect signature and option, the 'lookup' event and custom
 * lookup, events and their order on both sides, state properties,
 * timeouts, noDelay/keepAlive, ref/unref, AbortSignal.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { AddressInfo, Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

/** A server on 127.0.0.1 that greets each connection and ends it. */
async function greeter(net: Net, ctx: Ctx, host = "127.0.0.1", opts = {}): Promise<{ srv: Server; port: number }> {
  const srv = net.createServer(opts, (c) => {
    ctx.track(c);
    c.on("error", () => {});
    c.end("hello");
  });
  const port = await ctx.listen(srv, "srv", host);
  return { srv, port };
}

async function closeServer(srv: Server): Promise<void> {
  await new Promise<void>((r) => srv.close(() => r()));
}

const CONNECT_PROPS = ["readyState", "pending", "connecting", "localAddress", "localFamily", "remoteAddress", "remotePort", "remoteFamily", "timeout", "autoSelectFamilyAttemptedAddresses"];

type ConnectCase = [string, (net: Net, port: number, cb: () => void) => Socket, string?];
const connectCases: ConnectCase[] = [
  ["connect(port, host)", (net, port) => net.connect(port, "127.0.0.1")],
  ["connect(port, host, cb)", (net, port, cb) => net.connect(port, "127.0.0.1", cb)],
  ["connect(port) defaults to localhost", (net, port) => net.connect(port)],
  ["connect(port, cb)", (net, port, cb) => net.connect(port, cb as never)],
  ["connect(String(port), host)", (net, port) => net.connect(String(port) as never, "127.0.0.1")],
  ["connect({ port, host })", (net, port) => net.connect({ port, host: "127.0.0.1" })],
  ["connect({ port }, cb)", (net, port, cb) => net.connect({ port }, cb)],
  ["createConnection(port, host, cb)", (net, port, cb) => net.createConnection(port, "127.0.0.1", cb)],
  ["createConnection({ port, host })", (net, port) => net.createConnection({ port, host: "127.0.0.1" })],
  ["new Socket().connect(port, host)", (net, port) => new net.Socket().connect(port, "127.0.0.1")],
  ["new Socket().connect({ port, host }, cb)", (net, port, cb) => new net.Socket().connect({ port, host: "127.0.0.1" }, cb)],
  ["new Stream().connect(port, host)", (net, port) => new net.Stream().connect(port, "127.0.0.1")],
  ["connect({ localAddress })", (net, port) => net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.1" })],
  ["connect({ host: 'localhost', family: 4 })", (net, port) => net.connect({ port, host: "localhost", family: 4 })],
  // (family: 6 for 'localhost' is left out: /etc/hosts has no ::1 entry, so getaddrinfo would ask the off-machine resolver)
  ["connect({ hints: ADDRCONFIG })", (net, port) => net.connect({ port, host: "localhost", hints: 32 })],
  ["connect({ noDelay, keepAlive, keepAliveInitialDelay })", (net, port) => net.connect({ port, host: "127.0.0.1", noDelay: true, keepAlive: true, keepAliveInitialDelay: 500 })],
  ["connect({ autoSelectFamily: false })", (net, port) => net.connect({ port, host: "localhost", autoSelectFamily: false })],
  ["connect({ autoSelectFamily: true, attempt timeout })", (net, port) => net.connect({ port, host: "localhost", autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 100 })],
  ["connect({ timeout: 5000 })", (net, port) => net.connect({ port, host: "127.0.0.1", timeout: 5000 })],
  ["connect({ host: '127.0.0.1', family: 6 }) (IP literal wins)", (net, port) => net.connect({ port, host: "127.0.0.1", family: 6 })],
  ["connect({ host: '' })", (net, port) => net.connect({ port, host: "" })],
  ["connect(port, undefined, cb)", (net, port, cb) => net.connect(port, undefined as never, cb)],
  ["connect({ port, host: 'LOCALHOST' })", (net, port) => net.connect({ port, host: "LOCALHOST" })],
  ["connect({ host: '::1' }) to a dual-stack server", (net, port) => net.connect({ port, host: "::1" }), "::"],
  ["connect({ host: '::ffff:127.0.0.1' })", (net, port) => net.connect({ port, host: "::ffff:127.0.0.1" }), "::"],
];

describe("connect signatures", () => {
  for (const [name, make, host] of connectCases) {
    diff(name, async (net, ctx) => {
      const { srv, port } = await greeter(net, ctx, host ?? "127.0.0.1");
      const c = make(net, port, () => ctx.log("client", "connect cb"));
      ctx.watch("client", c, { snap: CONNECT_PROPS });
      ctx.snap("client", "sync", c, CONNECT_PROPS);
      await once(c, "close");
      await closeServer(srv);
    }, (t) => expect(names(t, "client")).toContain("close"));
  }

  diff("connect({ localAddress, localPort }) binds the local port", async (net, ctx) => {
    const probe = net.createServer();
    const local = await ctx.listen(probe, "local");
    await closeServer(probe);
    const { srv, port } = await greeter(net, ctx);
    const c = ctx.watch("client", net.connect({ port, host: "127.0.0.1", localAddress: "127.0.0.1", localPort: local }), { snap: ["localAddress", "localPort"] });
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect() again on a connected socket", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"));
    await once(c, "connect");
    ctx.value("client", "connect again", () => c.connect(port, "127.0.0.1") === c);
    await once(c, "close");
    await closeServer(srv);
  });
});

describe("lookup", () => {
  diff("custom lookup: the arguments it receives and the 'lookup' event", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const lookup = (host: string, opts: Record<string, unknown>, cb: (...a: unknown[]) => void) => {
      ctx.log("lookup", "called", host, opts);
      if (opts.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
      else cb(null, "127.0.0.1", 4);
    };
    const c = ctx.watch("client", net.connect({ port, host: "example.invalid", lookup: lookup as never }), { snap: ["remoteAddress"] });
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "lookup")).toContain("called"));

  diff("custom lookup without autoSelectFamily gets all=false semantics", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const lookup = (host: string, opts: Record<string, unknown>, cb: (...a: unknown[]) => void) => {
      ctx.log("lookup", "called", host, opts);
      if (opts.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
      else cb(null, "127.0.0.1", 4);
    };
    const c = ctx.watch("client", net.connect({ port, host: "example.invalid", family: 4, autoSelectFamily: false, lookup: lookup as never }));
    await once(c, "close");
    await closeServer(srv);
  });

  diff("custom lookup failing: 'lookup' with the error, then 'error'", async (net, ctx) => {
    const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) => {
      const e = Object.assign(new Error("getaddrinfo ENOTFOUND example.invalid"), { code: "ENOTFOUND", syscall: "getaddrinfo", hostname: "example.invalid" });
      cb(e);
    };
    const c = ctx.watch("client", net.connect({ port: 9, host: "example.invalid", lookup: lookup as never }), { snap: ["readyState", "destroyed", "connecting"] });
    await once(c, "close");
  });

  diff("custom lookup returning a non-IP", async (net, ctx) => {
    const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: "not-an-ip", family: 4 }]) : cb(null, "not-an-ip", 4);
    const c = ctx.watch("client", net.connect({ port: 9, host: "example.invalid", autoSelectFamily: false, lookup: lookup as never }));
    await once(c, "close");
  });

  diff("custom lookup returning a bad family", async (net, ctx) => {
    const lookup = (_h: string, _o: unknown, cb: (...a: unknown[]) => void) => cb(null, "127.0.0.1", 5);
    const c = ctx.watch("client", net.connect({ port: 9, host: "example.invalid", autoSelectFamily: false, lookup: lookup as never }));
    await once(c, "close");
  });

  for (const [label, order] of [
    ["::1 first (refused), then 127.0.0.1", ["::1", "127.0.0.1"]],
    ["127.0.0.1 first", ["127.0.0.1", "::1"]],
  ] as const) {
    diff(`autoSelectFamily with two addresses, ${label}: attempts, events and attempted list`, async (net, ctx) => {
      const { srv, port } = await greeter(net, ctx);
      const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) => {
        const list = order.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
        o.all ? cb(null, list) : cb(null, list[0].address, list[0].family);
      };
      const c = net.connect({ port, host: "dual.invalid", lookup: lookup as never, autoSelectFamily: true, autoSelectFamilyAttemptTimeout: 250 });
      ctx.watch("client", c, {
        events: ["lookup", "connectionAttempt", "connectionAttemptFailed", "connectionAttemptTimeout", "connect", "ready", "error", "close"],
        snap: ["autoSelectFamilyAttemptedAddresses", "remoteAddress", "remoteFamily"],
      });
      c.resume();
      await once(c, "close");
      await closeServer(srv);
    }, (t) => expect(names(t, "client")).toContain("connect"));
  }

  diff("autoSelectFamily: every address refused", async (net, ctx) => {
    const lookup = (_h: string, o: { all?: boolean }, cb: (...a: unknown[]) => void) =>
      o.all ? cb(null, [{ address: "::1", family: 6 }, { address: "127.0.0.1", family: 4 }]) : cb(null, "::1", 6);
    const c = net.connect({ port: 1, host: "dual.invalid", lookup: lookup as never, autoSelectFamily: true });
    ctx.watch("client", c, {
      events: ["lookup", "connectionAttempt", "connectionAttemptFailed", "connectionAttemptTimeout", "connect", "error", "close"],
      snap: ["autoSelectFamilyAttemptedAddresses"],
    });
    await once(c, "close");
  });

  diff("an IP host emits no 'lookup'; a name does", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const a = ctx.watch("ip", net.connect(port, "127.0.0.1"), { events: ["lookup", "connect", "close"] });
    const b = ctx.watch("name", net.connect(port, "localhost"), { events: ["lookup", "connect", "close"] });
    a.resume();
    b.resume();
    await Promise.all([once(a, "close"), once(b, "close")]);
    await closeServer(srv);
  }, (t) => expect(names(t, "name")).toContain("lookup"));
});

describe("events and state", () => {
  diff("full lifecycle on both sides, with state at every event", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.watch("server", c, { snap: true });
      ctx.snap("server", "connection", c);
      c.on("data", (d) => c.write(d));
      c.on("end", () => c.end());
    });
    const port = await ctx.listen(srv);
    const c = new net.Socket();
    ctx.snap("client", "new", c);
    ctx.addr("client", "new", c);
    ctx.watch("client", c, { snap: true });
    c.connect(port, "127.0.0.1");
    ctx.snap("client", "connect()", c);
    await once(c, "connect");
    ctx.addr("client", "connected", c);
    c.write("ping", () => ctx.log("client", "write cb"));
    await once(c, "data");
    c.end(() => ctx.log("client", "end cb"));
    ctx.snap("client", "end()", c);
    await once(c, "close");
    ctx.addr("client", "closed", c);
    await closeServer(srv);
  });

  diff("write before connect is queued and counted", async (net, ctx) => {
    const got: Buffer[] = [];
    const srv = net.createServer((c) => c.on("data", (d) => got.push(d)).on("end", () => c.end()));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["bufferSize", "bytesWritten", "writableLength", "pending"] });
    ctx.value("client", "write", () => c.write("queued-"));
    ctx.value("client", "write", () => c.write(Buffer.from("bytes")));
    ctx.snap("client", "before connect", c, ["bufferSize", "bytesWritten", "writableLength", "pending"]);
    c.end();
    await once(c, "close");
    ctx.log("server", "received", Buffer.concat(got).toString());
    await closeServer(srv);
  });

  diff("destroy() before connect completes", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["readyState", "destroyed", "pending", "connecting"] });
    c.destroy();
    ctx.snap("client", "destroyed", c, ["readyState", "destroyed", "pending", "connecting"]);
    await once(c, "close");
    await delay(10);
    await closeServer(srv);
  });

  diff("destroy(err) emits 'error' then 'close'(true)", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["destroyed", "readyState"] });
    await once(c, "connect");
    ctx.value("client", "destroy returns this", () => c.destroy(new Error("boom")) === c);
    ctx.value("client", "destroy again", () => c.destroy(new Error("second")) === c);
    await once(c, "close");
    await closeServer(srv);
  });

  diff("setTimeout fires 'timeout' without closing; 0 disables", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["destroyed", "timeout", "readyState"] });
    ctx.value("client", "setTimeout returns this", () => c.setTimeout(40, () => ctx.log("client", "timeout cb")) === c);
    ctx.value("client", "timeout prop", () => c.timeout);
    await once(c, "timeout");
    await delay(5);
    c.setTimeout(0);
    ctx.value("client", "timeout prop after 0", () => c.timeout);
    await delay(120);
    ctx.log("client", "no second timeout");
    c.destroy();
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("timeout"));

  diff("activity postpones the idle timeout", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.track(c);
      let n = 0;
      const iv = setInterval(() => {
        c.write("x");
        if (++n === 6) clearInterval(iv);
      }, 20);
      c.on("close", () => clearInterval(iv));
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { events: ["timeout", "close"] });
    let bytes = 0;
    c.on("data", (d) => (bytes += d.length));
    c.setTimeout(80);
    await once(c, "timeout");
    ctx.log("client", "bytes before timeout", bytes);
    c.destroy();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect option timeout arms the idle timer", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c));
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect({ port, host: "127.0.0.1", timeout: 30 }), { snap: ["timeout"] });
    await once(c, "timeout");
    c.destroy();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("setNoDelay / setKeepAlive / ref / unref return this, before and after connect", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const c = new net.Socket();
    ctx.track(c);
    ctx.log("client", "setNoDelay() pre", c.setNoDelay() === c);
    ctx.log("client", "setKeepAlive(true, 1000) pre", c.setKeepAlive(true, 1000) === c);
    ctx.log("client", "unref pre", c.unref() === c);
    ctx.log("client", "ref pre", c.ref() === c);
    ctx.watch("client", c);
    c.connect(port, "127.0.0.1");
    await once(c, "connect");
    ctx.log("client", "setNoDelay(false)", c.setNoDelay(false) === c);
    ctx.log("client", "setNoDelay(true)", c.setNoDelay(true) === c);
    ctx.log("client", "setKeepAlive(false)", c.setKeepAlive(false) === c);
    ctx.log("client", "setKeepAlive(true)", c.setKeepAlive(true) === c);
    ctx.log("client", "setKeepAlive(true, 2000)", c.setKeepAlive(true, 2000) === c);
    ctx.log("client", "unref", c.unref() === c);
    ctx.log("client", "ref", c.ref() === c);
    await once(c, "close");
    ctx.log("client", "setNoDelay after close", c.setNoDelay(true) === c);
    ctx.log("client", "setKeepAlive after close", c.setKeepAlive(true) === c);
    ctx.log("client", "ref after close", c.ref() === c);
    await closeServer(srv);
  });
});

describe("AbortSignal on sockets", () => {
  diff("new Socket({ signal }) aborted after connect", async (net, ctx) => {
    const srv = net.createServer((c) => ctx.track(c).on("error", () => {}));
    const port = await ctx.listen(srv);
    const ac = new AbortController();
    const c = ctx.watch("client", new net.Socket({ signal: ac.signal }), { snap: ["destroyed", "readyState"] });
    c.connect(port, "127.0.0.1");
    await once(c, "connect");
    ac.abort();
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect({ signal }) already aborted", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const c = ctx.watch("client", net.connect({ port, host: "127.0.0.1", signal: AbortSignal.abort() } as never), { snap: ["destroyed"] });
    ctx.snap("client", "sync", c, ["destroyed", "readyState"]);
    await once(c, "close");
    await closeServer(srv);
  });

  diff("connect({ signal }) aborted with a reason while connecting", async (net, ctx) => {
    const { srv, port } = await greeter(net, ctx);
    const ac = new AbortController();
    const c = ctx.watch("client", net.connect({ port, host: "127.0.0.1", signal: ac.signal } as never), { snap: ["destroyed"] });
    ac.abort(new Error("why"));
    await once(c, "close");
    await closeServer(srv);
  });
});

describe("server-side options", () => {
  diff("pauseOnConnect: nothing is read until resume()", async (net, ctx) => {
    let conn: Socket | undefined;
    const srv = net.createServer({ pauseOnConnect: true }, (c) => {
      conn = ctx.watch("server", c);
      ctx.value("server", "isPaused", () => c.isPaused());
      ctx.value("server", "readableFlowing", () => c.readableFlowing);
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"));
    c.write("early");
    while (!conn) await delay(2);
    await delay(40);
    ctx.log("server", "checkpoint before resume", conn.bytesRead);
    conn.resume();
    await once(conn, "data");
    c.end();
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "server")).toContain("data"));

  diff("allowHalfOpen on the server: it writes after the client's end", async (net, ctx) => {
    const srv = net.createServer({ allowHalfOpen: true }, (c) => {
      ctx.watch("server", c, { snap: ["readyState", "writable", "readable", "allowHalfOpen"] });
      c.on("end", () => {
        ctx.snap("server", "in end", c, ["readyState", "writable"]);
        setTimeout(() => c.end("late reply"), 10);
      });
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["readyState", "writable", "readable"] });
    c.end("request");
    await once(c, "close");
    await closeServer(srv);
  });

  diff("allowHalfOpen on the client: it writes after the server's end", async (net, ctx) => {
    const got: Buffer[] = [];
    const srv = net.createServer({ allowHalfOpen: true }, (c) => {
      ctx.watch("server", c, { events: ["end", "finish", "close"] });
      c.on("data", (d) => got.push(d));
      c.end("bye");
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect({ port, host: "127.0.0.1", allowHalfOpen: true } as never), { snap: ["readyState", "writable"] });
    await once(c, "end");
    await delay(10);
    ctx.value("client", "write after peer end", () => c.write("still here"));
    c.end();
    await once(c, "close");
    ctx.log("server", "got", Buffer.concat(got).toString());
    await closeServer(srv);
  });

  diff("without allowHalfOpen the socket ends itself after 'end'", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.watch("server", c, { snap: ["readyState", "writable"] });
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: ["readyState", "writable"] });
    await once(c, "connect");
    c.end();
    await once(c, "close");
    await delay(10);
    await closeServer(srv);
  });

  diff("address() and remote/local properties on both sides", async (net, ctx) => {
    let sc: Socket | undefined;
    const srv = net.createServer((c) => (sc = ctx.track(c)));
    const port = await ctx.listen(srv);
    const c = ctx.track(net.connect(port, "127.0.0.1"));
    await once(c, "connect");
    while (!sc) await delay(2);
    const props = ["localAddress", "localPort", "localFamily", "remoteAddress", "remotePort", "remoteFamily"];
    ctx.snap("client", "connected", c, props);
    ctx.snap("server", "connected", sc, props);
    ctx.addr("client", "connected", c);
    ctx.addr("server", "connected", sc);
    ctx.log("pair", "ports cross", c.localPort === sc.remotePort && c.remotePort === sc.localPort);
    c.destroy();
    await once(sc, "close");
    ctx.addr("server", "closed", sc);
    await closeServer(srv);
  });
});

export type { AddressInfo };
