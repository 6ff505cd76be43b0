// Types of `require("wasock/node")` (dist/node/index.cjs, built from
// ts-api/node-require.cts): an object shaped like `require("net")` (every
// node:net name) plus `createNet`; it has no `default` property.
import type { CreateNetOptions, NetModule } from "../dist/types/ts-api/node.cjs";

declare const net: NetModule & {
  /** A net object bound to a new core with this policy and these quotas. */
  createNet(options?: CreateNetOptions): NetModule;
};
export = net;
