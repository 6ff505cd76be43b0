/**
 * The `onread` option (Node 12+): reads go into the script's buffer and to its
 * callback, never to 'data'. Each scenario runs on node:net and on wasock/node
 * and must leave the same trace. Read sizes are logged only where Node's are
 * fixed by the buffer (a payload that arrives in one segment); large transfers
 * log totals and hashes, since the kernel decides how much each read gets.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Server, Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, wasockNet, type Ctx, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const H = "127.0.0.1";
const EVENTS = ["connect", "data", "end", "finish", "error", "close", "pause", "resume"];
const closeServer = (srv: Server) => new Promise<void>((r) => srv.close(() => r()));

/** A server that sends `payload` to each connection and ends. */
async function sender(net: Net, ctx: Ctx, payload: Buffer | string): Promise<{ srv: Server; port: number }> {
  const srv = net.createServer((c) => {
    ctx.track(c).on("error", () => {});
    c.end(payload);
  });
  return { srv, port: await ctx.listen(srv) };
}

function onreadClient(net: Net, port: number, onread: unknown, extra: Record<string, unknown> = {}): Socket {
  return net.connect({ port, host: H, onread, ...extra } as never);
}

/** 1 MiB that no shift or repeat of a chunk reproduces */
function pattern(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8) * 13) & 0xff;
  return b;
}

describe("onread", () => {
  diff("reads of at most the buffer's size, into that buffer, and no 'data'", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "onread payload");
    const buf = Buffer.alloc(4);
    const got: string[] = [];
    const c = onreadClient(net, port, {
      buffer: buf,
      callback: (n: number, b: Buffer) => {
        got.push(b.toString("utf8", 0, n));
        ctx.log("client", "onread", n, b === buf, c.isPaused());
      },
    });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    ctx.log("client", "joined", got.join(""), c.bytesRead);
    await closeServer(srv);
  }, (t) => expect(names(t, "client").filter((n) => n === "onread")).toHaveLength(4));

  diff("a callback that returns false stops reading until resume(); 'end' waits too", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "0123456789");
    const buf = Buffer.alloc(4);
    let calls = 0;
    const c = onreadClient(net, port, {
      buffer: buf,
      callback: (n: number, b: Buffer) => {
        ctx.log("client", "onread", n, b.toString("utf8", 0, n));
        return ++calls !== 1;
      },
    });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "connect");
    await delay(60);
    ctx.log("client", "stopped", calls, c.isPaused(), c.readableEnded);
    c.resume();
    ctx.log("client", "resumed", calls);
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("stopped"));

  diff("a buffer function: called when the connect starts, then after every read", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "abcdefghijkl");
    let gens = 0;
    let last: Buffer | null = null;
    const c = onreadClient(net, port, {
      buffer: () => {
        gens++;
        last = Buffer.alloc(5);
        return last;
      },
      callback: (n: number, b: Buffer) => {
        ctx.log("client", "onread", n, b === last, gens, b.toString("utf8", 0, n));
      },
    });
    ctx.log("client", "after connect()", gens);
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    ctx.log("client", "buffers", gens);
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("onread"));

  diff("pause() before the connection: no reads until resume()", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "paused bytes");
    const c = onreadClient(net, port, {
      buffer: Buffer.alloc(64),
      callback: (n: number, b: Buffer) => ctx.log("client", "onread", n, b.toString("utf8", 0, n)),
    });
    c.pause();
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "connect");
    await delay(60);
    ctx.log("client", "still paused", c.isPaused());
    c.resume();
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("onread"));

  diff("pause() inside the callback stops after that read; resume() continues", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "0123456789");
    let calls = 0;
    const c = onreadClient(net, port, {
      buffer: Buffer.alloc(3),
      callback: (n: number, b: Buffer) => {
        ctx.log("client", "onread", n, b.toString("utf8", 0, n));
        if (++calls === 2) {
          c.pause();
          setTimeout(() => {
            ctx.log("client", "resume", calls);
            c.resume();
          }, 40);
        }
      },
    });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("resume"));

  diff("destroy() inside the callback: no read after it", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "0123456789");
    const c = onreadClient(net, port, {
      buffer: Buffer.alloc(2),
      callback: (n: number) => {
        ctx.log("client", "onread", n);
        c.destroy();
      },
    });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client").filter((n) => n === "onread")).toHaveLength(1));

  diff("1 MiB into a 1000-byte buffer, stopping every 50 reads: every byte, in order", async (net, ctx) => {
    const payload = pattern(1 << 20);
    const { srv, port } = await sender(net, ctx, payload);
    const hash = createHash("sha256");
    let total = 0;
    let reads = 0;
    let oversize = 0;
    const c = onreadClient(net, port, {
      buffer: Buffer.alloc(1000),
      callback: (n: number, b: Buffer) => {
        if (n > 1000) oversize++;
        hash.update(b.subarray(0, n));
        total += n;
        if (++reads % 50 !== 0) return true;
        setImmediate(() => c.resume());
        return false;
      },
    });
    ctx.watch("client", c, { events: ["end", "error", "close"] });
    await once(c, "close");
    ctx.log("client", "received", total, oversize, hash.digest("hex") === createHash("sha256").update(payload).digest("hex"));
    await closeServer(srv);
  }, (t) => expect(t.client).toContainEqual(["received", 1 << 20, 0, true]), 20_000);

  diff("an onread that is not { buffer, callback } is ignored, as Node does: 'data' as usual", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "plain data");
    for (const onread of [{ buffer: "x", callback: () => {} }, { buffer: Buffer.alloc(4) }, 5]) {
      const c = onreadClient(net, port, onread);
      ctx.watch("client", c, { events: EVENTS });
      await once(c, "close");
    }
    await closeServer(srv);
  }, (t) => expect(names(t, "client").filter((n) => n === "data")).toHaveLength(3));

  diff("a buffer function that later returns no Uint8Array: the previous buffer is used again", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "abcdefghij");
    let gens = 0;
    const first = Buffer.alloc(3);
    const c = onreadClient(net, port, {
      buffer: () => (++gens === 1 ? first : null),
      callback: (n: number, b: Buffer) => ctx.log("client", "onread", n, b === first, b.toString("utf8", 0, n)),
    });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    ctx.log("client", "buffers", gens);
    await closeServer(srv);
  }, (t) => expect(names(t, "client").filter((n) => n === "onread")).toHaveLength(4));

  it("a buffer function whose first answer is no Uint8Array: ERR_INVALID_RETURN_VALUE, not lost bytes (Node passes `true`)", async () => {
    const net = await wasockNet();
    const srv = net.createServer((c) => {
      c.on("error", () => {});
      c.end("lost?");
    });
    await new Promise<void>((r) => srv.listen(0, H, r));
    const calls: number[] = [];
    const c = net.connect({ port: (srv.address() as { port: number }).port, host: H,
      onread: { buffer: () => 5, callback: (n: number) => calls.push(n) } } as never);
    const [err] = (await once(c, "error")) as [Error & { code: string }];
    expect(err.code).toBe("ERR_INVALID_RETURN_VALUE");
    expect(err.message).toBe('Expected Uint8Array to be returned from the "onread.buffer" function but got instance of Number.');
    expect(calls).toEqual([]);
    await once(c, "close");
    await closeServer(srv);
  });

  diff("an empty buffer: the read fails with ENOBUFS", async (net, ctx) => {
    const { srv, port } = await sender(net, ctx, "no room");
    const c = onreadClient(net, port, { buffer: Buffer.alloc(0), callback: () => ctx.log("client", "onread") });
    ctx.watch("client", c, { events: EVENTS });
    await once(c, "close");
    await closeServer(srv);
  }, (t) => expect(names(t, "client")).toContain("error"));
});
