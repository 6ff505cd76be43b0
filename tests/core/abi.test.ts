// The WIT in wasm/wit/core.wit against the built core and host/core/api.ts: a drift test.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Core, CoreFatalError, RAW, coreModuleInfo } from "../../host/core/core.ts";
import { Code, Kind } from "../../host/core/api.ts";

const witPath = fileURLToPath(new URL("../../wasm/wit/core.wit", import.meta.url));
const wit = readFileSync(witPath, "utf8");

function block(kind: "interface" | "enum", name: string): string {
  const start = wit.indexOf(`${kind} ${name} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (let i = wit.indexOf("{", start); i < wit.length; i++) {
    if (wit[i] === "{") depth++;
    else if (wit[i] === "}" && --depth === 0) return wit.slice(start, i);
  }
  throw new Error(`unterminated ${name}`);
}

function enumCases(name: string): string[] {
  const b = block("enum", name);
  return b
    .slice(b.indexOf("{") + 1)
    .split("\n")
    .map((l) => l.replace(/\/\/.*$/, "").trim())
    .join(" ")
    .split(/[,\s]+/)
    .filter(Boolean);
}

/** `export const enum Name { A = 0, ... }` in host/core/api.ts, as [name, value] pairs */
const apiText = readFileSync(fileURLToPath(new URL("../../host/core/api.ts", import.meta.url)), "utf8");
function apiEnum(name: string): [string, number][] {
  const m = new RegExp(`export const enum ${name} \\{([^}]*)\\}`).exec(apiText);
  expect(m, name).not.toBeNull();
  return [...m![1].replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "").matchAll(/([A-Za-z]+)\s*=\s*(\d+)/g)]
    .map((x) => [x[1], Number(x[2])]);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());

describe("wasm/wit/core.wit", () => {
  test("every core function is a raw export, and every export is in the WIT", () => {
    const fns = [...block("interface", "core").matchAll(/^\s*([a-z][a-z0-9-]*): func/gm)].map((m) => m[1].replace(/-/g, "_"));
    const exports = coreModuleInfo().exports.filter((n) => n !== "memory" && n !== "_initialize");
    expect(fns.length).toBeGreaterThan(40);
    expect([...fns].sort()).toEqual([...exports].sort());
  });

  test("the only imports are the host interface's", () => {
    const imports = coreModuleInfo().imports;
    expect(imports.filter((i) => i.module !== "wasi_snapshot_preview1")).toEqual([
      { module: "wasock", name: "fatal", kind: "function" },
    ]);
  });

  test("error-code cases are api.ts Code 1.. in order", () => {
    const cases = enumCases("error-code");
    const code = apiEnum("Code").filter(([, v]) => v > 0);
    expect(cases).toEqual(code.map(([k]) => kebab(k)));
    code.forEach(([, v], i) => expect(v).toBe(i + 1));
  });

  test("states and event kinds match api.ts", () => {
    for (const [wit, api] of [["socket-state", "SocketState"], ["server-state", "ServerState"]]) {
      const names = apiEnum(api);
      expect(enumCases(wit)).toEqual(names.map(([k]) => kebab(k)));
      names.forEach(([, v], i) => expect(v).toBe(i));
    }
    expect(enumCases("event-kind")).toEqual(apiEnum("Ev").map(([k]) => kebab(k)));
  });

  test("the WIT parses (jco's wasm-tools)", async () => {
    const fs = (await import("@bytecodealliance/preview2-shim/filesystem")) as unknown as {
      _setPreopens(p: Record<string, string>): void;
    };
    fs._setPreopens({ "/": "/" }); // jco's wasm-tools reads the WIT through WASI
    const jco = await import("@bytecodealliance/jco");
    const embed = jco.componentEmbed as unknown as (o: object) => Promise<Uint8Array>;
    const embedded = await embed({ dummy: true, witPath, world: "wasock-core" });
    expect(embedded.length).toBeGreaterThan(0);
  });
});

describe("safety", () => {
  test("a broken invariant reaches the host as a CoreFatalError (never proc_exit or a bare trap)", () => {
    const c = Core.create({ capacity: 4 });
    const h = c.socketOpen(Kind.Tcp, false);
    c.connectAddress(h, "127.0.0.1", 1, 0);
    c.onConnected(h, null, 0);
    const marker = 0x03572468; // queued bytes; bytesWritten holds a different number
    expect(c.write(h, marker + 0x10000000, 0)).toBe(Code.Ok);
    expect(c.onWritten(h, 0x10000000, 0)).toBe(Code.Ok);
    expect(c.checkInvariants()).toBe(1);
    // corrupt the socket's queued-bytes field behind the core's back
    const mem = new Uint32Array(c[RAW]().memory.buffer);
    const at = mem.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    expect(mem.indexOf(marker, at + 1)).toBe(-1);
    mem[at] = marker - 1;
    let err: unknown;
    try {
      c.checkInvariants();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CoreFatalError);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/buffered bytes at wasm\/assembly\/abi\.ts:\d+/);
  });
});
