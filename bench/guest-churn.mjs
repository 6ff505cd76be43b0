#!/usr/bin/env node
// The QuickJS guest's own cost per churn-1 connection, with a scripted backend
// (no sockets, no server): ts-api, readable-stream, the guest loop and the bridge.
// Use it to compare a change to the guest's per-connection path, before and after,
// on numbers steadier than `npm run bench` gives.
//
//   node bench/guest-churn.mjs [--count=20000] [--runs=5] [--profile]
//
// --profile adds a deterministic sampling profile of the guest (by module and by
// function; it counts calls and loops, not time). The guest is built from source,
// so edits to ts-api/ and host/quickjs/ need no `npm run build`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./impls.mjs";

const arg = (name, dflt) => {
  const m = process.argv.slice(2).map((a) => new RegExp(`^--${name}=(\\d+)$`).exec(a)).find(Boolean);
  return m ? Number(m[1]) : dflt;
};
const count = arg("count", 20_000);
const runs = arg("runs", 5);
const profile = process.argv.includes("--profile");

const esbuild = await import("esbuild");
const outDir = join(ROOT, ".bench-out");
mkdirSync(outDir, { recursive: true });
const out = join(outDir, "guest-churn.mjs");
await esbuild.build({
  entryPoints: [join(ROOT, "bench", "guest-churn.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outfile: out,
  external: ["quickjs-emscripten", "esbuild"],
  // guest-source.ts finds the guest's build script next to itself, as in the tests
  define: { "import.meta.url": JSON.stringify(pathToFileURL(join(ROOT, "host", "quickjs", "guest-source.ts")).href) },
  logLevel: "warning",
});
const { run } = await import(pathToFileURL(out).href);

const figures = [];
for (let i = 0; i < (profile ? 1 : runs); i++) {
  const us = await run(count, profile);
  figures.push(us);
  console.log(`run ${i + 1}: ${us.toFixed(1)} µs per connection (${count} connections)`);
}
if (figures.length > 1) {
  const sorted = [...figures].sort((a, b) => a - b);
  console.log(`min ${sorted[0].toFixed(1)} µs, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} µs per connection`);
}
