// Bundles the guest side (host/quickjs/guest/main.ts, which pulls in ts-api/guest.ts
// and ts-api/net.ts) into one script that a sandbox evaluates before the user's
// code. Node built-ins come from their userland packages: node:stream ->
// readable-stream, node:events -> events, node:buffer -> buffer,
// node:string_decoder -> string_decoder; readable-stream's `process/` becomes the
// guest's own process object. Output: dist/guest/guest.js.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const GUEST_ENTRY = join(root, "host/quickjs/guest/main.ts");
export const GUEST_OUT = join(root, "dist/guest/guest.js");

/**
 * esbuild options shared by the build and by tests that run from source. The
 * bundle is made unminified; guestText() finishes it.
 */
export function guestBuildOptions() {
  return {
    entryPoints: [GUEST_ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "browser",
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: root,
    alias: {
      "node:stream": "readable-stream",
      "node:events": "events",
      "node:buffer": "buffer",
      "node:string_decoder": "string_decoder",
      process: join(root, "host/quickjs/guest/process-shim.cjs"),
      // the package's browser build reads AbortController from `self`; use its own implementation
      "abort-controller": "abort-controller/dist/abort-controller.js",
    },
  };
}

/** readable-stream's `debug(...)` statements in the unminified bundle */
const DEBUG_STATEMENT = /^(\s*)debug\(/gm;

/**
 * The guest script from the unminified bundle `text`:
 * - readable-stream's `debug(...)` statements are made dead code. debuglog is a
 *   no-op in the guest, but each statement is still a call with its arguments
 *   evaluated (state getters), about 30 per connection on QuickJS's interpreter.
 * - then minified (syntax and whitespace; names stay, for stack traces).
 * WASOCK_GUEST_PRETTY=1 skips the minifying, so that a guest stack's line
 * numbers name the code (for profiling).
 */
export function guestText(esbuild, text) {
  let n = 0;
  const stripped = text.replace(DEBUG_STATEMENT, (_m, indent) => {
    n++;
    return `${indent}void 0 && debug(`;
  });
  // a readable-stream release that logs differently would show here, not as a slow guest
  if (n < 20) throw new Error(`build-guest: expected readable-stream's debug() statements, found ${n}`);
  if (process.env.WASOCK_GUEST_PRETTY === "1") return stripped;
  const out = esbuild.transformSync(stripped, { target: "es2022", minifySyntax: true, minifyWhitespace: true, legalComments: "none" }).code;
  if (/(?<![\w$.])debug\(/.test(out)) throw new Error("build-guest: a debug() call is left in the guest bundle");
  return out;
}

export default async function build() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build(guestBuildOptions());
  if (result.outputFiles.length !== 1) throw new Error("build-guest: expected one output");
  mkdirSync(dirname(GUEST_OUT), { recursive: true });
  writeFileSync(GUEST_OUT, guestText(esbuild, result.outputFiles[0].text));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
