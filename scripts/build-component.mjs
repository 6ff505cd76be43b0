#!/usr/bin/env node
// Builds the wasock core as a WebAssembly component (issue 6).
//
//   asc (wasm/component/index.ts, canonical-ABI glue + driver + the core's modules)
//     -> binaryen: rename exports to `pkg:iface@ver#func` (AssemblyScript cannot emit
//        such names), features All but compact imports
//     -> embed the WIT world wasm/wit-component (jco's wasm-tools, API: `jco embed` is
//        broken under preview2-shim 0.26 without _setPreopens)
//     -> `jco new` (componentNew): the component, dist/component/wasock-core.wasm
//     -> `jco transpile` for Node with preview2-shim: dist/component/js/ (instance on
//        import) and dist/component/inst/ (instantiate() per call)
//
// Then, optionally, the plugin example (examples/plugin) with componentize-qjs --sync.
// A missing optional tool skips only its step, with the reason printed.
import { mkdirSync, writeFileSync, readFileSync, existsSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist", "component");

/** The component's exported interfaces: AssemblyScript export prefix -> WIT name. */
export const CORE_TARGET = {
  entry: "wasm/component/index.ts",
  wit: "wasm/wit-component",
  world: "core",
  name: "wasock-core",
  // AS exports `<prefix>_<camelName>`; each becomes `<iface>#<kebab-name>`
  interfaces: { sockets: "wasock:core/sockets@0.1.0", config: "wasock:core/config@0.1.0" },
};

const kebab = (s) => s.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());

function asc(entry, wasmOut) {
  const ascBin = join(root, "node_modules", "assemblyscript", "bin", "asc.js");
  // Our own config: the project's asconfig.json adds the core's entry, the WASI
  // shim and the `wasock.fatal` import, none of which a component may have.
  const args = [ascBin, entry, "-o", wasmOut, "--config", "wasm/component/asconfig.json", "--target", "release"];
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`asc ${entry} failed:\n${r.stdout}${r.stderr}`);
}

/**
 * Renames AssemblyScript exports to component names.
 * `<prefix>_<camel>` -> `<iface>#<kebab>`; `cabi_post_<prefix>_<camel>` -> `cabi_post_<iface>#<kebab>`.
 * Exports that match no prefix and are not canonical-ABI names are removed.
 */
export async function renameExports(bytes, interfaces) {
  const binaryen = (await import("binaryen")).default;
  const m = binaryen.readBinary(bytes);
  // All features (the PITFALLS fact), except compact imports: binaryen 132 would then
  // group imports in an encoding jco's parser rejects.
  m.setFeatures(binaryen.Features.All & ~binaryen.Features.CompactImports);
  const keep = new Set(["memory", "cabi_realloc"]);
  const names = [];
  for (let i = 0; i < m.getNumExports(); i++) names.push(binaryen.getExportInfo(m.getExportByIndex(i)));
  for (const info of names) {
    if (keep.has(info.name)) continue;
    m.removeExport(info.name);
    if (info.kind !== binaryen.ExternalFunction) continue;
    let name = info.name;
    let post = "";
    if (name.startsWith("cabi_post_")) { post = "cabi_post_"; name = name.slice(post.length); }
    const us = name.indexOf("_");
    if (us < 0) continue;
    const iface = interfaces[name.slice(0, us)];
    if (!iface) continue;
    m.addFunctionExport(info.value, `${post}${iface}#${kebab(name.slice(us + 1))}`);
  }
  if (!m.validate()) throw new Error("binaryen: renamed module does not validate");
  const res = m.emitBinary();
  m.dispose();
  return res;
}

/** asc -> rename -> embed -> new. Returns the component bytes. */
export async function buildComponent(target, dir = out) {
  const { _setPreopens } = await import("@bytecodealliance/preview2-shim/filesystem");
  _setPreopens({ "/": "/" });
  const jco = await import("@bytecodealliance/jco");
  mkdirSync(dir, { recursive: true });
  const coreOut = join(dir, `${target.name}.module.wasm`);
  asc(target.entry, relative(root, coreOut));
  const renamed = await renameExports(readFileSync(coreOut), target.interfaces);
  writeFileSync(coreOut, renamed);
  const embedded = await jco.componentEmbed({
    binary: renamed, witPath: join(root, target.wit), world: target.world, stringEncoding: "utf8",
  });
  writeFileSync(join(dir, `${target.name}.embed.wasm`), embedded);
  const component = await jco.componentNew(embedded);
  writeFileSync(join(dir, `${target.name}.wasm`), component);
  return component;
}

/** jco transpile for Node (preview2-shim); map: extra import mappings. */
export async function transpileComponent(wasmPath, name, outDir, opts = {}) {
  const { transpile, writeFiles } = await import("@bytecodealliance/jco-transpile");
  rmSync(outDir, { recursive: true, force: true });
  const { files } = await transpile(wasmPath, { name, outDir, ...opts });
  await writeFiles(files);
}

export default async function build() {
  const t0 = Date.now();
  await buildComponent(CORE_TARGET);
  const wasm = join(out, "wasock-core.wasm");
  // js/: instantiated on import, with preview2-shim (what a plugin links against);
  // inst/: `instantiate(getCoreModule, imports)`, one fresh core per call (tests).
  await transpileComponent(wasm, "wasock-core", join(out, "js"));
  await transpileComponent(wasm, "wasock-core", join(out, "inst"), { instantiation: "async" });
  console.log(`component: dist/component/wasock-core.wasm (${Date.now() - t0} ms)`);
  const plugin = join(root, "examples", "plugin", "build.mjs");
  if (existsSync(plugin)) {
    const mod = await import(pathToFileURL(plugin).href);
    await mod.default();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await build();
