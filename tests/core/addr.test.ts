// host/core/addr.ts: IP text <-> the core's 16 bytes, and unix-path normalization.
import { describe, expect, test } from "vitest";
import { isIP } from "node:net";
import { posix } from "node:path";
import fc from "fast-check";
import { formatAddress, normalPath, parseAddress, parseCidr } from "../../host/core/addr.ts";

const SAMPLES = [
  "127.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", " 1.2.3.4",
  "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A", "fe80::1%eth0", "::ffff:1.2.3.4", "::ffff:1.2.3.256",
  "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "12345::", "g::1", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4", "", "localhost",
];

describe("parseAddress", () => {
  test("accepts exactly what node:net isIP accepts", () => {
    for (const s of SAMPLES) expect(parseAddress(s)?.family ?? 0, s).toBe(isIP(s));
  });

  test("random IPv6 texts agree with isIP, and round-trip through format", () => {
    fc.assert(fc.property(fc.ipV6(), (s) => {
      const p = parseAddress(s);
      expect(p?.family).toBe(6);
      const again = parseAddress(formatAddress(p!.bytes, 6));
      expect(again!.bytes).toEqual(p!.bytes);
    }), { numRuns: 2000, seed: 3 });
    fc.assert(fc.property(fc.ipV4(), (s) => {
      const p = parseAddress(s);
      expect(p?.family).toBe(4);
      expect(formatAddress(p!.bytes, 4)).toBe(s);
    }), { numRuns: 500, seed: 4 });
  });

  test("IPv4 is stored mapped; RFC 5952 text for IPv6", () => {
    expect(Array.from(parseAddress("1.2.3.4")!.bytes)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4]);
    const f = (s: string) => formatAddress(parseAddress(s)!.bytes, 6);
    expect(f("2001:0DB8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(f("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(f("0:0:0:0:0:0:0:0")).toBe("::");
    expect(f("1:0:2:3:4:5:6:7")).toBe("1:0:2:3:4:5:6:7");
    expect(f("::ffff:10.0.0.1")).toBe("::ffff:10.0.0.1");
  });

  test("parseCidr: IPv4 prefixes count over the mapped 16 bytes", () => {
    expect(parseCidr("10.0.0.0/8")?.prefix).toBe(104);
    expect(parseCidr("10.0.0.1")?.prefix).toBe(128);
    expect(parseCidr("::/0")?.prefix).toBe(0);
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("::/129")).toBeNull();
    expect(parseCidr("10.0.0.0/x")).toBeNull();
  });
});

describe("normalPath", () => {
  test("agrees with path.posix.normalize, keeping a trailing slash", () => {
    const parts = fc.array(fc.constantFrom("a", "b", ".", "..", "", "tmp"), { maxLength: 6 });
    fc.assert(fc.property(fc.boolean(), parts, fc.boolean(), (abs, segs, slash) => {
      const p = (abs ? "/" : "") + segs.join("/") + (slash ? "/" : "");
      if (p === "") return;
      const want = posix.normalize(p);
      expect(normalPath(p), p).toBe(p.endsWith("/") && !want.endsWith("/") ? `${want}/` : want);
    }), { numRuns: 3000, seed: 5 });
  });
});
