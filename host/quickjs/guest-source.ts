/**
 * The guest bundle's text. In dist builds, scripts/build-quickjs.mjs replaces
 * this module with one that returns the embedded text of dist/guest/guest.js;
 * from source (tests), the bundle is built here once per process with esbuild.
 */
import { createRequire } from "node:module";

let cached: string | undefined;

export function guestSource(): string {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const esbuild = require("esbuild") as typeof import("esbuild");
  const { guestBuildOptions, guestText } = require("../../scripts/build-guest.mjs") as {
    guestBuildOptions(): import("esbuild").BuildOptions;
    guestText(esbuild: typeof import("esbuild"), text: string): string;
  };
  const result = esbuild.buildSync({ ...guestBuildOptions(), write: false });
  cached = guestText(esbuild, result.outputFiles![0]!.text);
  return cached;
}
