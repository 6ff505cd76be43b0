// Type tests for the guest-script declarations in types/: every overload resolves,
// listener parameters are typed per event, wrong calls fail to compile, and the
// declarations stand alone (no @types/node, no DOM lib).
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { ROOT, typecheck } from "./tsc.ts";

const fixture = (name: string): string => join(ROOT, "tests", "types", "fixtures", name);

describe("guest types (types/)", () => {
  it("compile on their own with lib checking on", () => {
    expect(typecheck([])).toEqual([]);
  });

  it("resolve every listen/connect/createServer/createConnection overload", () => {
    expect(typecheck([fixture("guest/overloads.ts")])).toEqual([]);
  });

  it("type the listener parameters of every Socket and Server event", () => {
    expect(typecheck([fixture("guest/listeners.ts")])).toEqual([]);
  });

  it("reject wrong calls (each @ts-expect-error must be used)", () => {
    expect(typecheck([fixture("guest/wrong-calls.ts")])).toEqual([]);
  });

  it("declare the sandbox globals and the events, buffer, stream and string_decoder modules", () => {
    expect(typecheck([fixture("guest/globals.ts")])).toEqual([]);
  });

  it("report a deliberate type error (the check can fail)", () => {
    const diags = typecheck([fixture("bad/deliberate.ts")]);
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatch(/deliberate\.ts:3 TS2769/);
  });
});
