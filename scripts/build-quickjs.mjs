// Bundles the sandbox host (host/quickjs/index.ts) to dist/quickjs/index.{mjs,cjs}
// for Node, with the guest bundle (dist/guest/guest.js, built first by
// build-guest.mjs) embedded as text. quickjs-emscripten stays an external
// dependency.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GUEST_OUT } from "./build-guest.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export default async function build() {
  const esbuild = await import("esbuild");
  if (!existsSync(GUEST_OUT)) await (await import("./build-guest.mjs")).default();
  const guest = readFileSync(GUEST_OUT, "utf8");
  const embedGuest = {
    name: "embed-guest",
    setup(b) {
      b.onResolve({ filter: /\/guest-source(\.ts)?$/ }, () => ({ path: "guest-source", namespace: "wasock-guest" }));
      b.onLoad({ filter: /.*/, namespace: "wasock-guest" }, () => ({
        contents: `const text = ${JSON.stringify(guest)};\nexport function guestSource() { return text; }\n`,
        loader: "js",
      }));
    },
  };
  mkdirSync(join(root, "dist/quickjs"), { recursive: true });
  const common = {
    entryPoints: [join(root, "host/quickjs/index.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    external: ["quickjs-emscripten", "quickjs-emscripten-core", "@jitl/*"],
    plugins: [embedGuest],
    legalComments: "none",
    logLevel: "warning",
    absWorkingDir: root,
  };
  await esbuild.build({ ...common, format: "esm", outfile: join(root, "dist/quickjs/index.mjs") });
  await esbuild.build({ ...common, format: "cjs", outfile: join(root, "dist/quickjs/index.cjs") });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
