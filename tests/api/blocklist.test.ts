/**
 * ts-api/blocklist.ts against node:net's BlockList: random sequences of
 * addAddress/addRange/addSubnet/check, with strings or SocketAddress
 * arguments, good and bad, run on both; every step must give the same
 * result or the same error, and `rules` must stay equal.
 */
import * as net from "node:net";
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BlockList } from "../../ts-api/blocklist.ts";
import { SocketAddress } from "../../ts-api/socketaddress.ts";

const v4Pool = ["10.0.0.0", "10.0.0.1", "10.0.0.5", "10.0.0.255", "10.0.1.0", "10.1.0.0", "11.0.0.0", "0.0.0.0",
  "255.255.255.255", "192.168.1.1", "1.2.3.4", "9.255.255.255", "128.0.0.0", "127.0.0.1"];
const v6Pool = ["::", "::1", "::ffff:10.0.0.5", "::ffff:10.0.0.1", "::ffff:1.2.3.4", "::ffff:0:0", "::a00:5",
  "fe80::1", "fe80::ffff", "2001:db8::", "2001:db8::1", "2001:db8:0:1::", "2001:db8:8000::",
  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::ffff:255.255.255.255", "::ffff:127.0.0.1", "fe80::1%eth0"];

/** An argument: a string, a SocketAddress built from it, or a bad value. */
type Arg = { kind: "string"; value: string } | { kind: "sa"; address: string; family: string } | { kind: "bad"; value: unknown };

const address = fc.oneof(
  { arbitrary: fc.constantFrom(...v4Pool), weight: 4 },
  { arbitrary: fc.constantFrom(...v6Pool), weight: 4 },
  { arbitrary: fc.ipV4(), weight: 1 },
  { arbitrary: fc.ipV6(), weight: 1 },
);
const familyOf = (a: string) => (a.includes(":") ? "ipv6" : "ipv4");

const arg: fc.Arbitrary<Arg> = fc.oneof(
  { arbitrary: address.map((value) => ({ kind: "string" as const, value })), weight: 6 },
  { arbitrary: address.map((a) => ({ kind: "sa" as const, address: a, family: familyOf(a) })), weight: 3 },
  { arbitrary: fc.constantFrom<unknown>("bad", "", 5, null, undefined, "1.2.3").map((value) => ({ kind: "bad" as const, value })), weight: 1 },
);

/** undefined = leave the default; else a family string (right, wrong, odd) */
const family = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.constantFrom<unknown>("ipv4", "ipv6", "IPv6", "IPV4", "ipv5", 6), weight: 2 },
);

const prefix = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 128 }), weight: 8 },
  { arbitrary: fc.constantFrom<unknown>(-1, 129, 33, 1.5, "8", null, NaN), weight: 1 },
);

type Op =
  | { op: "addAddress"; a: Arg; family: unknown }
  | { op: "addRange"; a: Arg; b: Arg; family: unknown }
  | { op: "addSubnet"; a: Arg; prefix: unknown; family: unknown }
  | { op: "check"; a: Arg; family: unknown };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("addAddress" as const), a: arg, family }),
  fc.record({ op: fc.constant("addRange" as const), a: arg, b: arg, family }),
  fc.record({ op: fc.constant("addSubnet" as const), a: arg, prefix, family }),
  { arbitrary: fc.record({ op: fc.constant("check" as const), a: arg, family }), weight: 3 },
);

interface Impl {
  BlockList: new () => unknown;
  SocketAddress: new (o: object) => unknown;
}
const ours: Impl = { BlockList, SocketAddress };
const node: Impl = { BlockList: net.BlockList, SocketAddress: net.SocketAddress as never };

function materialize(impl: Impl, a: Arg): unknown {
  switch (a.kind) {
    case "string": return a.value;
    case "bad": return a.value;
    case "sa": return new impl.SocketAddress({ address: a.address, family: a.family });
  }
}

function run(impl: Impl, list: Record<string, (...a: unknown[]) => unknown>, o: Op): unknown {
  const famArgs = o.family === undefined ? [] : [o.family];
  try {
    switch (o.op) {
      case "addAddress": return { ok: list.addAddress(materialize(impl, o.a), ...famArgs) };
      case "addRange":
        return { ok: list.addRange(materialize(impl, o.a), materialize(impl, o.b), ...famArgs) };
      case "addSubnet": return { ok: list.addSubnet(materialize(impl, o.a), o.prefix, ...famArgs) };
      case "check": return { ok: list.check(materialize(impl, o.a), ...famArgs) };
    }
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { error: { ctor: err.constructor.name, code: err.code, message: err.message } };
  }
}

/** Runs the same operations on both and compares every step. */
function replay(ops: Op[], probes: Arg[]): void {
  const a = new ours.BlockList() as Record<string, (...x: unknown[]) => unknown> & { rules: string[] };
  const b = new node.BlockList() as Record<string, (...x: unknown[]) => unknown> & { rules: string[] };
  for (const o of ops) {
    expect(run(ours, a, o), inspect(o, { depth: 4 })).toEqual(run(node, b, o));
    expect(a.rules).toEqual(b.rules);
  }
  for (const p of probes) {
    for (const fam of [undefined, "ipv4", "ipv6"]) {
      const o: Op = { op: "check", a: p, family: fam };
      expect(run(ours, a, o), `check ${inspect(p)} ${fam} after ${a.rules.join("; ")}`).toEqual(run(node, b, o));
    }
  }
}

describe("BlockList matches node:net", () => {
  it("on 600 random programs of up to 12 operations, each probed with 20 addresses", () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 12 }), fc.array(arg, { minLength: 20, maxLength: 20 }),
      (ops, probes) => replay(ops, probes)), { numRuns: 600 });
  });

  it("on every pool address against one rule of each kind and family", () => {
    const all = [...v4Pool, ...v6Pool].map((value) => ({ kind: "string" as const, value }));
    const ops: Op[] = [
      { op: "addSubnet", a: { kind: "string", value: "10.0.0.0" }, prefix: 24, family: undefined },
      { op: "addSubnet", a: { kind: "string", value: "2001:db8::" }, prefix: 33, family: "ipv6" },
      { op: "addSubnet", a: { kind: "string", value: "::ffff:1.2.0.0" }, prefix: 112, family: "ipv6" },
      { op: "addRange", a: { kind: "string", value: "192.168.0.0" }, b: { kind: "string", value: "192.168.255.255" }, family: undefined },
      { op: "addRange", a: { kind: "string", value: "fe80::" }, b: { kind: "string", value: "fe80::1" }, family: "ipv6" },
      { op: "addAddress", a: { kind: "string", value: "::ffff:127.0.0.1" }, family: "ipv6" },
      { op: "addAddress", a: { kind: "string", value: "255.255.255.255" }, family: undefined },
    ];
    replay(ops, all);
    // and each rule alone, so that no rule hides another's mistakes
    for (const o of ops) replay([o], all);
  });

  it("subnet prefixes at every length, both families", () => {
    const probes = [...v4Pool, ...v6Pool].map((value) => ({ kind: "string" as const, value }));
    for (let p = 0; p <= 32; p++) {
      replay([{ op: "addSubnet", a: { kind: "string", value: "10.0.0.5" }, prefix: p, family: undefined }], probes);
    }
    for (let p = 0; p <= 128; p += 1) {
      replay([{ op: "addSubnet", a: { kind: "string", value: "::ffff:10.0.0.5" }, prefix: p, family: "ipv6" }], probes);
    }
  });

  it("has Node's prototype, inspect output and errors for bad calls", () => {
    expect(Object.getOwnPropertyNames(BlockList.prototype)).toEqual(Object.getOwnPropertyNames(net.BlockList.prototype));
    const a = new BlockList();
    const b = new net.BlockList();
    for (const l of [a, b]) {
      l.addAddress("1.2.3.4");
      l.addSubnet("10.0.0.0", 8);
    }
    expect(inspect(a)).toBe(inspect(b));
    expect(inspect({ x: a }, { depth: 0 })).toBe(inspect({ x: b }, { depth: 0 }));
    expect(Object.keys(a)).toEqual(Object.keys(b));
    expect(a.rules).not.toBe(a.rules);
  });

  it("isBlockList (Node 22)", () => {
    expect(BlockList.isBlockList(new BlockList())).toBe(true);
    expect(BlockList.isBlockList(new net.BlockList())).toBe(false);
    expect(BlockList.isBlockList({ rules: [] })).toBe(false);
    expect(BlockList.isBlockList(null)).toBe(false);
  });
});
