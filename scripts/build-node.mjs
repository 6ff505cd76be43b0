// Builds wasock/node: esbuild bundles ts-api/node.ts (with the driver, the core and
// its embedded wasm bytes) into dist/node/index.mjs (ESM) and dist/node/index.cjs (CJS).
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { build as esbuild } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export default async function build() {
  const common = {
    entryPoints: [join(root, "ts-api/node.ts")],
    bundle: true,
    platform: "node",
    target: ["node20", "es2022"],
    sourcemap: true,
    logLevel: "warning",
    legalComments: "none",
    // Node's names stay visible (Socket, Server, connect, ...): inspect output and stacks.
    keepNames: true,
  };
  await Promise.all([
    esbuild({ ...common, format: "esm", outfile: join(root, "dist/node/index.mjs") }),
    // require() gets node:net's shape (no .default): ts-api/node-require.cts
    esbuild({ ...common, entryPoints: [join(root, "ts-api/node-require.cts")], format: "cjs",
      outfile: join(root, "dist/node/index.cjs") }),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await build();
