// The host API types (wasock/node, wasock/quickjs) are generated from the sources by
// scripts/build-types.mjs. They can only be right if the sources type-check: this
// compiles the present entries with the project's tsconfig, as the build does.
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./tsc.ts";
import { TYPE_ENTRIES, declarationOptions, presentEntries, type TypeEntry } from "../../scripts/build-types.mjs";

describe("host API declarations", () => {
  it("cover every host entry point of package.json", async () => {
    const pkg = (await import("../../package.json", { with: { type: "json" } })).default as {
      exports: Record<string, unknown>;
    };
    const covered = TYPE_ENTRIES.flatMap((e) => e.exports);
    const hostExports = Object.keys(pkg.exports).filter((k) => k !== "./package.json" && k !== "./guest");
    expect(hostExports.sort()).toEqual(covered.sort());
  });

  for (const entry of TYPE_ENTRIES) {
    const present = presentEntries().some((e) => e.source === entry.source);
    it.skipIf(!present)(`${entry.source} (${entry.exports.join(", ")}) type-checks, so its declarations can be trusted`, () => {
      const program = ts.createProgram({ rootNames: [join(ROOT, entry.source)], options: declarationOptions() });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.category === ts.DiagnosticCategory.Error)
        .map((d) => {
          const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
          if (!d.file || d.start === undefined) return text;
          const { line } = d.file.getLineAndCharacterOfPosition(d.start);
          return `${d.file.fileName.slice(ROOT.length + 1)}:${line + 1} TS${d.code} ${text}`;
        });
      expect(errors).toEqual([]);
    });
  }
});
