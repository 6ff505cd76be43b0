/**
 * Socket data path: write/end/destroy/destroySoon/resetAndDestroy, the
 * counters, setEncoding (multibyte characters split across chunks),
 * pause/resume with backpressure, and the stream features (pipe, async
 * iteration, cork/uncork, read()/'readable').
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { Writable } from "node:stream";
import type { Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

/** Server + connected client; resolves with both ends. */
async function pair(net: Net, ctx: Ctx, srvOpts: Record<string, unknown> = {}, clientOpts: Record<string, unknown> = {}) {
  let resolveConn!: (s: Socket) => void;
  const conn = new Promise<Socket>((r) => (resolveConn = r));
  const srv = net.createServer(srvOpts, (c) => resolveConn(ctx.track(c)));
  const port = await ctx.listen(srv);
  const client = ctx.track(net.connect({ port, host: "127.0.0.1", ...clientOpts } as never));
  await once(client, "connect");
  const server = await conn;
  return { srv, port, client, server };
}

async function closeServer(srv: Server): Promise<void> {
  await new Promise<void>((r) => srv.close(() => r()));
}

const H = "127.0.0.1";
const COUNTERS = ["bytesRead", "bytesWritten", "bufferSize", "writableLength"];

describe("writing", () => {
  diff("write() with every data type and encoding; callbacks and counters", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["data", "end"] });
    const cb = (i: number) => (err?: Error | null) => ctx.log("client", `write cb ${i}`, err ?? null);
    ctx.value("client", "write str", () => client.write("héllo €", cb(1)));
    ctx.value("client", "write str utf8", () => client.write("ü", "utf8", cb(2)));
    ctx.value("client", "write buffer", () => client.write(Buffer.from([0, 1, 2, 255]), cb(3)));
    ctx.value("client", "write Uint8Array", () => client.write(new Uint8Array([9, 8, 7]), cb(4)));
    ctx.value("client", "write base64", () => client.write("aGk=", "base64", cb(5)));
    ctx.value("client", "write hex", () => client.write("6869", "hex", cb(6)));
    ctx.value("client", "write latin1", () => client.write("é", "latin1", cb(7)));
    ctx.value("client", "write ascii", () => client.write("abc", "ascii", cb(8)));
    ctx.value("client", "write utf16le", () => client.write("hi", "utf16le", cb(9)));
    ctx.value("client", "write empty string", () => client.write("", cb(10)));
    ctx.value("client", "write empty buffer", () => client.write(Buffer.alloc(0), cb(11)));
    ctx.snap("client", "after writes", client, COUNTERS);
    client.end(() => ctx.log("client", "end cb"));
    await once(server, "end");
    await once(client, "close");
    ctx.snap("client", "after close", client, COUNTERS);
    ctx.snap("server", "after end", server, COUNTERS);
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("write cb 11"));

  diff("end(data, encoding, cb) and 'finish'", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["data", "end"] });
    ctx.watch("client", client, { events: ["finish", "end", "close"], snap: ["readyState", "writable", "writableEnded", "writableFinished"] });
    ctx.value("client", "end returns this", () => client.end("6869", "hex", () => ctx.log("client", "end cb")) === client);
    ctx.snap("client", "sync", client, ["readyState", "writable", "writableEnded", "writableFinished"]);
    await once(server, "end");
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("write after end: ERR_STREAM_WRITE_AFTER_END via callback and 'error'", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    ctx.watch("client", client, { snap: ["destroyed"] });
    client.end();
    ctx.value("client", "write", () => client.write("late", (e) => ctx.log("client", "write cb", e ?? null)));
    await once(client, "close");
    await closeServer(srv);
  });

  diff("end() twice and end() after destroy", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    ctx.watch("client", client);
    client.end(() => ctx.log("client", "end cb 1"));
    ctx.value("client", "end again", () => client.end(() => ctx.log("client", "end cb 2")) === client);
    await once(client, "close");
    ctx.value("client", "end after close", () => client.end((e?: Error) => ctx.log("client", "end cb 3", e ?? null)) === client);
    await delay(5);
    await closeServer(srv);
  });

  diff("write after destroy: ERR_STREAM_DESTROYED", async (net, ctx) => {
    const { srv, client } = await pair(net, ctx);
    ctx.watch("client", client);
    client.destroy();
    ctx.value("client", "write", () => client.write("x", (e) => ctx.log("client", "write cb", e ?? null)));
    await once(client, "close");
    await delay(5);
    await closeServer(srv);
  });

  diff("write on a never-connected socket", async (net, ctx) => {
    const s = ctx.watch("client", new net.Socket());
    ctx.value("client", "write", () => s.write("x", (e) => ctx.log("client", "write cb", e ?? null)));
    await delay(30);
    s.destroy();
    await delay(5);
  });

  diff("backpressure: write() returns false, bufferSize grows, one 'drain'", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx, { pauseOnConnect: true });
    ctx.watch("client", client, { events: ["drain", "close"] });
    const chunk = Buffer.alloc(64 * 1024, 7);
    let writes = 0;
    let ok = true;
    while (ok && writes < 1024) {
      ok = client.write(chunk);
      writes++;
    }
    ctx.log("client", "write eventually returned false", !ok);
    ctx.log("client", "bufferSize > 0 under backpressure", client.bufferSize > 0);
    ctx.log("client", "writableNeedDrain", client.writableNeedDrain);
    const total = writes * chunk.length;
    let got = 0;
    server.on("data", (d) => (got += d.length));
    const drained = once(client, "drain");
    server.resume();
    await drained;
    ctx.snap("client", "drained", client, ["bufferSize", "writableLength", "writableNeedDrain"]);
    ctx.log("client", "bytesWritten equals total at drain", client.bytesWritten === total);
    client.end();
    await once(server, "end");
    ctx.log("server", "received everything", got === total, server.bytesRead === total);
    await once(client, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("drain"));
});

describe("destroying", () => {
  diff("destroySoon() flushes pending writes, then destroys", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["data", "end", "close"] });
    ctx.watch("client", client, { snap: ["destroyed", "writable", "readyState"] });
    client.write(Buffer.alloc(200_000, 1));
    client.destroySoon();
    ctx.snap("client", "after destroySoon", client, ["destroyed", "writable", "readyState"]);
    await once(client, "close");
    await once(server, "close");
    await closeServer(srv);
  });

  diff("resetAndDestroy() sends RST: the peer gets ECONNRESET", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { snap: ["destroyed", "readyState"] });
    ctx.watch("client", client, { snap: ["destroyed", "readyState"] });
    server.write("x");
    await once(client, "data");
    ctx.value("client", "resetAndDestroy returns this", () => client.resetAndDestroy() === client);
    ctx.snap("client", "sync", client, ["destroyed", "readyState"]);
    await Promise.all([once(client, "close"), once(server, "close")]);
    await closeServer(srv);
  }, (t) => expect(JSON.stringify(t.server)).toContain("ECONNRESET"));

  diff("resetAndDestroy() on a socket that never connected", async (net, ctx) => {
    const s = ctx.watch("client", new net.Socket(), { snap: ["destroyed"] });
    ctx.value("client", "resetAndDestroy", () => s.resetAndDestroy() === s);
    await once(s, "close");
  });

  diff("destroy() while data is in flight, both sides", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["end", "error", "close"] });
    ctx.watch("client", client, { events: ["end", "error", "close"] });
    server.resume();
    client.write(Buffer.alloc(100_000, 3));
    client.destroy();
    ctx.value("client", "destroyed", () => client.destroyed);
    await once(server, "close");
    await closeServer(srv);
  });
});

/** The peer sends `bytes` one byte at a time so multi-byte units arrive split. */
async function splitDelivery(net: Net, ctx: Ctx, bytes: Buffer, encoding: BufferEncoding | undefined): Promise<void> {
  const { srv, client, server } = await pair(net, ctx, {}, { noDelay: true });
  server.setNoDelay(true);
  if (encoding !== undefined) ctx.value("client", "setEncoding returns this", () => client.setEncoding(encoding) === client);
  ctx.log("client", "readableEncoding", client.readableEncoding);
  ctx.watch("client", client, { events: ["data", "end"] });
  for (let i = 0; i < bytes.length; i++) {
    server.write(bytes.subarray(i, i + 1));
    await delay(1);
  }
  server.end();
  await once(client, "end");
  client.end();
  await once(client, "close");
  await closeServer(srv);
}

const MULTI = Buffer.from("a é € 😀 中文 ü\u0000z", "utf8");

describe("setEncoding", () => {
  for (const enc of ["utf8", "utf-8", "hex", "base64", "latin1", "ascii", "utf16le", "binary", "base64url", "ucs2"] as BufferEncoding[]) {
    diff(`setEncoding('${enc}') with units split across chunks`, (net, ctx) => splitDelivery(net, ctx, MULTI, enc), (t) => expect(JSON.stringify(t.client)).toContain("string"));
  }

  diff("setEncoding(utf8) with a truncated character at end", (net, ctx) => splitDelivery(net, ctx, Buffer.from([0x61, 0xe2, 0x82]), "utf8"));
  diff("no encoding: Buffers", (net, ctx) => splitDelivery(net, ctx, MULTI, undefined));

  diff("setEncoding on the server side, mid-stream", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["data", "end"] });
    client.write(Buffer.from("€", "utf8").subarray(0, 1));
    await once(server, "data");
    server.setEncoding("utf8");
    client.end(Buffer.from("€€", "utf8").subarray(1));
    await once(server, "end");
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });
});

describe("pause / resume", () => {
  diff("pause() stops 'data'; resume() delivers everything in order", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    ctx.log("client", "pause returns this", client.pause() === client);
    ctx.value("client", "isPaused", () => client.isPaused());
    ctx.value("client", "readableFlowing", () => client.readableFlowing);
    let serverBlocked = false;
    let i = 0;
    const step = 256 * 1024;
    while (i < payload.length) {
      const ok = server.write(payload.subarray(i, i + step));
      i += step;
      if (!ok) serverBlocked = true;
    }
    server.end();
    await delay(50);
    ctx.log("server", "writer saw backpressure while the reader paused", serverBlocked);
    ctx.log("client", "no data while paused", client.bytesRead <= payload.length);
    ctx.watch("client", client, { events: ["data", "end"] });
    ctx.log("client", "resume returns this", client.resume() === client);
    ctx.value("client", "isPaused", () => client.isPaused());
    await once(client, "end");
    ctx.log("client", "bytesRead", client.bytesRead);
    client.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("pause/resume toggled repeatedly while data flows", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("client", client, { events: ["data", "end"] });
    const ended = once(client, "end", 15000);
    const closed = once(client, "close", 15000);
    const iv = setInterval(() => (client.isPaused() ? client.resume() : client.pause()), 3);
    const chunk = Buffer.alloc(32 * 1024);
    for (let k = 0; k < 64; k++) {
      chunk.fill(k);
      if (!server.write(chunk)) await once(server, "drain");
    }
    server.end();
    await delay(20);
    clearInterval(iv);
    client.resume();
    await ended;
    client.end();
    await closed;
    await closeServer(srv);
  });
});

describe("backpressure reaches the writer", () => {
  diff("a paused reader holds little; the writer keeps the rest", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    client.pause();
    const total = 64 << 20;
    const chunk = Buffer.alloc(1 << 20, 1);
    for (let i = 0; i < 64; i++) server.write(chunk);
    await delay(300);
    ctx.log("reader", "readableLength < 1 MiB", client.readableLength < 1 << 20);
    ctx.log("reader", "bytesRead < 16 MiB (the rest waits in the writer)", client.bytesRead < 16 << 20);
    ctx.log("writer", "bufferSize > 48 MiB", server.bufferSize > 48 << 20);
    let got = 0;
    client.on("data", (d) => (got += d.length));
    client.resume();
    server.end();
    await once(client, "end", 20_000);
    ctx.log("reader", "got everything", got === total);
    client.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("allowHalfOpen false: a large reply is flushed before the automatic FIN", async (net, ctx) => {
    const reply = Buffer.alloc(4 << 20);
    for (let i = 0; i < reply.length; i += 1024) reply[i] = (i >> 10) & 0xff;
    const srv = net.createServer((c) => {
      ctx.watch("server", c, { events: ["end", "finish", "close"] });
      c.once("data", () => c.write(reply));
      c.resume();
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, H), { events: ["data", "end", "close"] });
    c.end("request");
    await once(c, "close", 20_000);
    await delay(10);
    await closeServer(srv);
  });
});

describe("counters while writes are pending", () => {
  diff("bytesWritten counts queued bytes; bufferSize + flushed = written", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx, { pauseOnConnect: true });
    const chunk = Buffer.alloc(1 << 20, 5);
    for (let i = 0; i < 8; i++) client.write(chunk);
    client.write("€uro");
    await delay(50);
    ctx.log("client", "bytesWritten", client.bytesWritten);
    ctx.log("client", "bufferSize > 0", client.bufferSize > 0);
    ctx.log("client", "writableLength > 0", client.writableLength > 0);
    server.resume();
    client.end();
    await once(server, "end");
    ctx.log("server", "bytesRead", server.bytesRead);
    ctx.log("client", "bytesWritten at end", client.bytesWritten);
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("bytesRead counts what was read from the kernel while paused", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.write(Buffer.alloc(1000, 1));
    await once(client, "readable");
    ctx.log("client", "bytesRead before consuming", client.bytesRead);
    ctx.log("client", "readableLength", client.readableLength);
    const d = client.read();
    ctx.log("client", "read length", d?.length ?? null);
    client.end();
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("the idle timeout fires while paused even if data waits in the kernel", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    client.pause();
    server.write(Buffer.alloc(1 << 20, 2));
    await delay(20);
    ctx.watch("client", client, { events: ["timeout"] });
    client.setTimeout(60);
    await once(client, "timeout");
    ctx.log("client", "bytesRead < 1 MiB", client.bytesRead < 1 << 20);
    client.destroy();
    await closeServer(srv);
  });
});

describe("stream features", () => {
  diff("pipe() into a Writable, and 'finish'", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    const parts: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _e, cb) {
        parts.push(chunk);
        cb();
      },
    });
    sink.on("finish", () => ctx.log("sink", "finish"));
    ctx.log("client", "pipe returns dest", client.pipe(sink) === sink);
    server.end("piped data");
    await once(sink, "finish");
    ctx.log("sink", "got", Buffer.concat(parts).toString());
    await once(client, "close");
    await closeServer(srv);
  });

  diff("async iteration over a socket", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.write("one,");
    setTimeout(() => server.end("two"), 5);
    const parts: string[] = [];
    client.setEncoding("utf8");
    for await (const chunk of client) parts.push(chunk as string);
    ctx.log("client", "iterated", parts.join(""));
    ctx.value("client", "destroyed", () => client.destroyed);
    await delay(5);
    await closeServer(srv);
  });

  diff("cork()/uncork() and writev", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("server", server, { events: ["data", "end"] });
    client.cork();
    client.write("a", () => ctx.log("client", "cb a"));
    client.write("b", () => ctx.log("client", "cb b"));
    ctx.snap("client", "corked", client, ["writableCorked", "writableLength", "bytesWritten"]);
    client.uncork();
    client.end("c");
    await once(server, "end");
    ctx.snap("client", "done", client, ["bytesWritten"]);
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("read() and 'readable' in paused mode", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    const parts: Buffer[] = [];
    client.on("readable", () => {
      let d: Buffer | null;
      while ((d = client.read()) !== null) parts.push(d);
    });
    ctx.value("client", "readableFlowing", () => client.readableFlowing);
    server.end("readable data");
    await once(client, "end");
    ctx.log("client", "read", Buffer.concat(parts).toString());
    client.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("counters after a two-way exchange", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    server.on("data", (d) => server.write(Buffer.concat([d, d])));
    server.on("end", () => server.end());
    client.resume();
    for (let k = 1; k <= 5; k++) client.write("x".repeat(k * 1000));
    client.end("€");
    await once(client, "close");
    ctx.snap("client", "closed", client, ["bytesRead", "bytesWritten"]);
    ctx.snap("server", "closed", server, ["bytesRead", "bytesWritten"]);
    await closeServer(srv);
  });
});

describe("pending writes and volume", () => {
  diff("destroy() with writes still queued: their callbacks get the error", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx, { pauseOnConnect: true });
    ctx.watch("client", client, { events: ["drain", "finish", "error", "close"] });
    const big = Buffer.alloc(1 << 20, 9);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 16; i++) client.write(big, (e) => outcomes.push(e ? ctx.err(e) : null));
    ctx.log("client", "bufferSize > 0", client.bufferSize > 0);
    client.destroy();
    await once(client, "close");
    await delay(10);
    // how many were flushed before the destroy depends on the kernel: compare the rest
    ctx.log("client", "write callbacks called", outcomes.length);
    ctx.log("client", "errors", [...new Set(outcomes.filter(Boolean).map((o) => JSON.stringify(o)))]);
    server.destroy();
    await closeServer(srv);
  });

  diff("destroy(err) with writes queued", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx, { pauseOnConnect: true });
    ctx.watch("client", client, { events: ["finish", "error", "close"] });
    const big = Buffer.alloc(1 << 20, 9);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 8; i++) client.write(big, (e) => outcomes.push(e ? ctx.err(e) : null));
    client.end((e?: Error) => ctx.log("client", "end cb", e ?? null));
    client.destroy(new Error("stop"));
    await once(client, "close");
    await delay(10);
    ctx.log("client", "write callbacks called", outcomes.length);
    ctx.log("client", "errors", [...new Set(outcomes.filter(Boolean).map((o) => JSON.stringify(o)))]);
    server.destroy();
    await closeServer(srv);
  });

  diff("one 32 MiB write: false, one 'drain', all bytes arrive", async (net, ctx) => {
    const { srv, client, server } = await pair(net, ctx);
    ctx.watch("client", client, { events: ["drain", "finish", "close"] });
    ctx.watch("server", server, { events: ["data", "end"] });
    const big = Buffer.alloc(32 << 20);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i >> 12) & 0xff;
    ctx.value("client", "write", () => client.write(big, () => ctx.log("client", "write cb")));
    ctx.log("client", "bufferSize right after", client.bufferSize);
    client.end();
    await once(server, "end");
    server.end();
    await once(client, "close");
    await closeServer(srv);
  });

  diff("200 concurrent clients, 1 KiB echoed each", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.track(c);
      c.pipe(c);
    });
    const port = await ctx.listen(srv);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const c = ctx.track(net.connect(port, H));
        const payload = Buffer.alloc(1024, i & 0xff);
        const parts: Buffer[] = [];
        c.on("data", (d) => parts.push(d));
        c.end(payload);
        return once(c, "close", 15000).then(() => Buffer.concat(parts).equals(payload));
      }),
    );
    ctx.log("clients", "all echoed", results.every(Boolean), results.length);
    await new Promise<void>((r) => srv.getConnections((e, n) => (ctx.log("server", "getConnections", e, n), r())));
    await closeServer(srv);
  }, undefined, 20_000);

  diff("maxConnections over IPC", async (net, ctx) => {
    const path = ctx.tmpPath("max.sock");
    const srv = ctx.watchServer("server", net.createServer((c) => ctx.track(c).write("hi")));
    srv.maxConnections = 1;
    srv.listen(path);
    await once(srv, "listening");
    const a = ctx.watch("a", net.connect(path));
    await once(a, "data");
    const b = ctx.watch("b", net.connect(path), { events: ["connect", "data", "end", "close"] });
    await once(b, "close");
    a.destroy();
    await closeServer(srv);
  });
});
