// Packaging helpers for pack.test.ts: pack the package once, lint the tarball, and
// build a consumer project from it in a temporary folder.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { ROOT } from "./tsc.ts";

const run = promisify(execFile);
const BIN = join(ROOT, "node_modules", ".bin");

export interface Outcome {
  code: number;
  output: string;
}

/** Runs a command; resolves with its exit code and combined output (never rejects on exit code). */
export async function exec(cmd: string, args: string[], cwd: string): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, maxBuffer: 16 << 20, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message: string };
    return { code: typeof err.code === "number" ? err.code : 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}${err.message}` };
  }
}

/** `npm pack` of pkgDir into dest, without lifecycle scripts (the build is done already). */
export async function pack(pkgDir: string, dest: string): Promise<string> {
  const r = await exec("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dest], pkgDir);
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.output}`);
  const json = r.output.slice(r.output.indexOf("["), r.output.lastIndexOf("]") + 1);
  const [info] = JSON.parse(json) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return join(dest, info!.filename);
}

export const attw = (tgz: string): Promise<Outcome> =>
  exec(join(BIN, "attw"), [tgz, "--profile", "node16", "--format", "ascii", "--no-color", "--no-emoji"], ROOT);

export const publint = (tgz: string): Promise<Outcome> => exec(join(BIN, "publint"), ["run", tgz, "--strict", "--level", "warning"], ROOT);

export type Mode = "node16" | "nodenext" | "bundler";
export const MODES: Mode[] = ["node16", "nodenext", "bundler"];

/** The package's runtime dependencies and theirs, as npm would hoist them. */
function dependencyClosure(): string[] {
  const seen = new Set<string>();
  const queue = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: object }).dependencies ?? {});
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    const pj = join(ROOT, "node_modules", name, "package.json");
    if (!existsSync(pj)) continue; // an optional dependency that is not installed here
    seen.add(name);
    queue.push(...Object.keys((JSON.parse(readFileSync(pj, "utf8")) as { dependencies?: object }).dependencies ?? {}));
  }
  return [...seen];
}

/**
 * A consumer project in `dir`, laid out as `npm install <tgz>` would: the tarball
 * unpacked as node_modules/wasock and its dependencies hoisted beside it (linked from
 * this repository's node_modules: no registry access), plus @types/node for the
 * embedding programs, and the fixture sources in src/.
 */
export async function makeConsumer(tgz: string, dir: string): Promise<void> {
  const nm = join(dir, "node_modules");
  mkdirSync(join(nm, "@types"), { recursive: true });
  const r = await exec("tar", ["xzf", tgz, "-C", nm], dir);
  if (r.code !== 0) throw new Error(`tar failed: ${r.output}`);
  renameSync(join(nm, "package"), join(nm, "wasock"));
  for (const dep of [...dependencyClosure(), "@types/node"]) {
    mkdirSync(dirname(join(nm, dep)), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dep), join(nm, dep), "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "wasock-consumer", private: true, type: "module" }));
  cpSync(join(ROOT, "tests", "types", "fixtures", "consumer"), join(dir, "src"), { recursive: true });
}

/**
 * Bare module specifiers that the published declarations import, with the file that
 * imports each (relative to the unpacked package).
 */
export function importedPackages(pkgDir: string): Array<{ spec: string; file: string }> {
  const out: Array<{ spec: string; file: string }> = [];
  for (const sub of ["dist/types", "types"]) {
    const base = join(pkgDir, sub);
    if (!existsSync(base)) continue;
    for (const f of readdirSync(base, { recursive: true }).map(String)) {
      if (!/\.d\.c?ts$/.test(f)) continue;
      const info = ts.preProcessFile(readFileSync(join(base, f), "utf8"), true, true);
      for (const ref of [...info.importedFiles, ...info.typeReferenceDirectives]) {
        if (!ref.fileName.startsWith(".")) out.push({ spec: ref.fileName, file: `${sub}/${f}` });
      }
    }
  }
  return out;
}

/** Writes tsconfig.<name>.json for a guest script or an embedding program under `mode`. */
export function tsconfig(dir: string, kind: "guest" | "host", mode: Mode, files: string[]): string {
  const module = mode === "bundler" ? "esnext" : mode;
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "es2022",
    lib: ["es2022"],
    module,
    moduleResolution: mode,
    skipLibCheck: false,
    types: kind === "guest" ? ["wasock/guest"] : ["node"],
  };
  const name = `tsconfig.${kind}.${mode}.${files.length}.${files[0]!.replace(/\W/g, "_")}.json`;
  writeFileSync(join(dir, name), JSON.stringify({ compilerOptions, files: files.map((f) => `src/${f}`) }, null, 2));
  return name;
}

/**
 * `tsc -p config` in `dir`. Returns the errors reported in the consumer's own sources
 * and in wasock's published declarations; errors inside other packages' declarations
 * (quickjs-emscripten's need lib "dom" for WebAssembly) are not wasock's and are left out.
 */
export async function tsc(dir: string, config: string): Promise<string[]> {
  const r = await exec(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", config, "--pretty", "false"], dir);
  const errors = r.output.split("\n").filter((l) => /error TS\d+/.test(l));
  if (r.code !== 0 && errors.length === 0) throw new Error(`tsc failed without diagnostics:\n${r.output}`);
  return errors.filter((l) => l.startsWith("src/") || l.startsWith("node_modules/wasock/"));
}

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}
