// ts-api's `net` over the core component (examples/plugin/backend.ts), on Node: the
// same Backend the componentize-qjs plugin uses, here over jco's bindings.
import { describe, it, expect, afterEach } from "vitest";
import { createNetModule } from "../../ts-api/net.ts";
import { ComponentBackend, toSocketAddress, addressInfo } from "../../examples/plugin/backend.ts";
import { loadCore, startPeer, type Peer } from "./harness.ts";

let peer: Peer | null = null;
afterEach(async () => {
  await peer?.stop();
  peer = null;
});

/** Runs the loop until `done()`; lets Node run ticks and microtasks between turns. */
async function runUntil(backend: ComponentBackend, done: () => boolean, ms = 10000) {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error("runUntil: timed out");
    backend.pump(done() ? 0 : 10);
    await new Promise((r) => setImmediate(r));
  }
}

describe("net over the component", () => {
  it("a client echoes through a peer process and sees end and close", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    const got: string[] = [];
    const order: string[] = [];
    let closed = false;
    const c = net.connect(peer.port, "127.0.0.1", () => {
      order.push("connect");
      c.end("hello over wasi:sockets");
    });
    c.setEncoding("utf8");
    c.on("data", (d: string) => got.push(d));
    c.on("end", () => order.push("end"));
    c.on("finish", () => order.push("finish"));
    c.on("close", (hadError: boolean) => { order.push(`close:${hadError}`); closed = true; });
    await runUntil(backend, () => closed);
    expect(got.join("")).toBe("hello over wasi:sockets");
    expect(order[0]).toBe("connect");
    expect(order).toContain("end");
    expect(order).toContain("finish");
    expect(order.at(-1)).toBe("close:false");
    expect(c.bytesWritten).toBe(23);
    expect(c.bytesRead).toBe(23);
    expect(core.liveHandles()).toBe(0);
  });

  it("a server and a client inside one component echo to each other", async () => {
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    let reply = "";
    let serverClosed = false;
    const server = net.createServer((s: NodeJS.ReadWriteStream) => s.pipe(s));
    server.listen(0, "127.0.0.1", () => {
      const { port, address, family } = server.address() as { port: number; address: string; family: string };
      expect(address).toBe("127.0.0.1");
      expect(family).toBe("IPv4");
      const c = net.connect(port, "localhost", () => c.end("ping"));
      c.on("data", (d: Buffer) => { reply += d.toString(); });
      c.on("close", () => server.close(() => { serverClosed = true; }));
    });
    await runUntil(backend, () => serverClosed);
    expect(reply).toBe("ping");
    expect(core.liveHandles()).toBe(0);
  });

  it("ECONNREFUSED arrives as Node's error: code, errno, syscall, address, port, message", async () => {
    const p = await startPeer("hold");
    await p.stop();
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    let err: NodeJS.ErrnoException & { address?: string; port?: number } | null = null;
    let closed = false;
    const c = net.connect(p.port, "127.0.0.1");
    c.on("error", (e) => { err = e; });
    c.on("close", () => { closed = true; });
    await runUntil(backend, () => closed);
    expect(err).not.toBeNull();
    expect(err!.code).toBe("ECONNREFUSED");
    expect(err!.errno).toBe(-111);
    expect(err!.syscall).toBe("connect");
    expect(err!.address).toBe("127.0.0.1");
    expect(err!.port).toBe(p.port);
    expect(err!.message).toBe(`connect ECONNREFUSED 127.0.0.1:${p.port}`);
  });

  it("Unix sockets are ERR_NOT_SUPPORTED, never a silent no-op", async () => {
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    const errs: string[] = [];
    const c = net.connect("/tmp/wasock-none.sock");
    c.on("error", (e: NodeJS.ErrnoException) => errs.push(e.code!));
    const s = net.createServer();
    s.on("error", (e: NodeJS.ErrnoException) => errs.push(e.code!));
    s.listen("/tmp/wasock-none.sock");
    await runUntil(backend, () => errs.length === 2);
    expect(errs).toEqual(["ERR_NOT_SUPPORTED", "ERR_NOT_SUPPORTED"]);
    expect(core.liveHandles()).toBe(0);
  });

  it("setNoDelay(true) throws ERR_NOT_SUPPORTED; connect({ noDelay: true }) errors with it", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    let connected = false;
    const c = net.connect(peer.port, "127.0.0.1", () => { connected = true; });
    await runUntil(backend, () => connected);
    expect(() => c.setNoDelay(true)).toThrow(expect.objectContaining({ code: "ERR_NOT_SUPPORTED" }));
    let code = "";
    const d = net.connect({ port: peer.port, host: "127.0.0.1", noDelay: true });
    d.on("error", (e: NodeJS.ErrnoException) => { code = e.code!; });
    await runUntil(backend, () => code !== "");
    expect(code).toBe("ERR_NOT_SUPPORTED");
    let closed = false;
    c.on("close", () => { closed = true; });
    c.destroy();
    await runUntil(backend, () => closed && core.liveHandles() === 0);
  });

  it("resetAndDestroy() throws ERR_NOT_SUPPORTED (no RST in wasi:sockets), never a FIN posing as a reset", async () => {
    peer = await startPeer("echo");
    const core = await loadCore();
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    let connected = false;
    const c = net.connect(peer.port, "127.0.0.1", () => { connected = true; });
    await runUntil(backend, () => connected);
    expect(() => c.resetAndDestroy()).toThrow(expect.objectContaining({ code: "ERR_NOT_SUPPORTED" }));
    expect(c.destroyed).toBe(false);
    let closed = false;
    c.on("close", () => { closed = true; });
    c.destroy();
    await runUntil(backend, () => closed && core.liveHandles() === 0);
  });

  it("policy denials arrive as ERR_ACCESS_DENIED, before and after the lookup", async () => {
    const core = await loadCore();
    core.policyAddHost("connect", false, "localhost", 0, 65535);
    core.policyAddCidr("connect", true, { tag: "ipv4", val: [127, 0, 0, 0] }, 8, 0, 65535);
    const backend = new ComponentBackend(core as never);
    const net = createNetModule(backend);
    const errs: Array<Record<string, unknown>> = [];
    const a = net.connect(4000, "127.0.0.2"); // denied address: refused at once
    a.on("error", (e: NodeJS.ErrnoException) => errs.push({ code: e.code, syscall: e.syscall }));
    const b = net.connect(4001, "localhost"); // allowed name, denied address
    b.on("error", (e: NodeJS.ErrnoException) => errs.push({ code: e.code, syscall: e.syscall }));
    await runUntil(backend, () => errs.length === 2 && core.liveHandles() === 0);
    expect(errs).toEqual([
      { code: "ERR_ACCESS_DENIED", syscall: "connect" },
      { code: "ERR_ACCESS_DENIED", syscall: "connect" },
    ]);
  });

  it("converts addresses both ways", () => {
    for (const ip of ["127.0.0.1", "::1", "fe80::1:2", "2001:db8::", "::", "::ffff:10.0.0.1", "1:2:3:4:5:6:7:8"]) {
      const sa = toSocketAddress(ip, 80)!;
      const back = addressInfo(sa).address;
      expect(toSocketAddress(back, 80)).toEqual(sa);
    }
    expect(addressInfo(toSocketAddress("::1", 1)!).address).toBe("::1");
    expect(addressInfo(toSocketAddress("2001:db8:0:0:1:0:0:1", 1)!).address).toBe("2001:db8::1:0:0:1");
    expect(toSocketAddress("example.com", 1)).toBeNull();
  });
});
