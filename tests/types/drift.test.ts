// No drift between the published guest types (types/) and the runtime: the public
// members of `net`, `net.Socket` and `net.Server` that types/ declares must be exactly
// those that the runtime has, on Node and inside a QuickJS sandbox. Members shared with
// the base classes (stream.Duplex, events.EventEmitter) are compared separately: each
// one declared must exist at run time.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Duplex } from "node:stream";
import { EventEmitter } from "node:events";
import { beforeAll, describe, expect, it } from "vitest";
import { declaredSurface, type DeclaredSurface } from "./declared.ts";
import { LIST_MEMBERS, type RuntimeSurface } from "./members.ts";
import { ROOT } from "./tsc.ts";
import type { Backend } from "../../host/backend.ts";

type ListFn = (net: unknown, D: unknown, E: unknown) => RuntimeSurface;
const listMembers = (0, eval)(LIST_MEMBERS) as ListFn;

const SURFACES = ["net", "socket", "server", "socketStatic", "serverStatic"] as const;

function diff(declared: DeclaredSurface, runtime: RuntimeSurface) {
  const out: Record<string, { declaredNotImplemented: string[]; implementedNotDeclared: string[] }> = {};
  for (const k of SURFACES) {
    const d = new Set(declared[k]);
    const r = new Set(runtime[k]);
    out[k] = {
      declaredNotImplemented: [...d].filter((n) => !r.has(n)),
      implementedNotDeclared: [...r].filter((n) => !d.has(n)),
    };
  }
  return out;
}

function noDrift() {
  return Object.fromEntries(SURFACES.map((k) => [k, { declaredNotImplemented: [], implementedNotDeclared: [] }]));
}

function expectNoDrift(declared: DeclaredSurface, runtime: RuntimeSurface): void {
  // Guard against a lister that sees nothing: the comparison would then be vacuous.
  expect(runtime.net).toContain("createServer");
  expect(runtime.socket).toContain("setNoDelay");
  expect(runtime.server).toContain("listen");
  expect(diff(declared, runtime)).toEqual(noDrift());
  // Base-class members that types/ declares (Duplex, EventEmitter) exist at run time.
  expect(declared.duplexAll.filter((n) => !runtime.duplexAll.includes(n))).toEqual([]);
  expect(declared.emitterAll.filter((n) => !runtime.emitterAll.includes(n))).toEqual([]);
}

/** A Backend that only accepts setDispatch: listing members never does I/O. */
const stubBackend = new Proxy({} as Backend, {
  get: (_t, key) =>
    key === "setDispatch"
      ? () => {}
      : () => {
          throw new Error(`drift test: unexpected backend call ${String(key)}`);
        },
});

const has = (rel: string): boolean => existsSync(join(ROOT, rel));

let declared: DeclaredSurface;
beforeAll(() => {
  declared = declaredSurface();
});

describe("types/ against the runtime", () => {
  it("the comparison catches drift (a doctored runtime list fails)", async () => {
    const { createNetModule } = await import("../../ts-api/net.ts");
    const runtime = listMembers(createNetModule(stubBackend), Duplex, EventEmitter);
    const doctored = { ...runtime, socket: runtime.socket.filter((n) => n !== "setNoDelay").concat("getPeerCertificate") };
    const d = diff(declared, doctored);
    expect(d.socket.declaredNotImplemented).toContain("setNoDelay");
    expect(d.socket.implementedNotDeclared).toContain("getPeerCertificate");
  });

  it("on Node: ts-api/net.ts (createNetModule) has exactly the declared members", async () => {
    const { createNetModule } = await import("../../ts-api/net.ts");
    expectNoDrift(declared, listMembers(createNetModule(stubBackend), Duplex, EventEmitter));
  });

  it.skipIf(!has("ts-api/node.ts"))("on Node: the wasock/node entry (ts-api/node.ts) has exactly the declared members", async () => {
    const mod = (await import("../../ts-api/node.ts")) as unknown as Record<string, unknown>;
    // Its named exports are the same net names, plus createNet (host API, not guest).
    const named = Object.keys(mod).filter((k) => k !== "default" && k !== "createNet").sort();
    expect(named).toEqual(declared.net);
    expectNoDrift(declared, listMembers(mod.default, Duplex, EventEmitter));
  });

  it.skipIf(!has("host/quickjs/index.ts") || !has("host/node/driver.ts"))(
    "in a QuickJS sandbox: the guest's net has exactly the declared members",
    async () => {
      const { createSandbox } = await import("../../host/quickjs/index.ts");
      const mods = Object.keys(declared.modules);
      let out = "";
      let err = "";
      const sandbox = await createSandbox({ stdout: (t: string) => void (out += t), stderr: (t: string) => void (err += t) });
      try {
        await sandbox.run({
          source: [
            'import net from "net";',
            'import { Duplex } from "stream";',
            'import { EventEmitter } from "events";',
            ...mods.map((m, i) => `import * as m${i} from ${JSON.stringify(m)};`),
            `const surface = ${LIST_MEMBERS}(net, Duplex, EventEmitter);`,
            `surface.modules = { ${mods.map((m, i) => `${JSON.stringify(m)}: Object.keys(m${i})`).join(", ")} };`,
            `surface.missingGlobals = ${JSON.stringify(declared.globals)}.filter((n) => typeof globalThis[n] === "undefined");`,
            'surface.hasAsyncDispose = typeof Symbol.asyncDispose === "symbol";',
            "console.log(JSON.stringify(surface));",
          ].join("\n"),
        });
      } finally {
        sandbox.dispose();
      }
      expect(err).toBe("");
      const runtime = JSON.parse(out) as RuntimeSurface & { modules: Record<string, string[]>; missingGlobals: string[]; hasAsyncDispose: boolean };
      // Every declared global exists in the sandbox, and every declared module export.
      expect.soft(runtime.missingGlobals).toEqual([]);
      // types/ declares server[Symbol.asyncDispose]: the sandbox must have the symbol.
      if (declared.server.includes("[Symbol.asyncDispose]")) expect.soft(runtime.hasAsyncDispose, "Symbol.asyncDispose in the sandbox").toBe(true);
      const missingExports = Object.fromEntries(mods.map((m) => [m, declared.modules[m]!.filter((n) => !runtime.modules[m]!.includes(n))]));
      expect.soft(missingExports).toEqual(Object.fromEntries(mods.map((m) => [m, []])));
      expectNoDrift(declared, JSON.parse(out) as RuntimeSurface);
    },
  );
});

describe("error codes in types/ against the sources", () => {
  const read = (rel: string): string => (has(rel) ? readFileSync(join(ROOT, rel), "utf8") : "");

  it("every ERR_* the net sources raise is in NodeErrorCode", () => {
    const files = ["ts-api/socket.ts", "ts-api/socket-connect.ts", "ts-api/socket-write.ts", "ts-api/server.ts", "ts-api/net.ts", "ts-api/validate.ts", "ts-api/blocklist.ts", "ts-api/socketaddress.ts", "ts-api/ip.ts"];
    const raised = new Set<string>();
    for (const f of files) for (const m of read(f).matchAll(/\b(ERR_[A-Z0-9_]+)\(/g)) raised.add(m[1]!);
    expect(raised.size).toBeGreaterThan(5);
    expect([...raised].filter((c) => !declared.nodeCodes.includes(c)).sort()).toEqual([]);
  });

  it("every system code the Node driver maps core errors to is in SystemErrorCode", () => {
    // host/core/system-codes.ts holds the Code -> system code table the driver uses.
    const src = read("host/node/errors.ts") + read("host/core/system-codes.ts");
    // errno-style codes (ECONNREFUSED) are system errors; the ERR_* codes the driver
    // also returns (policy, quota, bad address) are Node-style codes, declared in NodeErrorCode.
    const all = [...src.matchAll(/(?:code: |case |\[)"(E[A-Z0-9_]+)"/g)].map((m) => m[1]!);
    const mapped = new Set(all.filter((c) => !c.startsWith("ERR_")));
    const nodeStyle = new Set(all.filter((c) => c.startsWith("ERR_")));
    expect(mapped.size).toBeGreaterThan(5);
    expect([...mapped].filter((c) => !declared.systemCodes.includes(c)).sort()).toEqual([]);
    expect([...nodeStyle].filter((c) => !declared.nodeCodes.includes(c)).sort()).toEqual([]);
  });

  it("the policy and quota codes are declared", () => {
    expect(declared.nodeCodes).toEqual(expect.arrayContaining(["ERR_ACCESS_DENIED", "ERR_QUOTA_EXCEEDED", "ERR_NOT_SUPPORTED"]));
  });
});
