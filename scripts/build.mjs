#!/usr/bin/env node
// Build orchestrator. Each part lives in its own scripts/build-<part>.mjs,
// owned by the part's authors, and exports `default async function build()`.
// `node scripts/build.mjs` builds every part in order; `node scripts/build.mjs wasm node`
// builds only the named parts.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
// Order matters: later parts embed earlier outputs.
const ORDER = ["wasm", "node", "guest", "quickjs", "types", "component"];
const wanted = process.argv.slice(2);
const parts = wanted.length ? wanted : ORDER;

for (const part of parts) {
  const file = join(here, `build-${part}.mjs`);
  if (!existsSync(file)) {
    if (wanted.length) throw new Error(`no build script for part '${part}'`);
    continue;
  }
  const t0 = Date.now();
  const mod = await import(pathToFileURL(file).href);
  await mod.default();
  console.log(`build ${part}: ${Date.now() - t0} ms`);
}
