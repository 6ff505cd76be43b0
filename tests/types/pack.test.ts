// Packaging: one `npm pack` of the built package per run, then
// - @arethetypeswrong/cli and publint pass on the tarball;
// - a consumer project made from the tarball compiles a sandbox script (guest types
//   only) and an embedding program (wasock/node, wasock/quickjs; ESM and CJS) with
//   `tsc --noEmit` under moduleResolution node16, nodenext and bundler;
// - the same projects fail when given a deliberate type error.
// Needs the build (`npm run build`, which `npm test` runs first).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attw, importedPackages, makeConsumer, MODES, pack, publint, tsc, tsconfig } from "./pack.ts";
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

  it("has declarations that import only its dependencies, Node built-ins and the guest modules", () => {
    const pkg = JSON.parse(readFileSync(join(consumer, "node_modules", "wasock", "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    const deps = Object.keys(pkg.dependencies ?? {});
    const guestModules = ["net", "events", "buffer", "stream", "string_decoder", "timers", "process"];
    const imports = importedPackages(join(consumer, "node_modules", "wasock"));
    expect(imports.length).toBeGreaterThan(0);
    const bad = imports.filter(({ spec, file }) => {
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
      if (spec.startsWith("node:") || builtinModules.includes(spec)) return file.startsWith("types/") ? !guestModules.includes(spec.replace(/^node:/, "")) : false;
      return !deps.includes(name);
    });
    expect(bad).toEqual([]);
  });

  it("passes publint (warnings are errors)", async () => {
    const r = await publint(tgz);
    expect(r.code, r.output).toBe(0);
  }, 60_000);
});

describe("a consumer project built from the tarball", () => {
  for (const mode of MODES) {
    it(`compiles a sandbox script against wasock/guest (moduleResolution ${mode})`, async () => {
      expect(await tsc(consumer, tsconfig(consumer, "guest", mode, ["sandbox-script.ts"]))).toEqual([]);
    }, 60_000);

    it(`compiles an embedding program against wasock/node and wasock/quickjs (moduleResolution ${mode})`, async () => {
      const files = mode === "bundler" ? ["embed.mts"] : ["embed.mts", "embed.cts"];
      expect(await tsc(consumer, tsconfig(consumer, "host", mode, files))).toEqual([]);
    }, 60_000);
  }

  it("rejects a sandbox script with a type error", async () => {
    const errors = await tsc(consumer, tsconfig(consumer, "guest", "nodenext", ["sandbox-script-bad.ts"]));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^src\/sandbox-script-bad\.ts\(3,\d+\): error TS2769/);
  }, 60_000);

  it("rejects an embedding program with a type error", async () => {
    const errors = await tsc(consumer, tsconfig(consumer, "host", "node16", ["embed-bad.mts"]));
    expect(errors.filter((l) => l.startsWith("src/"))).toHaveLength(1);
    expect(errors.find((l) => l.startsWith("src/"))).toMatch(/^src\/embed-bad\.mts\(3,\d+\): error TS2322/);
  }, 60_000);
});
