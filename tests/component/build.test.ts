// The component builds, `jco new` accepts the embedded module, and the component's
// WIT is the wasock:core world: exports wasock:core/sockets, imports only wasi 0.2.
import { describe, it, expect, beforeAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCore, DIST, WA } from "./harness.ts";

const jcoBin = join(DIST, "..", "..", "node_modules", "@bytecodealliance", "jco", "dist", "jco.js");

function jco(...args: string[]) {
  const r = spawnSync(process.execPath, [jcoBin, ...args], { encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("the core component", () => {
  beforeAll(async () => {
    await loadCore(); // builds dist/component when missing
  });

  it("`jco new` accepts the embedded core module", () => {
    const dir = mkdtempSync(join(tmpdir(), "wasock-component-"));
    try {
      const out = join(dir, "core.wasm");
      const r = jco("new", join(DIST, "wasock-core.embed.wasm"), "-o", out);
      expect(r.status, r.out).toBe(0);
      expect(existsSync(out)).toBe(true);
      // a component, not a core module: layer 1 in the preamble
      const head = readFileSync(out).subarray(0, 8);
      expect([...head]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports wasock:core/sockets and config, and imports only wasi:sockets, wasi:io and wasi:clocks", () => {
    const r = jco("wit", join(DIST, "wasock-core.wasm"));
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("export wasock:core/sockets@0.1.0;");
    expect(r.out).toContain("export wasock:core/config@0.1.0;");
    const imports = [...r.out.matchAll(/^\s*import ([^;]+);/gm)].map((m) => m[1]).sort();
    expect(imports).toEqual([
      "wasi:clocks/monotonic-clock@0.2.3",
      "wasi:io/error@0.2.3",
      "wasi:io/poll@0.2.3",
      "wasi:io/streams@0.2.3",
      "wasi:sockets/instance-network@0.2.3",
      "wasi:sockets/ip-name-lookup@0.2.3",
      "wasi:sockets/network@0.2.3",
      "wasi:sockets/tcp-create-socket@0.2.3",
      "wasi:sockets/tcp@0.2.3",
    ]);
  });

  it("its core module validates and exports canonical-ABI names only", () => {
    const bytes = readFileSync(join(DIST, "wasock-core.module.wasm"));
    expect(WA.validate(bytes)).toBe(true);
    const names = WA.Module.exports(new WA.Module(bytes)).map((e: { name: string }) => e.name);
    expect(names).toContain("cabi_realloc");
    expect(names).toContain("memory");
    expect(names).toContain("wasock:core/sockets@0.1.0#poll");
    expect(names).toContain("cabi_post_wasock:core/sockets@0.1.0#poll");
    expect(names).toContain("wasock:core/config@0.1.0#policy-add-cidr");
    for (const n of names) expect(n).toMatch(/^(memory|cabi_realloc|(cabi_post_)?wasock:core\/(sockets|config)@0\.1\.0#[a-z-]+)$/);
  });
});
