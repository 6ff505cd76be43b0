/**
 * ts-api/ip.ts against node:net's isIP/isIPv4/isIPv6 on hand-picked edge
 * cases and on large generated corpora (structured addresses, mutated
 * addresses, random strings over the address alphabet); the byte codec
 * against Node's SocketAddress normalization (inet_ntop).
 */
import * as net from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatIPv4, formatIPv6, isIP, isIPv4, isIPv6, parseIPv4, parseIPv6, zoneOf } from "../../ts-api/ip.ts";

function agree(input: unknown): void {
  expect([isIP(input), isIPv4(input), isIPv6(input)], String(input))
    .toEqual([net.isIP(input as string), net.isIPv4(input as string), net.isIPv6(input as string)]);
}

const hexGroup = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean(), fc.boolean())
  .map(([n, pad, upper]) => {
    const s = n.toString(16).padStart(pad ? 4 : 0, "0");
    return upper ? s.toUpperCase() : s;
  });

const v4Part = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 255 }).map(String), weight: 8 },
  { arbitrary: fc.integer({ min: 0, max: 999 }).map(String), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 99 }).map((n) => `0${n}`), weight: 1 },
);

const v4 = fc.oneof(
  { arbitrary: fc.array(v4Part, { minLength: 4, maxLength: 4 }), weight: 4 },
  { arbitrary: fc.array(v4Part, { minLength: 3, maxLength: 5 }), weight: 1 },
).map((p) => p.join("."));

const zone = fc.oneof(
  { arbitrary: fc.constant(""), weight: 4 },
  { arbitrary: fc.constantFrom("%eth0", "%1", "%a.b", "%x-y:z", "%", "%%", "%é", "%en0 "), weight: 1 },
);

/** mutate: insert, delete or replace one character */
const mutation = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 2 },
  { arbitrary: fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), fc.constantFrom(...":.0f%gx1 -")), weight: 1 },
);

function mutate(s: string, m: [number, number, string] | undefined): string {
  if (m === undefined) return s;
  const [pos, op, c] = m;
  const i = pos % (s.length + 1);
  if (op === 0) return s.slice(0, i) + c + s.slice(i);
  if (op === 1) return s.slice(0, i) + s.slice(i + 1);
  return s.slice(0, i) + c + s.slice(i + 1);
}

const v6 = fc.record({
  groups: fc.array(hexGroup, { minLength: 8, maxLength: 8 }),
  tail: fc.option(v4, { nil: undefined }),
  compress: fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: undefined }),
  zone,
  m: mutation,
}).map(({ groups, tail, compress, zone: z, m }) => {
  const parts: string[] = tail === undefined ? groups : [...groups.slice(0, 6), tail];
  let s: string;
  if (compress === undefined) {
    s = parts.join(":");
  } else {
    const at = compress[0] % (parts.length + 1);
    const len = compress[1] % (parts.length - at + 1);
    s = `${parts.slice(0, at).join(":")}::${parts.slice(at + len).join(":")}`;
  }
  return mutate(s + z, m);
});

describe("isIP, isIPv4, isIPv6 agree with node:net", () => {
  const edge = [
    "", "::", ":::", "1::", "::1", ":1", "1:", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9", "1::2:3:4:5:6:7:8", "1::2::3", "::ffff:1.2.3.4", "::ffff:01.2.3.4", "::1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1:2:3:4:5::1.2.3.4", "1.2.3.4::", "::1.2.3",
    "fe80::1%eth0", "fe80::1%", "fe80::1%eth0%1", "fe80::1%a:b.c-d", "fe80::1%a_b", "1.2.3.4%eth0",
    "127.0.0.1", "127.000.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3", "1.2.3.4.", " 1.2.3.4",
    "1.2.3.4 ", "1.2.3.4\n", "\u0661.\u0662.\u0663.\u0664", "FFFF::", "fffff::", "0x1.2.3.4", "1e1.2.3.4",
    "::FFFF:255.255.255.255", "::ffff:256.1.1.1", "0000:0000:0000:0000:0000:0000:0000:0001", "00000::1",
    "2001:db8::", "[::1]", "::1/128", "1.2.3.4/8",
  ];
  it.each(edge)("%j", (s) => agree(s));

  it("on values that are not strings (converted as Node converts them)", () => {
    const values: unknown[] = [123, 1.2, null, undefined, {}, [], ["1.2.3.4"], ["::1"], true,
      { toString: () => "::1" }, new String("1.2.3.4"), 0x7f000001, 10n];
    for (const v of values) agree(v);
    expect(() => isIP(Symbol("x"))).toThrow(TypeError);
    expect(() => net.isIP(Symbol("x") as never)).toThrow(TypeError);
  });

  it("on 15k generated IPv6 addresses (compressed, IPv4 tails, zones, mutated)", () => {
    fc.assert(fc.property(v6, (s) => agree(s)), { numRuns: 15_000 });
  });

  it("on 5k generated dotted quads", () => {
    fc.assert(fc.property(v4, mutation, (s, m) => agree(mutate(s, m))), { numRuns: 5_000 });
  });

  it("on 15k random strings over the address alphabet", () => {
    const chars = fc.constantFrom(..."0123456789abcdefABCDEFgx:.%-/ ");
    fc.assert(fc.property(fc.string({ unit: chars, maxLength: 45 }), (s) => agree(s)), { numRuns: 15_000 });
  });

  it("the generators produce both valid and invalid addresses", () => {
    const sample = fc.sample(v6, { numRuns: 2000, seed: 42 });
    const valid = sample.filter((s) => net.isIPv6(s)).length;
    expect(valid).toBeGreaterThan(200);
    expect(valid).toBeLessThan(1900);
  });
});

describe("address bytes", () => {
  it("parseIPv4/formatIPv4 round-trip and refuse what isIPv4 refuses", () => {
    expect(parseIPv4("10.1.2.255")).toEqual(new Uint8Array([10, 1, 2, 255]));
    expect(formatIPv4(new Uint8Array([192, 168, 0, 1]))).toBe("192.168.0.1");
    expect(parseIPv4("01.1.1.1")).toBeNull();
    expect(parseIPv4("::1")).toBeNull();
  });

  it("parseIPv6 handles compression, IPv4 tails and zones", () => {
    expect(parseIPv6("::1")).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]));
    expect(parseIPv6("1::")?.[1]).toBe(1);
    expect(Array.from(parseIPv6("::ffff:1.2.3.4") ?? [])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    expect(parseIPv6("fe80::1%eth0")).toEqual(parseIPv6("fe80::1"));
    expect(zoneOf("fe80::1%eth0")).toBe("eth0");
    expect(zoneOf("fe80::1")).toBe("");
    expect(parseIPv6("1.2.3.4")).toBeNull();
  });

  it("formatIPv6 prints what Node's SocketAddress prints (inet_ntop), on 10k addresses", () => {
    const noZone = v6.filter((s) => net.isIPv6(s) && !s.includes("%"));
    fc.assert(fc.property(noZone, (s) => {
      const expected = new net.SocketAddress({ address: s, family: "ipv6" }).address;
      expect(formatIPv6(parseIPv6(s) as Uint8Array)).toBe(expected);
    }), { numRuns: 10_000 });
  });

  it("formatIPv6 on the special forms", () => {
    const cases = ["::", "::1", "::2", "1::", "::ffff:0:0", "::102:304", "::1:0:0:1", "1:0:0:2:0:0:0:3",
      "1:0:1:0:1:0:1:0", "0:0:1::", "::ffff:1.2.3.4", "0:0:0:0:0:1:0:0", "FE80::ABCD"];
    for (const s of cases) {
      expect(formatIPv6(parseIPv6(s) as Uint8Array), s)
        .toBe(new net.SocketAddress({ address: s, family: "ipv6" }).address);
    }
  });
});
