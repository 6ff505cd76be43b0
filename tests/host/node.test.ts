/**
 * wasock/node on loopback: the parts the differential suite
 * (tests/conformance) does not reach: backpressure down to the kernel,
 * Unix sockets, policy and quota errors, and the core table after each test.
 */
import * as nodeNet from "node:net";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import net, { createNet } from "../../ts-api/node.ts";
import { delay, expectNoLeaks, once, sha256, statsOf, tmpDir } from "./helpers.ts";

type Sock = InstanceType<typeof net.Socket>;
type Srv = InstanceType<typeof net.Server>;

const tmp = tmpDir();
afterAll(() => tmp.cleanup());

const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) f();
  const s = await expectNoLeaks(net);
  expect(s).toMatchObject({ liveHandles: 0, sockets: 0, servers: 0, bufferedBytes: 0 });
});

function track<T extends Sock | Srv | nodeNet.Socket | nodeNet.Server>(x: T): T {
  cleanups.push(() => ("destroy" in x ? x.destroy() : x.close()));
  return x;
}

async function listen(srv: Srv, ...args: unknown[]): Promise<number> {
  (srv.listen as (...a: unknown[]) => unknown)(...args);
  await once(srv, "listening");
  const a = srv.address();
  return typeof a === "object" && a !== null ? a.port : 0;
}

describe("echo", () => {
  it("events in Node's order and the bytes back, with encodings split across chunks", async () => {
    const srv = track(net.createServer((s) => {
      s.on("data", (d) => s.write(d));
      s.on("end", () => s.end());
    }));
    const port = await listen(srv, 0, "127.0.0.1");
    const c = track(net.connect(port, "127.0.0.1"));
    const seen: string[] = [];
    for (const ev of ["connect", "ready", "end", "finish", "close"]) c.on(ev, () => seen.push(ev));
    c.setEncoding("utf8");
    let text = "";
    c.on("data", (d: string) => (text += d));
    const euro = Buffer.from("€");
    c.write(euro.subarray(0, 1));
    await delay(5);
    c.write(euro.subarray(1));
    c.end("!");
    await once(c, "close");
    expect(text).toBe("€!");
    expect(seen).toEqual(["connect", "ready", "finish", "end", "close"]);
    expect(c.bytesWritten).toBe(4);
    expect(c.bytesRead).toBe(4);
    srv.close();
  });
});

describe("backpressure", () => {
  it("a paused reader stops the kernel: the sender stalls, then everything arrives in order", async () => {
    const TOTAL = 48 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) & 255;
    let sent = 0;
    const sentChunks: Buffer[] = [];
    const sender = track(nodeNet.createServer((s) => {
      const pump = (): void => {
        while (sent < TOTAL) {
          const b = Buffer.from(chunk);
          b.writeUInt32BE(sent, 0);
          sentChunks.push(b);
          sent += b.length;
          if (!s.write(b)) return;
        }
        s.end();
      };
      s.on("drain", pump);
      s.on("error", () => {});
      pump();
    }));
    await new Promise<void>((r) => sender.listen(0, "127.0.0.1", r));
    const port = (sender.address() as nodeNet.AddressInfo).port;
    const c = track(net.connect(port, "127.0.0.1"));
    c.pause();
    await once(c, "connect");
    await delay(400);
    const stalledAt = sent;
    await delay(200);
    // The sender could not go on: the kernel buffers are full because nobody reads them.
    expect(sent).toBe(stalledAt);
    expect(sent).toBeLessThan(TOTAL / 2);
    // What the client holds above the kernel stays bounded (stream buffer + core buffer).
    expect(c.readableLength).toBeLessThanOrEqual(c.readableHighWaterMark + chunk.length);
    expect(statsOf(net).bufferedBytes).toBeLessThan(4 * 1024 * 1024);
    const got: Buffer[] = [];
    c.on("data", (d: Buffer) => got.push(d));
    // random pauses while reading
    const flip = setInterval(() => {
      if (c.isPaused()) c.resume();
      else c.pause();
    }, 7);
    c.resume();
    await once(c, "end");
    clearInterval(flip);
    expect(got.reduce((n, b) => n + b.length, 0)).toBe(TOTAL);
    expect(sha256(got)).toBe(sha256(sentChunks));
    c.destroy();
    await once(c, "close");
    sender.close();
  });

  it("write() returns false at the highWaterMark and 'drain' follows", async () => {
    const srv = track(net.createServer((s) => {
      s.pause();
      setTimeout(() => s.resume(), 100);
      s.on("end", () => s.end());
    }));
    const port = await listen(srv, 0, "127.0.0.1");
    const c = track(net.connect(port, "127.0.0.1"));
    await once(c, "connect");
    const big = Buffer.alloc(1024 * 1024);
    let writes = 0;
    while (c.write(big)) writes++;
    expect(writes).toBeLessThan(64);
    expect(c.bufferSize).toBeGreaterThan(0);
    expect(c.writableNeedDrain).toBe(true);
    await once(c, "drain");
    c.end();
    await once(c, "close");
    srv.close();
  });
});

describe("Unix sockets", () => {
  it("listen(path), connect(path), echo; close() unlinks the path", async () => {
    const path = join(tmp.dir, "echo.sock");
    const srv = track(net.createServer((s) => s.pipe(s)));
    srv.listen(path);
    await once(srv, "listening");
    expect(srv.address()).toBe(path);
    expect(existsSync(path)).toBe(true);
    const c = track(net.connect(path));
    await once(c, "connect");
    expect(c.remoteAddress).toBe(undefined);
    c.end("ping");
    const got: Buffer[] = [];
    c.on("data", (d: Buffer) => got.push(d));
    await once(c, "close");
    expect(Buffer.concat(got).toString()).toBe("ping");
    await new Promise<void>((r) => srv.close(() => r()));
    expect(existsSync(path)).toBe(false);
  });

  it("a path nobody listens on is ENOENT with Node's fields; a too-long path fails as in node:net", async () => {
    const missing = join(tmp.dir, "nobody.sock");
    const c = track(net.connect(missing));
    const err = await once<NodeJS.ErrnoException & { address?: string }>(c, "error");
    expect(err.code).toBe("ENOENT");
    expect(err.syscall).toBe("connect");
    expect(err.address).toBe(missing);
    const long = join(tmp.dir, "x".repeat(200));
    const theirs = nodeNet.connect(long);
    const their = await once<NodeJS.ErrnoException>(theirs, "error");
    const ours = track(net.connect(long));
    const our = await once<NodeJS.ErrnoException>(ours, "error");
    expect(our.code).toBe(their.code);
    expect(our.message).toBe(their.message);
    await once(ours, "close");
  });
});

describe("policy and quotas", () => {
  it("a denied connect is ERR_ACCESS_DENIED naming the address; an allowed one proceeds", async () => {
    const open = track(nodeNet.createServer((s) => s.end("ok")));
    await new Promise<void>((r) => open.listen(0, "127.0.0.1", r));
    const port = (open.address() as nodeNet.AddressInfo).port;
    const denied = createNet({ allowNet: [`127.0.0.1:${port === 1 ? 2 : 1}`] });
    const c = track(denied.connect(port, "127.0.0.1"));
    const err = await once<Error & { code: string; address: string; port: number }>(c, "error");
    expect(err.code).toBe("ERR_ACCESS_DENIED");
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err).toMatchObject({ address: "127.0.0.1", port });
    await once(c, "close");
    const allowed = createNet({ allowNet: [`127.0.0.1:${port}`] });
    const ok = track(allowed.connect(port, "127.0.0.1"));
    const got: Buffer[] = [];
    ok.on("data", (d: Buffer) => got.push(d));
    await once(ok, "close");
    expect(Buffer.concat(got).toString()).toBe("ok");
    expect((await expectNoLeaks(denied)).liveHandles).toBe(0);
    expect((await expectNoLeaks(allowed)).liveHandles).toBe(0);
    open.close();
  });

  it("the resolved address is checked again: a name that resolves to a denied IP is refused", async () => {
    const n = createNet({ allowNet: true, denyNet: ["127.0.0.1"] });
    const c = track(n.connect({ port: 9, host: "localhost", family: 4 }));
    const seen: string[] = [];
    for (const ev of ["lookup", "connectionAttempt", "connectionAttemptFailed"]) c.on(ev, () => seen.push(ev));
    const err = await once<Error & { code: string; hostname?: string }>(c, "error");
    expect(err.code).toBe("ERR_ACCESS_DENIED");
    expect(err.message).toContain("127.0.0.1");
    expect(err.hostname).toBe("localhost");
    await once(c, "close");
    // nothing was attempted: no 'lookup', and no attempt that failed
    expect(seen).toEqual([]);
    expect((await expectNoLeaks(n)).liveHandles).toBe(0);
  });

  it("a denied listen and a denied Unix path are ERR_ACCESS_DENIED", async () => {
    const n = createNet({ allowNet: ["10.0.0.1:80"] });
    const srv = track(n.createServer());
    srv.listen(0, "127.0.0.1");
    const err = await once<Error & { code: string; syscall: string }>(srv, "error");
    expect(err.code).toBe("ERR_ACCESS_DENIED");
    expect(err.syscall).toBe("listen");
    expect(srv.listening).toBe(false);
    const path = join(tmp.dir, "denied.sock");
    const c = track(n.connect(path));
    const e2 = await once<Error & { code: string }>(c, "error");
    expect(e2.code).toBe("ERR_ACCESS_DENIED");
    expect(e2.message).toContain(path);
    expect(existsSync(path)).toBe(false);
    await once(c, "close");
    expect((await expectNoLeaks(n)).liveHandles).toBe(0);
  });

  it("maxSockets: the socket past the quota fails with ERR_QUOTA_EXCEEDED", async () => {
    const n = createNet({ quotas: { maxSockets: 1 } });
    const srv = track(n.createServer());
    await listen(srv, 0, "127.0.0.1");
    const c = track(n.connect(1, "127.0.0.1"));
    const err = await once<Error & { code: string }>(c, "error");
    expect(err.code).toBe("ERR_QUOTA_EXCEEDED");
    await once(c, "close");
    srv.close();
    expect((await expectNoLeaks(n)).liveHandles).toBe(0);
  });

  it("maxBufferedBytesPerSocket: a paused reader whose core buffer passes it fails with ERR_QUOTA_EXCEEDED", async () => {
    const sender = track(nodeNet.createServer((s) => {
      s.on("error", () => {});
      s.end(Buffer.alloc(1024 * 1024));
    }));
    await new Promise<void>((r) => sender.listen(0, "127.0.0.1", r));
    const port = (sender.address() as nodeNet.AddressInfo).port;
    const n = createNet({ quotas: { maxBufferedBytesPerSocket: 1024 } });
    const c = track(n.connect(port, "127.0.0.1"));
    c.pause();
    const err = await once<Error & { code: string }>(c, "error");
    expect(err.code).toBe("ERR_QUOTA_EXCEEDED");
    await once(c, "close");
    sender.close();
    expect((await expectNoLeaks(n)).liveHandles).toBe(0);
  });
});

describe("ref and unref", () => {
  it("hasRefs follows ref()/unref() of sockets and servers", async () => {
    const { NodeDriver } = await import("../../host/node/driver.ts");
    const { createNetModule } = await import("../../ts-api/net.ts");
    const d = new NodeDriver();
    const n = createNetModule(d);
    const srv = n.createServer();
    await listen(srv, 0, "127.0.0.1");
    expect(d.hasRefs()).toBe(true);
    srv.unref();
    expect(d.hasRefs()).toBe(false);
    const accepted = once<Sock>(srv, "connection");
    const c = n.connect((srv.address() as { port: number }).port, "127.0.0.1");
    await once(c, "connect");
    const peer = await accepted;
    expect(d.hasRefs()).toBe(true);
    c.unref();
    expect(d.hasRefs()).toBe(true); // the accepted socket still holds the loop, as in Node
    peer.unref();
    expect(d.hasRefs()).toBe(false);
    c.ref();
    expect(d.hasRefs()).toBe(true);
    c.destroy();
    srv.close();
    await once(c, "close");
    await once(srv, "close");
    expect((await expectNoLeaks(n)).liveHandles).toBe(0);
    d.dispose();
  });
});

describe("server lifecycle", () => {
  it("EADDRINUSE, then the retry pattern from Node's docs succeeds once the port is free", async () => {
    const blocker = track(net.createServer());
    const port = await listen(blocker, 0, "127.0.0.1");
    const srv = track(net.createServer());
    srv.listen(port, "127.0.0.1");
    const err = await once<NodeJS.ErrnoException & { address: string; port: number }>(srv, "error");
    expect(err).toMatchObject({ code: "EADDRINUSE", syscall: "listen", address: "127.0.0.1", port });
    expect(err.message).toBe(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
    expect(srv.listening).toBe(false);
    await new Promise<void>((r) => blocker.close(() => r()));
    srv.close();
    srv.listen(port, "127.0.0.1");
    await once(srv, "listening");
    expect((srv.address() as { port: number }).port).toBe(port);
    await new Promise<void>((r) => srv.close(() => r()));
  });

  it("close() waits for connections; getConnections; Symbol.asyncDispose", async () => {
    const srv = track(net.createServer());
    const port = await listen(srv, 0, "127.0.0.1");
    const accepted = once<Sock>(srv, "connection");
    const c = track(net.connect(port, "127.0.0.1"));
    const peer = await accepted;
    const count = await new Promise<number>((r) => srv.getConnections((_e, n) => r(n)));
    expect(count).toBe(1);
    let closed = false;
    const disposed = (srv as unknown as Record<symbol, () => Promise<void>>)[Symbol.asyncDispose]().then(() => {
      closed = true;
    });
    await delay(30);
    expect(srv.listening).toBe(false);
    expect(closed).toBe(false); // a connection is still open
    c.end();
    peer.end();
    await disposed;
    expect(closed).toBe(true);
    const notRunning = await new Promise<Error | undefined>((r) => srv.close((e) => r(e)));
    expect((notRunning as Error & { code: string }).code).toBe("ERR_SERVER_NOT_RUNNING");
  });
});

describe("listen on an inherited fd", () => {
  /** A bound TCP socket nobody listens on yet: listen({ fd }) must call listen(2) itself. */
  function boundFd(): { fd: number; handle: { fd: number; close(): void } } {
    const { TCP, constants } = (process as unknown as { binding(n: string): any }).binding("tcp_wrap");
    const handle = new TCP(constants.SERVER);
    expect(handle.bind("127.0.0.1", 0)).toBe(0);
    return { fd: handle.fd as number, handle };
  }

  async function roundTrip(port: number): Promise<string> {
    const c = nodeNet.connect(port, "127.0.0.1");
    let text = "";
    c.setEncoding("utf8");
    c.on("data", (d: string) => (text += d));
    await once(c, "close");
    return text;
  }

  it("listen({ fd }) and listen(handle) accept on that socket; its address passes the policy", async () => {
    for (const arg of ["fd", "handle"] as const) {
      const b = boundFd();
      const srv = track(net.createServer((s) => s.end(`via ${arg}`)));
      const port = await listen(srv, arg === "fd" ? { fd: b.fd } : { _handle: b.handle });
      expect(srv.listening).toBe(true);
      expect(port).toBeGreaterThan(0);
      expect(await roundTrip(port)).toBe(`via ${arg}`);
      await new Promise<void>((r) => srv.close(() => r()));
    }
    const denied = createNet({ allowNet: ["127.0.0.2:*"] });
    const b = boundFd();
    const srv = denied.createServer();
    srv.listen({ fd: b.fd });
    const err = await once<NodeJS.ErrnoException>(srv, "error");
    expect(err.code).toBe("ERR_ACCESS_DENIED");
    b.handle.close();
  });

  it("a bad fd is Node's asynchronous EINVAL; a handle without an fd is ERR_NOT_SUPPORTED", async () => {
    const srv = track(net.createServer());
    const ref = nodeNet.createServer();
    const [mine, theirs] = await Promise.all([
      (srv.listen({ fd: 99999 }), once<NodeJS.ErrnoException>(srv, "error")),
      (ref.listen({ fd: 99999 }), once<NodeJS.ErrnoException>(ref, "error")),
    ]);
    expect(mine.code).toBe("EINVAL");
    expect([mine.code, mine.syscall]).toEqual([theirs.code, theirs.syscall]);
    expect(() => net.createServer().listen({ _handle: {} } as never)).toThrow(expect.objectContaining({ code: "ERR_NOT_SUPPORTED" }));
  });

  it("the blockList options (Node 22.13+) are not built: ERR_NOT_SUPPORTED, never a silent no-op", () => {
    const blockList = new net.BlockList();
    blockList.addAddress("127.0.0.1");
    const notSupported = (what: string) => expect.objectContaining({ code: "ERR_NOT_SUPPORTED", message: expect.stringContaining(what) });
    expect(() => net.connect({ port: 9, host: "127.0.0.1", blockList } as never)).toThrow(notSupported("net.Socket option 'blockList'"));
    expect(() => new net.Socket({ blockList } as never)).toThrow(notSupported("net.Socket option 'blockList'"));
    expect(() => net.createServer({ blockList } as never)).toThrow(notSupported("net.Server option 'blockList'"));
    // a falsy blockList is no blockList, as Node reads it
    const s = new net.Socket({ blockList: undefined } as never);
    expect(s.destroyed).toBe(false);
    s.destroy();
  });
});
