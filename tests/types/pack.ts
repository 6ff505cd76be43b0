// Packaging helpers for pack.test.ts: pack the package once, lint the tarball, and
// build a consumer project from it in a temporary folder.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
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

/**
 * A consumer project in `dir`: the tarball unpacked as node_modules/wasock (what
 * `npm install <tgz>` puts there), the dependencies it needs linked from this
 * repository's node_modules (no registry access), and the fixture sources in src/.
 */
export async function makeConsumer(tgz: string, dir: string): Promise<void> {
  const nm = join(dir, "node_modules");
  mkdirSync(join(nm, "@types"), { recursive: true });
  const r = await exec("tar", ["xzf", tgz, "-C", nm], dir);
  if (r.code !== 0) throw new Error(`tar failed: ${r.output}`);
  renameSync(join(nm, "package"), join(nm, "wasock"));
  symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(nm, "@types", "node"), "dir");
  for (const dep of ["quickjs-emscripten", "typescript"]) symlinkSync(join(ROOT, "node_modules", dep), join(nm, dep), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "wasock-consumer", private: true, type: "module" }));
  cpSync(join(ROOT, "tests", "types", "fixtures", "consumer"), join(dir, "src"), { recursive: true });
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

export const tsc = (dir: string, config: string): Promise<Outcome> =>
  exec(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", config], dir);

export function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String);
}
