// Direct heap reads (host/quickjs/heap.ts) and the reusable write buffers
// (host/quickjs/chunks.ts, NodeDriver's releaseChunk). The heap reader must be
// on with the pinned quickjs-emscripten (a silent fallback would double the
// cost of every large guest write) and must read exactly what the library reads.
import { createHash } from "node:crypto";
import { createServer, type AddressInfo } from "node:net";
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext } from "quickjs-emscripten";
import { describe, expect, test } from "vitest";
import { ChunkPool } from "../../host/quickjs/chunks.ts";
import { GuestHeap } from "../../host/quickjs/heap.ts";
import { GuestBytes } from "../../host/quickjs/guest-bytes.ts";
import { expectOk, LOOPBACK } from "./helpers.ts";

async function withContext(body: (ctx: QuickJSContext) => void): Promise<void> {
  const wasm = await newQuickJSWASMModule(RELEASE_SYNC);
  const rt = wasm.newRuntime();
  const ctx = rt.newContext();
  try {
    body(ctx);
  } finally {
    ctx.dispose();
    rt.dispose(); // aborts on a leaked value
  }
}

function ptr(h: { value: unknown }): number {
  return h.value as number;
}

describe("GuestHeap", () => {
  test("calibrates on the pinned build; ints and booleans read as the library reads them", async () => {
    await withContext((ctx) => {
      const heap = GuestHeap.calibrate(ctx);
      expect(heap).not.toBeNull();
      for (const code of ["0", "1", "-1", "65536", "2147483647", "-2147483648", "1.5", "2147483648", "NaN", "'7'", "true", "false", "null", "undefined", "({})"]) {
        const h = ctx.unwrapResult(ctx.evalCode(code));
        const t = ctx.typeof(h);
        const v = ctx.dump(h);
        const int = heap!.int(ptr(h));
        if (int !== undefined) {
          expect(t, code).toBe("number");
          expect(int, code).toBe(v);
        }
        // int literals in int32 range are stored as ints: those must take the fast path
        // (QuickJS may keep other integral values, such as -2147483648, as doubles)
        if (/^-?\d+$/.test(code) && Math.abs(Number(code)) < 0x7fffffff) expect(int, code).toBe(Number(code));
        if (t !== "number") expect(int, code).toBeUndefined();
        const b = heap!.bool(ptr(h));
        expect(b, code).toBe(t === "boolean" ? v : undefined);
        h.dispose();
      }
    });
  });

  test("bytes() views plain ArrayBuffers exactly, refuses everything else, and survives memory growth", async () => {
    await withContext((ctx) => {
      const heap = GuestHeap.calibrate(ctx)!;
      const read = (code: string): Uint8Array | null => {
        const h = ctx.unwrapResult(ctx.evalCode(code));
        try {
          const v = heap.bytes(ptr(h));
          // (the library cannot read an empty buffer at all: its malloc(0) fails)
          if (v !== null && v.length > 0) {
            const lib = ctx.getArrayBuffer(h);
            expect(Buffer.from(v).equals(Buffer.from(lib.value)), code).toBe(true);
            lib.dispose();
          }
          return v === null ? null : Uint8Array.from(v);
        } finally {
          h.dispose();
        }
      };
      expect(Array.from(read("new Uint8Array([1, 2, 250]).buffer")!)).toEqual([1, 2, 250]);
      expect(read("new ArrayBuffer(0)")!.length).toBe(0);
      // a resizable buffer reads at its current length
      expect(read("(() => { const b = new ArrayBuffer(4, { maxByteLength: 64 }); b.resize(9); new Uint8Array(b).fill(3); return b; })()")).toEqual(new Uint8Array(9).fill(3));
      // a detached buffer has no bytes
      expect(read("(() => { const b = new ArrayBuffer(16); b.transfer(); return b; })()")!.length).toBe(0);
      for (const code of ["new Uint8Array(4)", "new DataView(new ArrayBuffer(4))", "new SharedArrayBuffer(4)", "[1, 2]", "({ byteLength: 2 })", "'ab'", "3", "null"]) {
        expect(read(code), code).toBeNull();
      }
      // grow the wasm memory well past its first size: views are made again
      ctx.unwrapResult(ctx.evalCode("globalThis.big = []; for (let i = 0; i < 64; i++) big.push(new ArrayBuffer(1 << 20)); 0")).dispose();
      expect(Array.from(read("new Uint8Array([9, 8, 7]).buffer")!)).toEqual([9, 8, 7]);
    });
  });

  test("WASOCK_QUICKJS_NO_HEAP=1 turns it off, and a guest write still goes through the library's path", async () => {
    const saved = process.env.WASOCK_QUICKJS_NO_HEAP;
    process.env.WASOCK_QUICKJS_NO_HEAP = "1";
    try {
      await withContext((ctx) => expect(GuestHeap.calibrate(ctx)).toBeNull());
      const got = await echoDigest(4, 70_000);
      expect(got.server).toBe(got.expected);
    } finally {
      if (saved === undefined) delete process.env.WASOCK_QUICKJS_NO_HEAP;
      else process.env.WASOCK_QUICKJS_NO_HEAP = saved;
    }
  });
});

describe("GuestBytes", () => {
  test("copies views, whole buffers and empty ones into guest ArrayBuffers that own their storage", async () => {
    await withContext((ctx) => {
      const bytes = new GuestBytes(ctx);
      const read = ctx.unwrapResult(ctx.evalCode("(b) => b instanceof ArrayBuffer ? Array.from(new Uint8Array(b)).join(',') : 'not an ArrayBuffer'"));
      const asText = (v: Uint8Array): string => {
        const h = bytes.arrayBuffer(v);
        try {
          return ctx.unwrapResult(ctx.callFunction(read, ctx.undefined, h)).consume((r) => ctx.getString(r));
        } finally {
          h.dispose();
        }
      };
      const big = new Uint8Array(64).map((_, i) => i);
      expect(asText(big.subarray(10, 14))).toBe("10,11,12,13");
      expect(asText(big)).toBe(big.join(","));
      expect(asText(new Uint8Array(0))).toBe("");
      // many 64 KiB reads, each dropped by the guest: QuickJS frees the blocks, the heap stays flat
      const chunk = Buffer.alloc(64 * 1024, 5).subarray(1);
      const heapSize = (): number => (ctx as unknown as { module: { HEAPU8: Uint8Array } }).module.HEAPU8.length;
      const keep = ctx.unwrapResult(ctx.evalCode("(b) => { globalThis.last = b; return b.byteLength; }"));
      const pass = (n: number): void => {
        for (let i = 0; i < n; i++) {
          const h = bytes.arrayBuffer(chunk);
          const r = ctx.callFunction(keep, ctx.undefined, h);
          expect(ctx.getNumber(ctx.unwrapResult(r))).toBe(chunk.length);
          ctx.unwrapResult(r).dispose();
          h.dispose();
        }
      };
      pass(200);
      const before = heapSize();
      pass(5000);
      expect(heapSize() - before).toBeLessThan(4 * 1024 * 1024);
      ctx.unwrapResult(ctx.evalCode("globalThis.last = null")).dispose();
      keep.dispose();
      read.dispose();
    });
  });
});

describe("ChunkPool", () => {
  test("large chunks are reused once released; small ones come from Node's pool", () => {
    const pool = new ChunkPool();
    const a = pool.take(64 * 1024);
    expect(a.length).toBe(64 * 1024);
    const first = a.buffer;
    pool.release(a);
    expect(pool.keptBytes).toBe(64 * 1024);
    const b = pool.take(40 * 1024);
    expect(b.buffer).toBe(first);
    expect(b.length).toBe(40 * 1024);
    expect(pool.keptBytes).toBe(0);
    // a second release of the same chunk, and a foreign buffer, change nothing
    pool.release(b);
    pool.release(b);
    pool.release(Buffer.alloc(64 * 1024));
    expect(pool.keptBytes).toBe(64 * 1024);
    // small chunks are never pooled
    const s = pool.take(100);
    pool.release(s);
    expect(pool.keptBytes).toBe(64 * 1024);
  });

  test("what the free lists keep is bounded", () => {
    const pool = new ChunkPool();
    const out = Array.from({ length: 40 }, () => pool.take(1024 * 1024));
    for (const c of out) pool.release(c);
    expect(pool.keptBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(pool.keptBytes).toBeGreaterThan(0);
  });
});

/** A guest writes `count` distinct chunks of `size` bytes to a node:net server, which hashes them. */
async function echoDigest(count: number, size: number, pauseEvery = 0): Promise<{ server: string; expected: string; pooled: number }> {
  const expected = createHash("sha256");
  for (let i = 0; i < count; i++) expected.update(chunkBytes(i, size));
  let listening!: (port: number) => void;
  const portP = new Promise<number>((r) => (listening = r));
  const digest = new Promise<string>((resolve) => {
    const srv = createServer((s) => {
      const h = createHash("sha256");
      let n = 0;
      s.on("data", (d) => {
        h.update(d);
        // stall now and then, so that writes queue in libuv and complete late
        if (pauseEvery > 0 && ++n % pauseEvery === 0) {
          s.pause();
          setTimeout(() => s.resume(), 5);
        }
      });
      s.on("end", () => {
        s.end();
        srv.close();
        resolve(h.digest("hex"));
      });
    });
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as AddressInfo).port;
      listening(port);
    });
  });
  const port = await portP;
  const run = await expectOk(
    `import net from "net";
     const s = net.connect(${port}, "127.0.0.1");
     // each chunk's bytes depend on its index: a buffer reused too early shows in the digest
     const chunk = (i) => { const b = Buffer.allocUnsafe(${size}); for (let j = 0; j < ${size}; j++) b[j] = (i * 131 + j * 7) & 255; return b; };
     let i = 0;
     const pump = () => { while (i < ${count}) { const ok = s.write(chunk(i++)); if (!ok) { s.once("drain", pump); return; } } s.end(); };
     s.on("connect", pump);
     s.resume();`,
    LOOPBACK,
  );
  return { server: await digest, expected: expected.digest("hex"), pooled: run.stats.writePoolBytes };
}

function chunkBytes(i: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let j = 0; j < size; j++) b[j] = (i * 131 + j * 7) & 255;
  return b;
}

describe("guest writes through reused buffers", () => {
  test("64 KiB chunks arrive intact when the peer stalls and writes complete late", async () => {
    const got = await echoDigest(400, 64 * 1024, 7);
    expect(got.server).toBe(got.expected);
    // the chunks went back to the pool: they were reused, not only allocated
    expect(got.pooled).toBeGreaterThan(0);
  }, 60_000);

  test("odd sizes around the pooled sizes arrive intact", async () => {
    for (const size of [16 * 1024 - 1, 16 * 1024, 100_000, 1024 * 1024 + 1]) {
      const got = await echoDigest(12, size, 3);
      expect(got.server, String(size)).toBe(got.expected);
    }
  }, 60_000);
});
