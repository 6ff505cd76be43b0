/**
 * The `wasock/node` entry: a drop-in `node:net`.
 *
 * The default export and the named exports are the node:net names of a
 * default net object whose core allows everything. `createNet(options)`
 * returns another net object with its own core (its own table, policy and
 * quotas):
 *
 *   import net, { createNet } from "wasock/node";
 *   const sandboxed = createNet({ allowNet: ["127.0.0.1:*"], quotas: { maxSockets: 10 } });
 *
 * A connect or listen the policy refuses fails with an Error whose code is
 * ERR_ACCESS_DENIED and which names the refused address; a quota breach
 * fails with ERR_QUOTA_EXCEEDED (see docs/node.md).
 */
import type { Policy, Quotas } from "../host/core/api.ts";
import { NodeDriver } from "../host/node/driver.ts";
import { policyFrom } from "../host/policy.ts";
import type { NetRuleSpec } from "../host/policy.ts";
import { createNetModule } from "./net.ts";
import type { NetModule } from "./net.ts";

export interface CreateNetOptions {
  /** a full policy; wins over allowNet/denyNet */
  policy?: Policy;
  quotas?: Quotas;
  /** Deno-style rules to allow (`"127.0.0.1:*"`, `"10.0.0.0/8"`, `"unix:/tmp/"`), or true for all */
  allowNet?: boolean | NetRuleSpec;
  /** rules to deny; deny wins over allow */
  denyNet?: boolean | NetRuleSpec;
  /** connection-table capacity of this net's core */
  capacity?: number;
}

export type { NetModule };

/** A net object bound to a new core with this policy and these quotas. */
export function createNet(options: CreateNetOptions = {}): NetModule {
  let policy = options.policy;
  if (policy === undefined && (options.allowNet !== undefined || options.denyNet !== undefined)) {
    policy = policyFrom({ allowNet: options.allowNet ?? true, denyNet: options.denyNet });
  }
  const driver = new NodeDriver({ policy, quotas: options.quotas, capacity: options.capacity });
  return createNetModule(driver);
}

/** node:net sets no limit on sockets: the default net gets the core's largest table. */
const DEFAULT_NET_CAPACITY = 65535;

const net = createNet({ capacity: DEFAULT_NET_CAPACITY });
export default net;

export const Socket = net.Socket;
export const Stream = net.Stream;
export const Server = net.Server;
export const createServer = net.createServer;
export const createConnection = net.createConnection;
export const connect = net.connect;
export const isIP = net.isIP;
export const isIPv4 = net.isIPv4;
export const isIPv6 = net.isIPv6;
export const BlockList = net.BlockList;
export const SocketAddress = net.SocketAddress;
export const getDefaultAutoSelectFamily = net.getDefaultAutoSelectFamily;
export const setDefaultAutoSelectFamily = net.setDefaultAutoSelectFamily;
export const getDefaultAutoSelectFamilyAttemptTimeout = net.getDefaultAutoSelectFamilyAttemptTimeout;
export const setDefaultAutoSelectFamilyAttemptTimeout = net.setDefaultAutoSelectFamilyAttemptTimeout;
