// The core loads from a single bundled file, ESM or CJS, with no file lookups: the wasm
// bytes are embedded (wasm/build/core-wasm.ts) and instantiation is synchronous.
import { afterAll, describe, expect, test } from "vitest";
import { build } from "esbuild";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

const entry = fileURLToPath(new URL("../../host/core/core.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasock-core-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(format: "esm" | "cjs"): Promise<string> {
  const out = await build({ entryPoints: [entry], bundle: true, format, platform: "neutral", write: false, logLevel: "silent" });
  const file = join(dir, format === "esm" ? "core.mjs" : "core.cjs");
  writeFileSync(file, out.outputFiles[0].contents);
  return file;
}

interface CoreLike {
  socketOpen(kind: number, aho: boolean): number;
  destroy(h: number, reset: boolean): number;
  drain(sink: (k: number) => void): void;
  liveHandles(): number;
}

function exercise(Core: { create(o: object): CoreLike }): number[] {
  const c = Core.create({ capacity: 4 });
  const h = c.socketOpen(0, false);
  const kinds: number[] = [];
  c.destroy(h, false);
  c.drain((k) => kinds.push(k));
  expect(c.liveHandles()).toBe(0);
  return kinds;
}

describe("bundles", () => {
  test("an ESM bundle (platform neutral) creates a working core", async () => {
    const mod = await import(pathToFileURL(await bundle("esm")).href);
    expect(exercise(mod.Core)).toEqual([38]); // Close
  });

  test("a CJS bundle does too", async () => {
    const mod = createRequire(import.meta.url)(await bundle("cjs"));
    expect(exercise(mod.Core)).toEqual([38]);
  });
});
