/**
 * ref/unref against a real event loop: each case runs in a child process
 * once with node:net and once with a bundle of wasock/node, and we compare
 * what it printed and whether the process exited by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const SCRIPT = fileURLToPath(new URL("./refcheck.mjs", import.meta.url));
const ENTRY = fileURLToPath(new URL("../../ts-api/node.ts", import.meta.url));
const SELF = process.env.WASOCK_CONFORMANCE_SELF === "1";

let dir = "";
let bundle = "";
let bundleError: unknown;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "wsk-ref-"));
  bundle = join(dir, "wasock-node.mjs");
  try {
    await build({ entryPoints: [ENTRY], bundle: true, platform: "node", format: "esm", target: "node20", outfile: bundle, logLevel: "silent" });
  } catch (e) {
    bundleError = e;
  }
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  exited: boolean;
  code: number | null;
  out: string[];
  err?: string;
}

function run(mod: string, which: string, waitMs = 1500): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, mod, which], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const t = setTimeout(() => child.kill("SIGKILL"), waitMs);
    child.on("exit", (code, signal) => {
      clearTimeout(t);
      resolve({ exited: signal === null, code, out: out.split("\n").filter(Boolean), ...(err ? { err: err.slice(0, 500) } : {}) });
    });
  });
}

const CASES: [string, boolean][] = [
  ["server-unref", true],
  ["server-ref", false],
  ["server-unref-before-listen", true],
  ["socket-unref", true],
  ["socket-ref", false],
  ["socket-unref-before-connect", true],
  ["socket-timeout-unref", true],
  ["connecting-unref", true],
  ["unhandled-error", true],
  ["unhandled-server-error", true],
  ["error-presentation", true],
];

describe("ref/unref keep (or not) the event loop alive", () => {
  for (const [which, exits] of CASES) {
    it(which, async () => {
      const [node, wasock] = await Promise.all([run("node:net", which), SELF ? run("node:net", which) : bundleError ? Promise.resolve({ bundleError: String(bundleError) }) : run(bundle, which)]);
      expect(node.exited, "node:net itself").toBe(exits);
      // 'connected' may or may not be printed before an unref'd process exits
      const norm = (o: Outcome | { bundleError: string }) => {
        if (!("out" in o)) return o;
        const out = which === "socket-unref-before-connect" || which === "connecting-unref" ? [] : o.out;
        // for a crash, compare the thrown error's first line, not the stack
        const err = o.err?.split("\n").find((l) => /^\w*Error/.test(l))?.replace(/:\d{2,5}$/, ":PORT");
        return { exited: o.exited, code: o.code, out, err };
      };
      expect(norm(wasock)).toEqual(norm(node));
    }, 20_000);
  }
});
