/**
 * The CommonJS entry of `wasock/node` (dist/node/index.cjs): `require("wasock/node")`
 * returns an object shaped like `require("net")`: every node:net name as an own
 * property, plus `createNet`, and no `default` key. It carries the default net's
 * `Symbol.for("wasock.stats")` counters too. Its types: types/node.d.cts.
 *
 * The ESM entry (ts-api/node.ts, dist/node/index.mjs) keeps its default export
 * and named exports; each build bundles its own copy of the default net.
 */
import entry = require("./node.ts");
import netModule = require("./net.ts");

const net = entry.default;
const cjs: Record<string | symbol, unknown> = { ...net, createNet: entry.createNet };
Object.defineProperty(cjs, netModule.kStats, {
  enumerable: false,
  value: (net as unknown as Record<symbol, unknown>)[netModule.kStats],
});
export = cjs;
