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

/** esbuild options shared by the build and by tests that run from source */
export function guestBuildOptions() {
  // WASOCK_GUEST_PRETTY=1 keeps one statement a line, so a guest stack's line
  // numbers name the code (for profiling; see bench/guest-profile.mjs).
  const pretty = process.env.WASOCK_GUEST_PRETTY === "1";
  return {
    entryPoints: [GUEST_ENTRY],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    platform: "browser",
    minifySyntax: !pretty,
    minifyWhitespace: !pretty,
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

export default async function build() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build(guestBuildOptions());
  if (result.outputFiles.length !== 1) throw new Error("build-guest: expected one output");
  mkdirSync(dirname(GUEST_OUT), { recursive: true });
  writeFileSync(GUEST_OUT, result.outputFiles[0].text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
