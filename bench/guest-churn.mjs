#!/usr/bin/env node
// The QuickJS guest's own cost per churn-1 connection, with a scripted backend
// (no sockets, no server): ts-api, readable-stream, the guest loop and the bridge.
// Use it to compare a change to the guest's per-connection path, before and after,
// on numbers steadier than `npm run bench` gives.
//
//   node bench/guest-churn.mjs [--count=20000] [--runs=5] [--profile] [--phases]
//
// --profile adds a deterministic sampling profile of the guest (by module and by
// function; it counts calls and loops, not time). The guest is built from source,
// so edits to ts-api/ and host/quickjs/ need no `npm run build`.
//
// --phases splits each connection at marks in the script (net.connect(), the
// listeners, each event) and prints the guest's time per phase, median over runs;
// the marks' own cost is measured and taken off.
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
const phases = process.argv.includes("--phases");

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
const { run, PHASES } = await import(pathToFileURL(out).href);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figures = [];
const byPhase = PHASES.map(() => []);
for (let i = 0; i < (profile ? 1 : runs); i++) {
  const r = await run(count, profile, phases);
  figures.push(r.us);
  r.phases?.forEach((us, k) => byPhase[k].push(us));
  console.log(`run ${i + 1}: ${r.us.toFixed(1)} µs per connection (${count} connections)${phases ? ", marks included" : ""}`);
}
if (figures.length > 1) {
  const sorted = [...figures].sort((a, b) => a - b);
  console.log(`min ${sorted[0].toFixed(1)} µs, median ${median(figures).toFixed(1)} µs per connection`);
}
if (phases) {
  const meds = byPhase.map(median);
  const total = meds.reduce((a, b) => a + b, 0);
  console.log(`\nguest µs per connection by phase (median over ${figures.length} run(s), marks' cost taken off):`);
  PHASES.forEach(([name, what], k) => {
    console.log(`  ${name.padEnd(14)} ${meds[k].toFixed(1).padStart(6)}  ${((100 * meds[k]) / total).toFixed(0).padStart(3)}%  ${what}`);
  });
  console.log(`  ${"sum".padEnd(14)} ${total.toFixed(1).padStart(6)}`);
}
