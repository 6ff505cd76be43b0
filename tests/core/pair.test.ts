// Two cores wired by an in-memory network (quinn-proto's Pair, h11's ConnectionPair):
// a fake driver answers each core's I/O requests by moving bytes to the other core.
// Whole conversations run on a virtual clock with no ports: echo with backpressure,
// half-close, reset, idle timeouts.
import { describe, expect, test } from "vitest";
import { Core } from "../../host/core/core.ts";
import { Code, Ev, Kind, SocketState } from "../../host/core/api.ts";
import { bytesOf, expectClean } from "./rig.ts";

interface End {
  core: Core;
  h: number;
}

type Handlers = {
  connection?: (sock: End) => void;
  connect?: (sock: End) => void;
  data?: (sock: End, bytes: Uint8Array) => void;
  end?: (sock: End) => void;
  drain?: (sock: End) => void;
  close?: (sock: End, hadError: boolean) => void;
  error?: (sock: End, code: number) => void;
  timeout?: (sock: End) => void;
};

const key = (e: End) => `${e.core === undefined ? "?" : coreId.get(e.core)}:${e.h}`;
const coreId = new WeakMap<Core, number>();

/** The fake network: sockets are endpoints, kernels hold bytes while reading is stopped. */
class Net {
  now = 0;
  readonly cores: Core[] = [];
  readonly handlers = new Map<Core, Handlers>();
  readonly peer = new Map<string, End>();
  readonly inbox = new Map<string, Uint8Array[]>(); // bytes in the receiver's kernel
  readonly finPending = new Set<string>(); // FIN after the inbox drains
  readonly stopped = new Set<string>(); // IoReadStop in effect
  readonly listeners = new Map<number, End>(); // port -> server
  readonly sent: [End, number][] = []; // writes to confirm with onWritten

  add(core: Core, h: Handlers): Core {
    coreId.set(core, this.cores.length);
    this.cores.push(core);
    this.handlers.set(core, h);
    return core;
  }

  /** the script writes: accounted by its core, carried by the network */
  write(e: End, bytes: Uint8Array): boolean {
    expect(e.core.write(e.h, bytes.length, this.now)).toBe(Code.Ok);
    const p = this.peer.get(key(e));
    if (p) this.inbox.get(key(p))!.push(bytes);
    this.sent.push([e, bytes.length]);
    return !e.core.writeNeedsDrain(e.h);
  }

  /** runs until nothing moves */
  settle(): void {
    for (let guard = 0; guard < 100_000; guard++) {
      let moved = false;
      for (const core of this.cores) {
        core.drain((kind, h, a, b) => {
          moved = true;
          this.record(core, kind, h, a, b);
        });
      }
      for (const [e, n] of this.sent.splice(0)) {
        moved = true;
        e.core.onWritten(e.h, n, this.now);
      }
      for (const [k, q] of this.inbox) {
        const e = this.endOf(k);
        if (!e || this.stopped.has(k)) continue;
        while (q.length > 0 && !this.stopped.has(k)) {
          moved = true;
          const chunk = q.shift()!;
          const rc = e.core.onData(e.h, chunk, this.now);
          if (rc === Code.Deliver) this.handlers.get(e.core)!.data?.(e, chunk);
          else expect(rc).toBe(Code.Ok);
        }
        if (q.length === 0 && this.finPending.delete(k)) {
          moved = true;
          e.core.onEof(e.h, this.now);
        }
      }
      if (!moved) return;
    }
    throw new Error("the network did not settle");
  }

  readonly ends = new Map<string, End>();
  endOf(k: string): End | undefined {
    return this.ends.get(k);
  }

  track(e: End): void {
    this.ends.set(key(e), e);
    this.inbox.set(key(e), []);
  }

  record(core: Core, kind: number, h: number, a: number, b: number): void {
    const e: End = { core, h };
    const k = key(e);
    const on = this.handlers.get(core)!;
    switch (kind) {
      case Ev.IoListen: {
        const local = core.localAddress(h)!;
        this.listeners.set(local.port, e);
        core.onListening(h, local);
        return;
      }
      case Ev.IoConnect: {
        const to = core.peerAddress(h)!;
        const srv = this.listeners.get(to.port);
        if (!srv) {
          core.onError(h, Code.ConnectionRefused, -111);
          return;
        }
        const accepted = srv.core.onAccepted(srv.h, { address: "127.0.0.1", port: 50000 + (h & 0xfff), family: 4 }, this.now);
        expect(accepted).toBeGreaterThan(0);
        const other: End = { core: srv.core, h: accepted };
        this.track(e);
        this.track(other);
        this.peer.set(k, other);
        this.peer.set(key(other), e);
        core.onConnected(h, { address: "127.0.0.1", port: 50000 + (h & 0xfff), family: 4 }, this.now);
        return;
      }
      case Ev.IoShutdown: {
        const p = this.peer.get(k);
        if (p) this.finPending.add(key(p));
        return;
      }
      case Ev.IoClose: {
        const p = this.peer.get(k);
        if (p && this.ends.has(key(p))) {
          if (a === 1) p.core.onError(p.h, Code.ConnectionReset, -104);
          else this.finPending.add(key(p));
          this.peer.delete(key(p));
        }
        this.peer.delete(k);
        core.onClosed(h);
        return;
      }
      case Ev.IoReadStop: this.stopped.add(k); return;
      case Ev.IoReadStart: this.stopped.delete(k); return;
      case Ev.IoResolve:
      case Ev.IoSetOption:
      case Ev.IoSend:
        return;
      case Ev.Connection: return on.connection?.({ core, h: a });
      case Ev.Connect: return on.connect?.(e);
      case Ev.Data: return on.data?.(e, core.bytes(a, b));
      case Ev.End: return on.end?.(e);
      case Ev.Drain: return on.drain?.(e);
      case Ev.Timeout: return on.timeout?.(e);
      case Ev.Error: return on.error?.(e, a);
      case Ev.Close:
        this.ends.delete(k);
        this.inbox.delete(k);
        return on.close?.(e, a === 1);
      case Ev.ServerClose:
      case Ev.Listening:
      case Ev.Lookup:
      case Ev.Drop:
        return;
    }
    throw new Error(`unexpected record ${kind}`);
  }

  closeServer(e: End): void {
    for (const [port, s] of this.listeners) if (s.core === e.core && s.h === e.h) this.listeners.delete(port);
    e.core.serverClose(e.h);
  }
}

function listen(core: Core, port: number): End {
  const s = core.serverOpen(Kind.Tcp, false, false);
  expect(core.listenAddress(s, "127.0.0.1", port, 0)).toBe(Code.Ok);
  return { core, h: s };
}

function connect(net: Net, core: Core, port: number, allowHalfOpen = false): End {
  const h = core.socketOpen(Kind.Tcp, allowHalfOpen);
  expect(core.connectAddress(h, "127.0.0.1", port, net.now)).toBe(Code.Ok);
  return { core, h };
}

describe("two cores over an in-memory network", () => {
  test("echo 4 MiB with backpressure: a slow reader pauses, the writer waits for drain", () => {
    const net = new Net();
    let serverSide: End | null = null;
    const received: Uint8Array[] = [];
    let paused = false;
    let serverPauses = 0;
    const server = net.add(Core.create({ capacity: 8 }), {
      connection: (s) => { serverSide = s; },
      // echo, and stop reading while our own writes wait
      data: (s, bytes) => {
        if (!net.write(s, bytes) && !paused) {
          paused = true;
          serverPauses++;
          s.core.pause(s.h);
        }
      },
      drain: (s) => {
        paused = false;
        s.core.resume(s.h);
      },
      end: (s) => { s.core.end(s.h, net.now); },
    });
    const payload = bytesOf(4 << 20, 9);
    let offset = 0;
    let drains = 0;
    const client = net.add(Core.create({ capacity: 8 }), {
      connect: (c) => pump(c),
      drain: (c) => { drains++; pump(c); },
      data: (_c, bytes) => received.push(bytes),
    });
    const pump = (c: End) => {
      while (offset < payload.length) {
        const chunk = payload.subarray(offset, offset + 65536);
        offset += chunk.length;
        if (!net.write(c, chunk)) return;
      }
      c.core.end(c.h, net.now);
    };
    const srv = listen(server, 7000);
    const c = connect(net, client, 7000);
    net.settle();
    expect(serverSide).not.toBeNull();
    const total = received.reduce((n, b) => n + b.length, 0);
    expect(total).toBe(payload.length);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const b of received) { joined.set(b, at); at += b.length; }
    expect(Buffer.compare(joined, payload)).toBe(0); // (toEqual on 4 MiB is very slow)
    expect(drains).toBeGreaterThan(10); // the writer really waited
    expect(serverPauses).toBeGreaterThan(10); // and the echoing side paused its reads
    expect(client.state(c.h)).toBe(-Code.InvalidHandle); // both sides ended: closed
    net.closeServer(srv);
    net.settle();
    expectClean(client);
    expectClean(server);
  });

  test("half-open: the client ends, the server keeps writing, then ends", () => {
    const net = new Net();
    const log: string[] = [];
    const server = net.add(Core.create({ capacity: 8 }), {
      end: (s) => {
        log.push("server end");
        net.write(s, new Uint8Array([1, 2, 3]));
        s.core.end(s.h, net.now);
      },
      close: () => log.push("server close"),
    });
    const client = net.add(Core.create({ capacity: 8 }), {
      connect: (c) => {
        c.core.end(c.h, net.now);
        expect(c.core.state(c.h)).toBe(SocketState.ReadOnly);
      },
      data: (_c, b) => log.push(`client data ${b.length}`),
      end: () => log.push("client end"),
      close: (_c, hadError) => log.push(`client close ${hadError}`),
    });
    const srv = (() => {
      const s = server.serverOpen(Kind.Tcp, true, false);
      server.listenAddress(s, "127.0.0.1", 7001, 0);
      return { core: server, h: s };
    })();
    connect(net, client, 7001, true);
    net.settle();
    // the client's FIN reaches the server, which answers and ends; its close follows once
    // both sides are done, and the client gets the bytes, the FIN, and closes
    expect(log).toEqual(["server end", "client data 3", "server close", "client end", "client close false"]);
    net.closeServer(srv);
    net.settle();
    expectClean(client);
    expectClean(server);
  });

  test("a reset reaches the peer as an error and close(true)", () => {
    const net = new Net();
    const log: string[] = [];
    const server = net.add(Core.create({ capacity: 8 }), {
      connection: (s) => s.core.destroy(s.h, true),
    });
    const client = net.add(Core.create({ capacity: 8 }), {
      error: (_c, code) => log.push(`error ${code}`),
      close: (_c, hadError) => log.push(`close ${hadError}`),
    });
    const srv = listen(server, 7002);
    connect(net, client, 7002);
    net.settle();
    expect(log).toEqual([`error ${Code.ConnectionReset}`, "close true"]);
    net.closeServer(srv);
    net.settle();
    expectClean(client);
    expectClean(server);
  });

  test("connect to a port nobody listens on: refused", () => {
    const net = new Net();
    const log: string[] = [];
    const client = net.add(Core.create({ capacity: 8 }), {
      error: (_c, code) => log.push(`error ${code}`),
      close: (_c, hadError) => log.push(`close ${hadError}`),
    });
    connect(net, client, 9);
    net.settle();
    expect(log).toEqual([`error ${Code.ConnectionRefused}`, "close true"]);
    expectClean(client);
  });

  test("an idle connection times out on the virtual clock; the script closes it", () => {
    const net = new Net();
    const log: string[] = [];
    const server = net.add(Core.create({ capacity: 8 }), {});
    const client = net.add(Core.create({ capacity: 8 }), {
      connect: (c) => c.core.setTimeout(c.h, 30_000, net.now),
      timeout: (c) => {
        log.push(`timeout at ${net.now}`);
        c.core.destroy(c.h, false);
      },
      close: () => log.push("close"),
    });
    const srv = listen(server, 7003);
    connect(net, client, 7003);
    net.settle();
    const deadline = client.nextDeadline();
    expect(deadline).toBe(30_000);
    net.now = deadline;
    client.tick(net.now);
    net.settle();
    expect(log).toEqual(["timeout at 30000", "close"]);
    net.closeServer(srv);
    net.settle();
    expectClean(client);
    expectClean(server);
  });
});
