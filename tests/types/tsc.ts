// Runs the TypeScript compiler (the API behind `tsc --noEmit`) over fixture files and
// returns its diagnostics as text, one per line, with file:line.
import ts from "typescript";
import { fileURLToPath } from "node:url";
import { dirname, join, relative } from "node:path";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const GUEST_TYPES = join(ROOT, "types", "index.d.ts");

/** Options for a guest-script project: ES2022, no DOM, no @types/node, strict, lib checked. */
export const GUEST_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  lib: ["lib.es2022.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  types: [],
  skipLibCheck: false,
  noUnusedLocals: false,
};

export function typecheck(files: string[], options: ts.CompilerOptions = GUEST_OPTIONS): string[] {
  const program = ts.createProgram({ rootNames: [GUEST_TYPES, ...files], options });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    if (!d.file || d.start === undefined) return `TS${d.code}: ${text}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${relative(ROOT, d.file.fileName)}:${line + 1} TS${d.code}: ${text}`;
  });
}
