#!/usr/bin/env node
// The wasm core by itself (after `npm run build`): module size, memory per idle socket,
// and the cost of the data path through Core (host/core/core.ts, bundled here with
// esbuild so that plain node can run it). Medians of several rounds; the machine is
// noisy, so read the figures as orders of magnitude. Writes .bench-out/core.json.
//
//   node bench/core.mjs [--rounds=N]
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, ".bench-out");
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.split("=")[1] ?? 7);
mkdirSync(outDir, { recursive: true });

const bundle = join(outDir, "core-bench.mjs");
await build({ entryPoints: [join(root, "host/core/core.ts")], bundle: true, format: "esm", platform: "node", outfile: bundle, logLevel: "error" });
const { Core } = await import(pathToFileURL(bundle).href);

const TCP = 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- size ----------------------------------------------------------------------
const wasm = readFileSync(join(root, "wasm/build/core.wasm"));
const size = { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };

// ---- memory --------------------------------------------------------------------
// The allocator doubles memory when it runs out, so memory.buffer.byteLength only moves
// in steps. Between two steps the heap went from full at the old size M1 to full at the
// new size M2: the sockets opened in between cost (M2 - M1) / count each.
function perSocketBytes(mode) {
  const c = Core.create({ capacity: 65535 });
  const local = { address: "10.0.0.1", port: 40000, family: 4 };
  const steps = [];
  let last = c.memoryBytes();
  for (let i = 0; i < 65000 && steps.length < 3; i++) {
    const h = c.socketOpen(TCP, false);
    if (mode !== "idle") {
      c.connectAddress(h, "10.0.0.2", 80, 0);
      c.onConnected(h, local, 0);
    }
    c.drain(() => {});
    const now = c.memoryBytes();
    if (now !== last) {
      steps.push({ i, before: last, after: now });
      last = now;
    }
  }
  const [a, b] = steps.slice(-2);
  return Math.round((b.before - a.before) / (b.i - a.i));
}

function idleSocketBytes() {
  return {
    perConnectedSocket: perSocketBytes("open"),
    perUnconnectedSocket: perSocketBytes("idle"),
    // allocated once at creation for `capacity` slots: a reference (4), a generation (2)
    // and a free-ring entry (2); not measurable by the step method
    tableBytesPerSlot: 8,
  };
}

// ---- data path -----------------------------------------------------------------
function open(c, halfOpen = false) {
  const h = c.socketOpen(TCP, halfOpen);
  c.connectAddress(h, "127.0.0.1", 80, 0);
  c.onConnected(h, null, 0);
  c.drain(() => {});
  return h;
}

function time(iters, fn) {
  const t0 = process.hrtime.bigint();
  fn(iters);
  return Number(process.hrtime.bigint() - t0) / iters;
}

function dataPath(len) {
  const c = Core.create({ capacity: 16 });
  const h = open(c);
  const chunk = new Uint8Array(len).fill(7);
  const iters = len <= 64 ? 400_000 : 20_000;
  const sink = (kind, _h, a, b) => { if (kind === 33) c.bytes(a, b); };
  // write: the host sends the bytes itself; the core accounts them (write + onWritten)
  const write = time(iters, (n) => { for (let i = 0; i < n; i++) { c.write(h, len, i); c.onWritten(h, len, i); } });
  // flowing read: Deliver, no copy
  const readFlowing = time(iters, (n) => { for (let i = 0; i < n; i++) c.onData(h, chunk, i); });
  // paused read: copied in, then resume + drain + copied out
  const readPaused = time(iters, (n) => {
    for (let i = 0; i < n; i++) {
      c.pause(h);
      c.onData(h, chunk, i);
      c.resume(h);
      c.drain(sink);
    }
  });
  return { write, readFlowing, readPaused };
}

function createCost(capacity) {
  Core.create({ capacity });
  return time(100, (n) => { for (let i = 0; i < n; i++) Core.create({ capacity }); });
}

const results = { size, memory: idleSocketBytes(), b64: [], k64: [], create: [] };
for (let r = 0; r < rounds; r++) {
  results.b64.push(dataPath(64));
  results.k64.push(dataPath(64 * 1024));
  results.create.push({ c4096: createCost(4096), c64: createCost(64) });
}
const med = (rows, key) => +median(rows.map((x) => x[key])).toFixed(1);
const table = {
  "wasm size (bytes)": size.raw,
  "wasm size gzip -9 (bytes)": size.gzip,
  "memory per connected idle socket (bytes)": results.memory.perConnectedSocket,
  "memory per unconnected socket (bytes)": results.memory.perUnconnectedSocket,
  "table memory per slot, by layout (bytes)": results.memory.tableBytesPerSlot,
  "Core.create, capacity 64 (µs)": +(med(results.create, "c64") / 1000).toFixed(1),
  "Core.create, capacity 4096 (µs)": +(med(results.create, "c4096") / 1000).toFixed(1),
  "write 64 B: write+onWritten (ns)": med(results.b64, "write"),
  "write 64 KiB: write+onWritten (ns)": med(results.k64, "write"),
  "read 64 B flowing: onData -> Deliver (ns)": med(results.b64, "readFlowing"),
  "read 64 KiB flowing: onData -> Deliver (ns)": med(results.k64, "readFlowing"),
  "read 64 B paused: copy in, resume, drain, copy out (ns)": med(results.b64, "readPaused"),
  "read 64 KiB paused: copy in, resume, drain, copy out (ns)": med(results.k64, "readPaused"),
};
console.table(table);
writeFileSync(join(outDir, "core.json"), JSON.stringify({ node: process.version, rounds, table, raw: results }, null, 2));
