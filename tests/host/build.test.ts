/**
 * The built wasock/node entry: both dist files load (require and import), export
 * node:net's names, and work.
 */
import * as nodeNet from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const NET_NAMES = Object.keys(createRequire(import.meta.url)("node:net") as object)
  .filter((k) => !k.startsWith("_")).sort();

beforeAll(async () => {
  const script = pathToFileURL(join(root, "scripts/build-node.mjs")).href;
  const { default: build } = (await import(/* @vite-ignore */ script)) as { default: () => Promise<void> };
  await build();
}, 60_000);

type NetLike = typeof nodeNet & { createNet(o?: object): typeof nodeNet };

async function roundTrip(net: NetLike): Promise<string> {
  const srv = net.createServer((s) => s.end("built"));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const c = net.connect((srv.address() as nodeNet.AddressInfo).port, "127.0.0.1");
  let text = "";
  c.setEncoding("utf8");
  c.on("data", (d: string) => (text += d));
  await new Promise((r) => c.on("close", r));
  await new Promise((r) => srv.close(r));
  return text;
}

function expectNodeNames(mod: Record<string, unknown>): void {
  const names = Object.keys(mod).filter((k) => k !== "default" && k !== "createNet").sort();
  expect(names).toEqual(NET_NAMES);
  const def = mod.default as Record<string, unknown>;
  expect(Object.keys(def).sort()).toEqual(NET_NAMES);
  expect(typeof mod.createNet).toBe("function");
}

describe("dist/node", () => {
  it("index.cjs loads with require() and works", async () => {
    const require = createRequire(import.meta.url);
    const mod = require(join(root, "dist/node/index.cjs")) as Record<string | symbol, unknown>;
    // shaped like require("net"): node:net's names, plus createNet; no .default
    expect(Object.keys(mod).filter((k) => k !== "createNet").sort()).toEqual(NET_NAMES);
    expect("default" in mod).toBe(false);
    expect(typeof mod.createNet).toBe("function");
    expect(typeof mod[Symbol.for("wasock.stats")]).toBe("function");
    expect(await roundTrip(mod as unknown as NetLike)).toBe("built");
    expect(typeof (mod[Symbol.for("wasock.stats")] as () => { liveHandles: number })().liveHandles).toBe("number");
    // the package's own "require" condition resolves to the same file
    expect(require.resolve("wasock/node")).toBe(join(root, "dist/node/index.cjs"));
    const own = (mod.createNet as NetLike["createNet"])({ allowNet: ["127.0.0.1:*"] });
    expect(await roundTrip(own as NetLike)).toBe("built");
  });

  it("index.mjs loads with import and works", async () => {
    const mod = (await import(pathToFileURL(join(root, "dist/node/index.mjs")).href)) as Record<string, unknown>;
    expectNodeNames(mod);
    expect(typeof (mod.default as Record<symbol, unknown>)[Symbol.for("wasock.stats")]).toBe("function");
    expect(mod.connect).toBe((mod.default as NetLike).connect);
    expect(await roundTrip(mod.default as NetLike)).toBe("built");
    const own = (mod.createNet as NetLike["createNet"])({ allowNet: ["127.0.0.1:*"] });
    expect(await roundTrip(own as NetLike)).toBe("built");
  });
});
