/**
 * ts-api/socketaddress.ts against node:net's SocketAddress: the same options
 * give the same toJSON(), or the same error (class, code, message).
 * Rows that make Node v20 abort the process (string ports, IPv6 flow labels
 * above 20 bits) are tested on their own, against wasock's documented answer.
 */
import * as net from "node:net";
import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SocketAddress } from "../../ts-api/socketaddress.ts";

type Outcome = { json: unknown } | { error: { ctor: string; code: unknown; message: string } };

function outcome(make: () => { toJSON(): unknown }): Outcome {
  try {
    return { json: make().toJSON() };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { error: { ctor: err.constructor.name, code: err.code, message: err.message } };
  }
}

function compare(options: unknown): void {
  const ours = outcome(() => new SocketAddress(options as never));
  const node = outcome(() => new net.SocketAddress(options as never) as unknown as { toJSON(): unknown });
  expect(ours, inspect(options)).toEqual(node);
}

describe("new SocketAddress(options) matches node:net", () => {
  const rows: unknown[] = [
    undefined, {}, null, [], "x", 5, () => {},
    { address: "1.2.3.4" }, { address: "1.2.3.4", port: 80 }, { address: "1.2.3.4", port: 0 },
    { address: "1.2.3.4", port: 65535 }, { address: "1.2.3.4", port: 65536 }, { address: "1.2.3.4", port: -1 },
    { address: "1.2.3.4", port: 1.5 }, { address: "1.2.3.4", port: NaN }, { address: "1.2.3.4", port: null },
    { address: "1.2.3.4", port: true }, { address: "1.2.3.4", port: {} }, { address: "1.2.3.4", port: "" },
    { address: "1.2.3.4", port: " " }, { address: "1.2.3.4", port: 10n },
    { family: "ipv6" }, { family: "IPV6" }, { family: "IPv4" }, { family: "ipv4" }, { family: "ipv5" },
    { family: 4 }, { family: 6 }, { family: null }, { family: { toLowerCase: () => "ipv6" } },
    { family: "ipv6", address: "::1" }, { family: "ipv6", address: "::ffff:1.2.3.4" },
    { family: "ipv6", address: "FE80::1%eth0" }, { family: "ipv6", address: "fe80::1%" },
    { family: "ipv6", address: "1.2.3.4" }, { family: "ipv4", address: "::1" },
    { family: "ipv6", address: "::1", flowlabel: 5 }, { family: "ipv6", address: "::1", flowlabel: 0xfffff },
    { family: "ipv4", address: "1.2.3.4", flowlabel: 5 }, { flowlabel: -1 }, { flowlabel: 1.5 },
    { flowlabel: "1" }, { flowlabel: 2 ** 32 }, { flowlabel: null },
    { address: 5 }, { address: null }, { address: "" }, { address: "localhost" }, { address: "01.2.3.4" },
    { address: "1.2.3" }, { address: " 1.2.3.4" }, { address: "255.255.255.255" }, { address: "256.0.0.0" },
    { address: "1.2.3.4", extra: true },
    { family: "ipv6", address: "0000:0000:0000:0000:0000:0000:1.2.3.4%eth0" },
    { family: "ipv6", address: "1234:5678:9abc:def0:1234:5678:9abc:def0%zone-cut" },
  ];
  it.each(rows.map((r) => [inspect(r), r]))("%s", (_label, options) => compare(options));

  it("on 5k generated option objects", () => {
    const address = fc.oneof(
      fc.constantFrom("1.2.3.4", "0.0.0.0", "::", "::1", "fe80::1%lo", "::ffff:10.0.0.1", "bad", "", "1.2.3.4.5"),
      fc.ipV4(), fc.ipV6(), fc.string({ maxLength: 8 }),
    );
    const opts = fc.record({
      address: fc.option(address, { nil: undefined }),
      family: fc.option(fc.constantFrom("ipv4", "ipv6", "IPv6", "x", 4), { nil: undefined }),
      port: fc.option(fc.oneof(fc.integer({ min: -2, max: 70000 }), fc.double().filter((d) => !Object.is(d, -0)), fc.constant(null)), { nil: undefined }),
      flowlabel: fc.option(fc.oneof(fc.integer({ min: -1, max: 0xfffff }), fc.constant(1.5)), { nil: undefined }),
    }, { requiredKeys: [] });
    // (no -0 port, string port or flow label above 20 bits: Node v20 aborts on those)
    fc.assert(fc.property(opts, (o) => compare(o)), { numRuns: 5_000 });
  });

  it("has Node's prototype and statics", () => {
    expect(Object.getOwnPropertyNames(SocketAddress.prototype).sort())
      .toEqual(Object.getOwnPropertyNames(net.SocketAddress.prototype).sort());
    expect(typeof SocketAddress.isSocketAddress).toBe("function");
    const sa = new SocketAddress({ address: "::1", family: "ipv6", port: 443 });
    expect(Object.keys(sa)).toEqual(Object.keys(new net.SocketAddress({ address: "::1", family: "ipv6", port: 443 })));
    expect(JSON.stringify(sa)).toBe(JSON.stringify(new net.SocketAddress({ address: "::1", family: "ipv6", port: 443 })));
  });

  it("util.inspect shows what Node shows", () => {
    const o = { address: "10.0.0.1", port: 80 };
    expect(inspect(new SocketAddress(o))).toBe(inspect(new net.SocketAddress(o)));
    expect(inspect({ nested: new SocketAddress(o) })).toBe(inspect({ nested: new net.SocketAddress(o) }));
    expect(inspect({ nested: new SocketAddress(o) }, { depth: 0 })).toBe(inspect({ nested: new net.SocketAddress(o) }, { depth: 0 }));
  });

  it("isSocketAddress tells ours from look-alikes", () => {
    const sa = new SocketAddress();
    expect(SocketAddress.isSocketAddress(sa)).toBe(true);
    expect(SocketAddress.isSocketAddress(sa.toJSON())).toBe(false);
    expect(SocketAddress.isSocketAddress(null)).toBe(false);
    expect(SocketAddress.isSocketAddress("1.2.3.4")).toBe(false);
    expect(SocketAddress.isSocketAddress(Object.create(SocketAddress.prototype))).toBe(false);
  });
});

describe("where Node v20 aborts the process", () => {
  it("a numeric string port is taken as its number", () => {
    expect(new SocketAddress({ address: "1.2.3.4", port: "80" as never }).port).toBe(80);
    expect(new SocketAddress({ address: "1.2.3.4", port: " 0x50 " as never }).port).toBe(80);
    expect(() => new SocketAddress({ address: "1.2.3.4", port: "80a" as never }))
      .toThrow(expect.objectContaining({ code: "ERR_SOCKET_BAD_PORT" }));
  });

  it("an IPv6 flow label above 0xFFFFF is ERR_OUT_OF_RANGE", () => {
    expect(() => new SocketAddress({ family: "ipv6", address: "::1", flowlabel: 0x100000 })).toThrow(
      expect.objectContaining({ code: "ERR_OUT_OF_RANGE", name: "RangeError" }));
    expect(new SocketAddress({ family: "ipv4", flowlabel: 0x100000 }).flowlabel).toBe(0);
  });
});

describe("SocketAddress.parse (Node 22)", () => {
  it.each([
    ["1.2.3.4:1234", { address: "1.2.3.4", port: 1234, family: "ipv4", flowlabel: 0 }],
    ["1.2.3.4", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
    ["[1::1]:1234", { address: "1::1", port: 1234, family: "ipv6", flowlabel: 0 }],
    ["[::FFFF:1.2.3.4]", { address: "::ffff:1.2.3.4", port: 0, family: "ipv6", flowlabel: 0 }],
    ["127.0.0.1:65535", { address: "127.0.0.1", port: 65535, family: "ipv4", flowlabel: 0 }],
    ["1.2.3.4:", { address: "1.2.3.4", port: 0, family: "ipv4", flowlabel: 0 }],
  ])("%s", (input, expected) => {
    expect(SocketAddress.parse(input)?.toJSON()).toEqual(expected);
  });

  it.each(["", "1.2.3.4:65536", "1.2.3.4:x", "1.2.3.4:80/path", "::1", "[::1", "[::1]x", "localhost:80", "1.2.3:80",
    "[1.2.3.4]:80", "[::1%eth0]:80", "1.2.3.4:-1"])("%j is undefined", (input) => {
    expect(SocketAddress.parse(input)).toBeUndefined();
  });

  it("throws ERR_INVALID_ARG_TYPE for a non-string", () => {
    expect(() => SocketAddress.parse(5 as never)).toThrow(expect.objectContaining({ code: "ERR_INVALID_ARG_TYPE" }));
  });
});
