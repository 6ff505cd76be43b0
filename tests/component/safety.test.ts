// Stale handles, forged handles and bad pointers through the component's exports.
// Handles go through the lifted interface; pointers through the component's own core
// module (what a component host calls after lowering), instantiated here with
// wasi imports that throw (only the clock answers), so the checks also prove no wasi call is made.
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadCore, pollUntil, codeOf, DIST, WA, type WasmMemory } from "./harness.ts";

describe("handles through the lifted interface", () => {
  it("0 and forged handles get invalid-handle on every call", async () => {
    const core = await loadCore();
    for (const h of [0, 1, 0xffff, 0x10000, 0x7fff0001, 0xffffffff]) {
      expect(codeOf(() => core.state(h))).toBe("invalid-handle");
      expect(codeOf(() => core.write(h, new Uint8Array(4)))).toBe("invalid-handle");
      expect(codeOf(() => core.end(h))).toBe("invalid-handle");
      expect(codeOf(() => core.destroy(h, false))).toBe("invalid-handle");
      expect(codeOf(() => core.connectName(h, "localhost", 1, 0))).toBe("invalid-handle");
      expect(codeOf(() => core.serverClose(h))).toBe("invalid-handle");
      expect(codeOf(() => core.bytesRead(h))).toBe("invalid-handle");
      expect(codeOf(() => core.peerAddress(h))).toBe("invalid-handle");
    }
    expect(core.liveHandles()).toBe(0);
  });

  it("a stale handle never reaches the socket that reuses its slot", async () => {
    const core = await loadCore();
    core.configure(1, { maxSockets: 0, maxBufferedBytesPerSocket: 0, maxBufferedBytesTotal: 0 });
    const old = core.socketOpen(0, false);
    core.destroy(old, false);
    pollUntil(core, () => core.liveHandles() === 0);
    const fresh = core.socketOpen(0, false); // capacity 1: the same slot
    expect(fresh & 0xffff).toBe(old & 0xffff);
    expect(fresh).not.toBe(old);
    expect(codeOf(() => core.state(old))).toBe("invalid-handle");
    expect(codeOf(() => core.destroy(old, false))).toBe("invalid-handle");
    expect(core.state(fresh)).toBe(0); // Idle, untouched by the stale calls
    core.destroy(fresh, false);
    pollUntil(core, () => core.liveHandles() === 0);
  });

  it("a socket handle is not a server handle, and the reverse", async () => {
    const core = await loadCore();
    const s = core.socketOpen(0, false);
    const v = core.serverOpen(0, false, false);
    expect(codeOf(() => core.serverClose(s))).toBe("invalid-handle");
    expect(codeOf(() => core.write(v, new Uint8Array(1)))).toBe("invalid-handle");
    expect(codeOf(() => core.connections(s))).toBe("invalid-handle");
    core.destroy(s, false);
    core.serverClose(v);
    pollUntil(core, () => core.liveHandles() === 0);
  });
});

describe("pointers through the component's core module", () => {
  const IFACE = "wasock:core/sockets@0.1.0#";
  const CONFIG = "wasock:core/config@0.1.0#";

  function rawCore() {
    const mod = new WA.Module(readFileSync(join(DIST, "inst", "wasock-core.core.wasm")));
    const wasiCalls: string[] = [];
    const imports: Record<string, Record<string, () => unknown>> = {};
    for (const imp of WA.Module.imports(mod)) {
      imports[imp.module] ??= {};
      // the clock is read for `now`; every other import must stay untouched
      if (imp.name === "now") { imports[imp.module][imp.name] = () => 1_000_000_000n; continue; }
      imports[imp.module][imp.name] = () => {
        wasiCalls.push(`${imp.module}#${imp.name}`);
        throw new Error(`unexpected import call ${imp.module}#${imp.name}`);
      };
    }
    const inst = new WA.Instance(mod, imports);
    const ex = inst.exports as Record<string, any>;
    const mem = ex.memory as WasmMemory;
    const call = (name: string, ...args: number[]) =>
      (ex[IFACE + name] ?? ex[CONFIG + name])(...args) as number;
    /** result<_, error-code> at `p`: "ok" or the Code number */
    const res = (p: number) => {
      const b = new Uint8Array(mem.buffer, p, 2);
      return b[0] === 0 ? "ok" : b[1] + 1;
    };
    return { ex, mem, call, res, wasiCalls };
  }

  const OUT_OF_BOUNDS = 25;

  it("the core module imports only wasi 0.2 interfaces (no WASI preview1, no host fatal)", () => {
    const mod = new WA.Module(readFileSync(join(DIST, "inst", "wasock-core.core.wasm")));
    const modules = new Set(WA.Module.imports(mod).map((i: { module: string }) => i.module));
    for (const m of modules) expect(m).toMatch(/^wasi:(sockets|io|clocks)\/[a-z-]+@0\.2\.3$/);
  });

  it("(ptr, len) outside memory or outside any granted block gets out-of-bounds, never a trap", () => {
    const { call, res, mem, ex, wasiCalls } = rawCore();
    const at = call("socket-open", 0, 0); // may grow memory: views are made after calls
    const h = new DataView(mem.buffer).getUint32(at + 4, true);
    expect(h).toBeGreaterThan(0);
    const size = mem.buffer.byteLength;
    const bad: Array<[number, number]> = [
      [size - 2, 16],          // runs past the end of memory
      [0xfffffff0, 64],        // wraps around
      [8, 4],                  // inside memory, but never granted
      [size + 4096, 1],        // beyond memory
    ];
    for (const [p, n] of bad) {
      expect(res(call("write", h, p, n))).toBe(OUT_OF_BOUNDS);
      expect(res(call("connect-name", h, p, n, 80, 0))).toBe(OUT_OF_BOUNDS);
      expect(res(call("policy-add-host", 0, 1, p, n, 0, 65535))).toBe(OUT_OF_BOUNDS);
    }
    // a granted block, but a length longer than the block
    const p = ex.cabi_realloc(0, 0, 1, 8) as number;
    expect(res(call("write", h, p, 9))).toBe(OUT_OF_BOUNDS);
    expect(res(call("connect-name", h, p, 4096, 80, 0))).toBe(OUT_OF_BOUNDS);
    // the same block with its real length is accepted (a name connect queues a lookup)
    new Uint8Array(mem.buffer, p, 8).set(new TextEncoder().encode("a.test.x"));
    expect(res(call("connect-name", h, p, 8, 80, 0))).toBe("ok");
    expect(wasiCalls).toEqual([]);
  });

  it("out-of-range enum and handle arguments return codes, never trap", () => {
    const { call, res, mem, ex, wasiCalls } = rawCore();
    expect(res(call("policy-default", 7, 1))).toBe(4); // invalid-argument
    expect(res(call("destroy", 0xdeadbeef, 1))).toBe(22); // invalid-handle
    expect(res(call("set-timeout", 0, 5))).toBe(22);
    const at = call("socket-open", 0, 0);
    const h = new DataView(mem.buffer).getUint32(at + 4, true);
    const p = ex.cabi_realloc(0, 0, 1, 6) as number;
    new Uint8Array(mem.buffer, p, 6).set(new TextEncoder().encode("a.test"));
    expect(res(call("connect-name", h, p, 6, 80, 5))).toBe(4); // family 5: invalid-argument
    expect(wasiCalls).toEqual([]);
  });
});
