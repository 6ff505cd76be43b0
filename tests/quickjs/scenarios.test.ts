// Shared behaviour scenarios as guest scripts: each script runs under Node with
// node:net (a child process) and inside a sandbox, and must print the same.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";
import { expectOk, LOOPBACK } from "./helpers.ts";

const run = promisify(execFile);
const dir = join(import.meta.dirname, "scenarios");
const tmp = mkdtempSync(join(tmpdir(), "wasock-ipc-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function onNode(name: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(dir, name), ...args], { timeout: 20_000 });
  return stdout;
}

async function inSandbox(name: string, args: string[]): Promise<string> {
  const r = await expectOk(join(dir, name), { ...LOOPBACK, cpuBudgetMs: 15_000, allowNet: [...(LOOPBACK.allowNet as string[]), `unix:${tmp}/`], root: dir, args });
  return r.stdout;
}

const cases: Array<[string, (impl: string) => string[]]> = [
  ["events-order.mjs", () => []],
  ["bytes.mjs", () => []],
  ["errors.mjs", () => []],
  ["half-open.mjs", () => []],
  ["pause-resume.mjs", () => []],
  ["timeouts.mjs", () => []],
  ["ipc.mjs", (impl) => [join(tmp, `${impl}.sock`)]],
  ["after-close.mjs", () => []],
  ["backpressure.mjs", () => []],
  ["onread.mjs", () => []],
];

describe("guest scenarios match node:net", () => {
  for (const [name, args] of cases) {
    test(name, async () => {
      const [expected, actual] = await Promise.all([onNode(name, args("node")), inSandbox(name, args("guest"))]);
      expect(expected.length).toBeGreaterThan(0);
      expect(actual).toBe(expected);
    });
  }
});
