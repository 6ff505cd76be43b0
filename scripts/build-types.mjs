// Generates the declarations of the host APIs (wasock/node, wasock/quickjs) from the
// TypeScript sources with the compiler's declaration emit, into dist/types/:
//   dist/types/<path>.d.ts   ESM tree ("import" condition), relative imports as .js
//   dist/types/<path>.d.cts  CJS tree ("require" condition), relative imports as .cjs
// The guest-script types (types/) are hand-written and ship as they are.
//
// An entry whose source does not exist yet is skipped with a printed note. For a
// present entry, a failed declaration emit throws; type errors in the sources are
// printed here and fail tests/types/hosttypes.test.ts.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Host API entries: source, and the package.json export that points at its types. */
export const TYPE_ENTRIES = [
  { exports: [".", "./node"], source: "ts-api/node.ts" },
  { exports: ["./quickjs"], source: "host/quickjs/index.ts" },
];

export const TYPES_OUT = join(root, "dist/types");

/**
 * Compiler options for the declaration emit (also used by the host-types test): the
 * project's tsconfig.json, so that the emit sees the sources as the editor does, with
 * the emit switched on.
 */
export function declarationOptions() {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(`build types: tsconfig.json: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    },
  });
  return {
    ...parsed.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    outDir: TYPES_OUT,
    rootDir: root,
    stripInternal: true,
  };
}

/** The entries whose source exists. */
export function presentEntries() {
  return TYPE_ENTRIES.filter((e) => existsSync(join(root, e.source)));
}

/** `from "./x.ts"` and `import("./x.ts")` -> the given extension; other specifiers untouched. */
function rewriteSpecifiers(text, ext) {
  return text.replace(/((?:from\s+|import\s*\(\s*|require\s*\(\s*)["'])(\.{1,2}\/[^"']*?)\.(?:ts|js)(["'])/g, `$1$2${ext}$3`);
}

function format(diags) {
  return ts.formatDiagnostics(diags, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => "\n",
  });
}

export default async function build() {
  for (const e of TYPE_ENTRIES) {
    if (!existsSync(join(root, e.source))) {
      console.log(`build types: ${e.source} does not exist yet; skipping ${e.exports.join(", ")}`);
    }
  }
  const entries = presentEntries();
  rmSync(TYPES_OUT, { recursive: true, force: true });
  if (entries.length === 0) return;

  const program = ts.createProgram({
    rootNames: entries.map((e) => join(root, e.source)),
    options: declarationOptions(),
  });
  const written = [];
  const result = program.emit(undefined, (file, text) => {
    mkdirSync(dirname(file), { recursive: true });
    const esm = file.replace(/\.d\.ts$/, ".d.ts");
    writeFileSync(esm, rewriteSpecifiers(text, ".js"));
    writeFileSync(file.replace(/\.d\.ts$/, ".d.cts"), rewriteSpecifiers(text, ".cjs"));
    written.push(relative(root, esm));
  });
  if (result.emitSkipped || result.diagnostics.length > 0) {
    throw new Error(`build types: declaration emit failed\n${format(result.diagnostics)}`);
  }
  for (const e of entries) {
    const out = join(TYPES_OUT, e.source.replace(/\.ts$/, ".d.ts"));
    if (!existsSync(out)) throw new Error(`build types: no declarations were written for ${e.source}`);
    // Sanity: the emitted entry must not be empty (an entry with no exports is a bug).
    if (!/\bexport\b/.test(readFileSync(out, "utf8"))) throw new Error(`build types: ${out} exports nothing`);
  }
  const semantic = ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (semantic.length > 0) {
    console.warn(
      `build types: ${semantic.length} type error(s) in the sources; declarations were written but may be wrong ` +
        `(tests/types/hosttypes.test.ts fails until they are fixed):\n${format(semantic.slice(0, 20))}`,
    );
  }
  console.log(`build types: ${written.length} declaration files (+ .d.cts) for ${entries.map((e) => e.source).join(", ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await build();
