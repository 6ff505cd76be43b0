// Type tests for the guest-script declarations in types/: every overload resolves,
// listener parameters are typed per event, wrong calls fail to compile, and the
// declarations stand alone (no @types/node, no DOM lib).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ROOT, typecheck } from "./tsc.ts";

const fixture = (name: string): string => join(ROOT, "tests", "types", "fixtures", name);
const GOOD = ["guest/overloads.ts", "guest/listeners.ts", "guest/wrong-calls.ts", "guest/globals.ts"];

// One compiler run for all good fixtures; each test looks at its own file's diagnostics.
let all: string[] | undefined;
function diagnosticsOf(name: string | null): string[] {
  all ??= typecheck(GOOD.map(fixture));
  return all.filter((d) => (name === null ? !GOOD.some((g) => d.includes(g)) : d.includes(name)));
}

describe("guest types (types/)", () => {
  it("compile on their own with lib checking on", () => {
    expect(diagnosticsOf(null)).toEqual([]);
  });

  it("resolve every listen/connect/createServer/createConnection overload", () => {
    expect(diagnosticsOf("guest/overloads.ts")).toEqual([]);
  });

  it("type the listener parameters of every Socket and Server event", () => {
    expect(diagnosticsOf("guest/listeners.ts")).toEqual([]);
  });

  it("reject wrong calls (each @ts-expect-error must be used)", () => {
    expect(diagnosticsOf("guest/wrong-calls.ts")).toEqual([]);
  });

  it("declare the sandbox globals and the events, buffer, stream and string_decoder modules", () => {
    expect(diagnosticsOf("guest/globals.ts")).toEqual([]);
  });

  it("report a deliberate type error (the check can fail)", () => {
    const diags = typecheck([fixture("bad/deliberate.ts")]);
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatch(/deliberate\.ts:3 TS2769/);
  });
});
