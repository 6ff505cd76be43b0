// Where each implementation under test comes from, and whether it is built.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

/** The built entry of each implementation (node:net needs none). */
export const DIST = {
  wasock: join(ROOT, "dist", "node", "index.mjs"),
  guest: join(ROOT, "dist", "quickjs", "index.mjs"),
};

export const LABEL = {
  node: "node:net",
  wasock: "wasock/node",
  guest: "QuickJS guest",
  aa: "node:net (A/A)",
  "wasock-client": "wasock client",
  "wasock-server": "wasock server",
};

/**
 * The rows beyond the three main ones, for diagnosis: which net each side of
 * the pair uses. "aa" is node:net under another name (an A/A run shows the
 * harness's own noise); "wasock-client"/"wasock-server" put wasock/node on one
 * side only, to tell which side a slowdown comes from.
 */
export const SIDES = {
  node: { client: "node", server: "node" },
  wasock: { client: "wasock", server: "wasock" },
  guest: { client: "guest", server: "node" },
  aa: { client: "node", server: "node" },
  "wasock-client": { client: "wasock", server: "node" },
  "wasock-server": { client: "node", server: "wasock" },
};

/** The target a row is judged by: the diagnostic rows borrow wasock/node's. */
export const TARGET_OF = { wasock: "wasock", guest: "guest", aa: "wasock", "wasock-client": "wasock", "wasock-server": "wasock" };

/** True when the implementation's dist entry exists. */
export function isBuilt(impl) {
  const { client, server } = SIDES[impl];
  return [client, server].every((side) => side === "node" || existsSync(DIST[side]));
}

/** The `net` object of a Node-side implementation: node:net itself or wasock/node's default export. */
export async function loadNet(impl) {
  if (impl === "node") return (await import("node:net")).default;
  if (impl === "wasock") {
    const mod = await import(pathToFileURL(DIST.wasock).href);
    // the default export is what a drop-in user gets; --wasock-capacity asks for a bigger table
    const capacity = Number(process.env.WASOCK_BENCH_CAPACITY);
    const net = capacity > 0 ? mod.createNet({ capacity }) : (mod.default ?? mod);
    if (typeof net.createServer !== "function" || typeof net.connect !== "function") {
      throw new Error(`${DIST.wasock} does not export a net module`);
    }
    return net;
  }
  throw new Error(`no Node-side net for implementation '${impl}'`);
}
