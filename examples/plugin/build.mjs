// Builds the plugin example: a componentize-qjs component from plugin.ts (which uses
// ts-api's `net`), then links it to the core component with `jco transpile --map`.
//
//   esbuild  examples/plugin/plugin.ts -> dist/component/plugin/plugin.js (one ES module;
//            node:* built-ins -> readable-stream, events, buffer, string_decoder;
//            `wasock:core/sockets@0.1.0` stays an import of the component)
//   componentize-qjs --sync -> dist/component/plugin/plugin.wasm (world wasock:plugin/plugin)
//   jco transpile --map wasock:core/sockets=../js/wasock-core.js#sockets
//            -> dist/component/plugin/js/ (imports the transpiled core component)
//
// Run with: node --experimental-wasm-extended-const examples/plugin/run.mjs [port]
// Optional: when componentize-qjs cannot load (no prebuilt binding for this
// platform), the plugin is skipped with the reason; the core component is not.
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "dist", "component", "plugin");

/** The plugin's WIT: its world plus the core's world and the vendored wasi packages. */
function witDir() {
  const dir = join(out, "wit");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "deps", "wasock-core"), { recursive: true });
  cpSync(join(here, "wit", "plugin.wit"), join(dir, "plugin.wit"));
  cpSync(join(root, "wasm", "wit-component", "world.wit"), join(dir, "deps", "wasock-core", "world.wit"));
  cpSync(join(root, "wasm", "wit-component", "deps"), join(dir, "deps"), { recursive: true });
  return dir;
}

export async function bundle() {
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    entryPoints: [join(here, "plugin.ts")],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2022",
    platform: "browser",
    mainFields: ["browser", "module", "main"],
    legalComments: "none",
    logLevel: "warning",
    external: ["wasock:core/sockets@0.1.0"],
    alias: {
      "node:stream": "readable-stream",
      "node:events": "events",
      "node:buffer": "buffer",
      "node:string_decoder": "string_decoder",
      process: join(here, "process-shim.cjs"),
      // its browser entry reads AbortController from `self`, which QuickJS lacks
      "abort-controller": join(root, "node_modules", "abort-controller", "dist", "abort-controller.mjs"),
    },
  });
  return result.outputFiles[0].text;
}

export default async function build() {
  let componentize;
  try {
    ({ componentize } = createRequire(import.meta.url)("componentize-qjs"));
  } catch (err) {
    console.log(`component plugin: skipped, componentize-qjs is not loadable here (${err.message.split("\n")[0]})`);
    return;
  }
  const t0 = Date.now();
  mkdirSync(out, { recursive: true });
  const js = await bundle();
  const jsPath = join(out, "plugin.js");
  writeFileSync(jsPath, js);
  const { component } = await componentize({
    witPath: witDir(), jsSource: js, jsPath, world: "plugin", sync: true,
  });
  const wasm = join(out, "plugin.wasm");
  writeFileSync(wasm, component);
  const { transpile, writeFiles } = await import("@bytecodealliance/jco-transpile");
  const jsOut = join(out, "js");
  rmSync(jsOut, { recursive: true, force: true });
  const { files } = await transpile(wasm, {
    name: "plugin",
    outDir: jsOut,
    // the plugin's import of the core interface is the transpiled core component
    map: { "wasock:core/sockets": "../../js/wasock-core.js#sockets" },
  });
  await writeFiles(files);
  console.log(`component plugin: dist/component/plugin/plugin.wasm (${Date.now() - t0} ms)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
