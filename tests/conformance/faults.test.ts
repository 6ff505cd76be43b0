/**
 * Faults: peer RST mid-transfer, peer process killed, ECONNREFUSED,
 * EADDRINUSE, connect timeout against a full accept queue, and half-open in
 * both directions. The peer is always node:net (in process, or in a child
 * process from peer.mjs), so only the side under test changes between runs.
 * Everything stays on 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import * as nodeNet from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, names, once, type Ctx } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const PEER = fileURLToPath(new URL("./peer.mjs", import.meta.url));
const H = "127.0.0.1";

/** Start peer.mjs in `mode`; it is killed at cleanup. */
async function spawnPeer(ctx: Ctx, mode: string): Promise<{ port: number; child: ChildProcess; accepted: (n: number) => Promise<void> }> {
  const child = spawn(process.execPath, [PEER, mode], { stdio: ["ignore", "pipe", "inherit"] });
  ctx.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  });
  const lines: Record<string, number>[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) lines.push(JSON.parse(buf.slice(0, i)));
  });
  while (lines.length === 0) await delay(2);
  const port = lines[0].port;
  ctx.namePort(port, "peer");
  /** Resolve once the peer has accepted n connections (hold mode). */
  const accepted = async (n: number) => {
    for (let i = 0; i < 2500 && !lines.some((l) => l.accepted === n); i++) await delay(2);
  };
  return { port, child, accepted };
}

/** Connect node:net sockets until one hangs: the peer's accept queue is then full. */
async function fillAcceptQueue(ctx: Ctx, port: number): Promise<void> {
  for (let i = 0; i < 16; i++) {
    const f = ctx.track(nodeNet.connect(port, H));
    const r = await Promise.race([once(f, "connect").then(() => "connected"), delay(150).then(() => "hung")]);
    if (r === "hung") return;
  }
  throw new Error("could not fill the accept queue");
}

/**
 * A write pump that stops at backpressure. Bounded: a socket whose write()
 * never returns false would otherwise spin forever and hang the worker; it
 * stops after 64 MiB instead (and the trace then differs).
 */
function writer(c: Socket, fill: number): () => void {
  const chunk = Buffer.alloc(64 * 1024, fill);
  let total = 0;
  const pump = () => {
    let n = 0;
    while (!c.destroyed && total < 64 << 20 && n++ < 64) {
      total += chunk.length;
      if (!c.write(chunk)) return;
    }
    if (!c.destroyed && total < 64 << 20) setImmediate(pump);
  };
  return pump;
}

/** RST vs FIN races give either code for the same fault; keep the class only. */
function resetish(e: NodeJS.ErrnoException): string {
  return e.code === "ECONNRESET" || e.code === "EPIPE" ? "ECONNRESET|EPIPE" : `unexpected ${e.code} ${e.syscall}`;
}

function watchFault(ctx: Ctx, actor: string, s: Socket): void {
  ctx.track(s);
  for (const ev of ["connect", "end", "finish", "close"]) s.on(ev, (...a: unknown[]) => ctx.log(actor, ev, ...a));
  s.on("error", (e: NodeJS.ErrnoException) => {
    ctx.log(actor, "error", resetish(e), { hasErrno: typeof e.errno === "number", hasSyscall: typeof e.syscall === "string" });
    ctx.snap(actor, "error", s, ["destroyed", "readyState"]);
  });
}

describe("faults", () => {
  diff("peer RST while we are writing", async (net, ctx) => {
    let got = 0;
    const peer = nodeNet.createServer((c) => {
      c.on("error", () => {});
      c.on("data", (d) => {
        got += d.length;
        if (got > 1 << 20 && !c.destroyed) c.resetAndDestroy();
      });
    });
    const port = await ctx.listen(peer, "peer");
    const c = net.connect(port, H);
    watchFault(ctx, "client", c);
    await once(c, "connect");
    const pump = writer(c, 1);
    c.on("drain", pump);
    pump();
    await once(c, "close");
    ctx.snap("client", "closed", c, ["destroyed", "readyState", "writable"]);
    peer.close();
  }, (t) => expect(JSON.stringify(t.client)).toContain("ECONNRESET|EPIPE"));

  diff("peer RST while we are reading", async (net, ctx) => {
    const peer = nodeNet.createServer((c) => {
      c.on("error", () => {});
      c.write(Buffer.alloc(256 * 1024, 2));
      setTimeout(() => c.resetAndDestroy(), 20);
    });
    const port = await ctx.listen(peer, "peer");
    const c = net.connect(port, H);
    watchFault(ctx, "client", c);
    c.pause(); // leave bytes unread in the kernel so the RST discards them
    const closed = once(c, "close", 5000);
    await delay(80);
    c.resume(); // a paused socket does not read, so it only sees the RST now
    await closed;
    peer.close();
  });

  diff("peer process killed while idle: FIN, 'end', 'close'(false)", async (net, ctx) => {
    const { port, child, accepted } = await spawnPeer(ctx, "hold");
    const c = net.connect(port, H);
    watchFault(ctx, "client", c);
    c.resume();
    await once(c, "connect");
    // killed before accept(), the kernel would answer RST instead of FIN
    await accepted(1);
    child.kill("SIGKILL");
    await once(c, "close");
    ctx.snap("client", "closed", c, ["destroyed", "readyState", "bytesRead"]);
  }, (t) => expect(names(t, "client")).toContain("end"));

  diff("peer process killed while streaming to us", async (net, ctx) => {
    const { port, child } = await spawnPeer(ctx, "send");
    const c = net.connect(port, H);
    watchFault(ctx, "client", c);
    let bytes = 0;
    c.on("data", (d) => (bytes += d.length));
    await once(c, "connect");
    while (bytes < 1 << 20) await delay(2);
    child.kill("SIGKILL");
    await once(c, "close");
    ctx.log("client", "received some", bytes > 0);
  });

  diff("peer process killed while we write: the write fails", async (net, ctx) => {
    const { port, child, accepted } = await spawnPeer(ctx, "hold");
    const c = net.connect(port, H);
    watchFault(ctx, "client", c);
    await once(c, "connect");
    await accepted(1);
    const pump = writer(c, 3);
    c.on("drain", pump);
    pump();
    child.kill("SIGKILL");
    await once(c, "close", 5000);
  }, (t) => expect(JSON.stringify(t.client)).toContain("ECONNRESET|EPIPE"));

  diff("ECONNREFUSED: every field, with and without localAddress", async (net, ctx) => {
    const probe = nodeNet.createServer();
    const port = await ctx.listen(probe, "freed");
    await new Promise((r) => probe.close(r));
    const a = ctx.watch("plain", net.connect(port, H), { snap: ["readyState", "destroyed", "connecting", "pending"] });
    await once(a, "close");
    const b = ctx.watch("local", net.connect({ port, host: H, localAddress: H }), { snap: ["readyState", "destroyed"] });
    await once(b, "close");
    const c6 = ctx.watch("v6", net.connect(port, "::1"));
    await once(c6, "close");
  }, (t) => expect(JSON.stringify(t.plain)).toContain("connect ECONNREFUSED 127.0.0.1:freed"));

  diff("EADDRINUSE: every field, for host:port and for an exclusive listen", async (net, ctx) => {
    const holder = nodeNet.createServer();
    const port = await ctx.listen(holder, "taken");
    for (const [i, args] of [[1, [port, H]], [2, [{ port, host: H, exclusive: true }]], [3, [{ port, host: H, backlog: 4 }]]] as const) {
      const s = ctx.watchServer(`s${i}`, net.createServer());
      (s.listen as (...a: unknown[]) => unknown)(...args);
      await Promise.race([once(s, "listening"), once(s, "error")]);
      ctx.value(`s${i}`, "listening", () => s.listening);
      ctx.addr(`s${i}`, "after", s);
    }
    holder.close();
  }, (t) => expect(JSON.stringify(t.s1)).toContain("EADDRINUSE"));

  diff("connect timeout against a full accept queue", async (net, ctx) => {
    const { port } = await spawnPeer(ctx, "blocked");
    await fillAcceptQueue(ctx, port);
    const c = ctx.watch("client", net.connect({ port, host: H, timeout: 150 }), { snap: ["connecting", "readyState", "pending", "destroyed"] });
    await once(c, "timeout");
    c.destroy();
    await once(c, "close");
  }, (t) => expect(names(t, "client")).toEqual(["connectionAttempt", "@connectionAttempt", "timeout", "@timeout", "close", "@close"]));

  diff("connect timeout via setTimeout() before connect", async (net, ctx) => {
    const { port } = await spawnPeer(ctx, "blocked");
    await fillAcceptQueue(ctx, port);
    const c = ctx.watch("client", new net.Socket(), { snap: ["connecting", "readyState"] });
    c.setTimeout(100);
    c.connect(port, H);
    await once(c, "timeout");
    ctx.log("client", "still connecting", c.connecting);
    c.destroy(new Error("gave up"));
    await once(c, "close");
  });

  diff("half-open: the peer ends first and we keep writing 1 MiB", async (net, ctx) => {
    const h = createHash("sha256");
    let n = 0;
    const peer = nodeNet.createServer({ allowHalfOpen: true }, (c) => {
      c.on("data", (d) => (h.update(d), (n += d.length)));
      c.on("end", () => ctx.log("peer", "got", n, h.digest("hex").slice(0, 16)));
      c.end("peer is done");
    });
    const port = await ctx.listen(peer, "peer");
    const c = ctx.watch("client", net.connect({ port, host: H, allowHalfOpen: true } as never), { events: ["data", "end", "finish", "close"], snap: ["readyState", "writable", "readable"] });
    await once(c, "end");
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    for (let off = 0; off < payload.length; off += 100_000) {
      if (!c.write(payload.subarray(off, off + 100_000))) await once(c, "drain");
    }
    c.end();
    await once(c, "close");
    await delay(10);
    peer.close();
  }, (t) => expect(names(t, "peer")).toContain("got"));

  diff("half-open: we end first and the peer keeps sending 1 MiB", async (net, ctx) => {
    const peer = nodeNet.createServer({ allowHalfOpen: true }, (c) => {
      c.resume();
      c.on("end", async () => {
        for (let off = 0; off < 1 << 20; off += 100_000) {
          const b = Buffer.alloc(Math.min(100_000, (1 << 20) - off), off & 0xff);
          if (!c.write(b)) await once(c, "drain");
        }
        c.end();
      });
    });
    const port = await ctx.listen(peer, "peer");
    const c = ctx.watch("client", net.connect({ port, host: H, allowHalfOpen: true } as never), { events: ["data", "end", "finish", "close"], snap: ["readyState", "writable", "readable"] });
    c.end("we are done");
    await once(c, "close");
    peer.close();
  }, (t) => expect(names(t, "client")).toContain("data"));
});
