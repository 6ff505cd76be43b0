// Packaging: one `npm pack` of the built package per run, then
// - @arethetypeswrong/cli and publint pass on the tarball;
// - a consumer project made from the tarball compiles a sandbox script (guest types
//   only) and an embedding program (wasock/node, wasock/quickjs; ESM and CJS) with
//   `tsc --noEmit` under moduleResolution node16, nodenext and bundler;
// - the same projects fail when given a deliberate type error.
// Needs the build (`npm run build`, which `npm test` runs first).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attw, makeConsumer, MODES, pack, publint, tsc, tsconfig } from "./pack.ts";
import { ROOT } from "./tsc.ts";

const BUILT = ["dist/node/index.mjs", "dist/node/index.cjs", "dist/quickjs/index.mjs", "dist/quickjs/index.cjs", "dist/types/ts-api/node.d.ts", "dist/types/host/quickjs/index.d.ts"];

let tmp = "";
let tgz = "";
let consumer = "";

beforeAll(async () => {
  const missing = BUILT.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length > 0) throw new Error(`pack test: the build is missing ${missing.join(", ")}; run \`npm run build\` first`);
  tmp = mkdtempSync(join(tmpdir(), "wasock-pack-"));
  tgz = await pack(ROOT, tmp);
  consumer = join(tmp, "consumer");
  await makeConsumer(tgz, consumer);
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("passes @arethetypeswrong/cli (node16 profile: node16, nodenext and bundler resolution)", async () => {
    const r = await attw(tgz);
    expect(r.output).toMatch(/wasock\/quickjs/);
    expect(r.code, r.output).toBe(0);
  }, 60_000);

  it("passes publint (warnings are errors)", async () => {
    const r = await publint(tgz);
    expect(r.code, r.output).toBe(0);
  }, 60_000);
});

describe("a consumer project built from the tarball", () => {
  for (const mode of MODES) {
    it(`compiles a sandbox script against wasock/guest (moduleResolution ${mode})`, async () => {
      const r = await tsc(consumer, tsconfig(consumer, "guest", mode, ["sandbox-script.ts"]));
      expect(r.output).toBe("");
      expect(r.code).toBe(0);
    }, 60_000);

    it(`compiles an embedding program against wasock/node and wasock/quickjs (moduleResolution ${mode})`, async () => {
      const files = mode === "bundler" ? ["embed.mts"] : ["embed.mts", "embed.cts"];
      const r = await tsc(consumer, tsconfig(consumer, "host", mode, files));
      expect(r.output).toBe("");
      expect(r.code).toBe(0);
    }, 60_000);
  }

  it("rejects a sandbox script with a type error", async () => {
    const r = await tsc(consumer, tsconfig(consumer, "guest", "nodenext", ["sandbox-script-bad.ts"]));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/sandbox-script-bad\.ts\(3,\d+\): error TS2769/);
  }, 60_000);

  it("rejects an embedding program with a type error", async () => {
    const r = await tsc(consumer, tsconfig(consumer, "host", "node16", ["embed-bad.mts"]));
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/embed-bad\.mts\(3,\d+\): error TS2322/);
  }, 60_000);
});
