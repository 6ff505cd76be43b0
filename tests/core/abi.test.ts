// The WIT in wasm/wit/core.wit against the built core and host/core/api.ts: a drift test.
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Code, Ev, SocketState, ServerState } from "../../host/core/api.ts";
import { coreModule } from "../../host/core/core.ts";

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

const kebab = (s: string) => s.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());

describe("wasm/wit/core.wit", () => {
  test("every core function is a raw export, and every export is in the WIT", () => {
    const fns = [...block("interface", "core").matchAll(/^\s*([a-z][a-z0-9-]*): func/gm)].map((m) => m[1].replace(/-/g, "_"));
    const exports = WebAssembly.Module.exports(coreModule())
      .map((e) => e.name)
      .filter((n) => n !== "memory" && n !== "_initialize");
    expect(fns.length).toBeGreaterThan(40);
    expect([...fns].sort()).toEqual([...exports].sort());
  });

  test("the only imports are the host interface's", () => {
    const imports = WebAssembly.Module.imports(coreModule());
    expect(imports.filter((i) => i.module !== "wasi_snapshot_preview1")).toEqual([
      { module: "wasock", name: "fatal", kind: "function" },
    ]);
  });

  test("error-code cases are api.ts Code 1.. in order", () => {
    const cases = enumCases("error-code");
    expect(cases.length).toBe(Code.Deliver);
    cases.forEach((c, i) => expect(kebab((Code as unknown as Record<number, string>)[i + 1])).toBe(c));
  });

  test("states and event kinds match api.ts", () => {
    const st = enumCases("socket-state");
    st.forEach((c, i) => expect(kebab((SocketState as unknown as Record<number, string>)[i])).toBe(c));
    expect(st.length).toBe(SocketState.Closed + 1);
    const sv = enumCases("server-state");
    sv.forEach((c, i) => expect(kebab((ServerState as unknown as Record<number, string>)[i])).toBe(c));
    const evs = enumCases("event-kind");
    const named = Object.entries(Ev).filter(([, v]) => typeof v === "number").map(([k]) => kebab(k));
    expect(new Set(evs)).toEqual(new Set(named));
  });

  test("the WIT parses (jco's wasm-tools)", async () => {
    const { _setPreopens } = await import("@bytecodealliance/preview2-shim/filesystem");
    _setPreopens({ "/": "/" });
    const jco = await import("@bytecodealliance/jco");
    const embedded = await jco.componentEmbed({ dummy: true, witPath, world: "wasock-core" });
    expect(embedded.length).toBeGreaterThan(0);
  });
});
