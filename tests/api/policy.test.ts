/**
 * host/policy.ts: Deno-style rule strings -> core Rules, policyFrom, the
 * formatting helpers the CLI uses, and the JS mirror of the core's decision.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Rule } from "../../host/core/api.ts";
import {
  allowFlagFor, allows, denialHint, describeRule, parseNetRules, policyFrom, ruleFor, ruleMatches,
  type NetTarget,
} from "../../host/policy.ts";

const all: Rule[] = [{ host: "*" }, { cidr: "0.0.0.0/0" }, { cidr: "::/0" }, { unixPrefix: "/" }];

describe("parseNetRules", () => {
  it.each<[string, Rule[]]>([
    ["127.0.0.1:*", [{ cidr: "127.0.0.1/32" }]],
    ["127.0.0.1", [{ cidr: "127.0.0.1/32" }]],
    ["127.0.0.1:8080", [{ cidr: "127.0.0.1/32", ports: [8080, 8080] }]],
    ["10.0.0.0/8", [{ cidr: "10.0.0.0/8" }]],
    ["10.0.0.0/8:80-90", [{ cidr: "10.0.0.0/8", ports: [80, 90] }]],
    ["0.0.0.0/0", [{ cidr: "0.0.0.0/0" }]],
    ["localhost:6379", [{ host: "localhost", ports: [6379, 6379] }]],
    ["localhost", [{ host: "localhost" }]],
    ["LocalHost.:6379", [{ host: "localhost", ports: [6379, 6379] }]],
    ["*.example.com:443", [{ host: "*.example.com", ports: [443, 443] }]],
    ["my_host-1.internal", [{ host: "my_host-1.internal" }]],
    ["[::1]:8000-9000", [{ cidr: "::1/128", ports: [8000, 9000] }]],
    ["[::1]", [{ cidr: "::1/128" }]],
    ["[2001:db8::/32]:443", [{ cidr: "2001:db8::/32", ports: [443, 443] }]],
    ["::1", [{ cidr: "::1/128" }]],
    ["fe80::/10", [{ cidr: "fe80::/10" }]],
    ["::ffff:127.0.0.1", [{ cidr: "::ffff:127.0.0.1/128" }]],
    ["unix:/tmp/", [{ unixPrefix: "/tmp/" }]],
    ["unix:/run/app.sock", [{ unixPrefix: "/run/app.sock" }]],
    ["unix:*", [{ unixPrefix: "/" }]],
    ["unix:/tmp/../var/", [{ unixPrefix: "/var/" }]],
    ["unix:/tmp//a/./b", [{ unixPrefix: "/tmp/a/b" }]],
    ["*", all],
    ["*:443", [{ host: "*", ports: [443, 443] }, { cidr: "0.0.0.0/0", ports: [443, 443] },
      { cidr: "::/0", ports: [443, 443] }]],
    ["1.2.3.4:0", [{ cidr: "1.2.3.4/32", ports: [0, 0] }]],
    ["1.2.3.4:65535", [{ cidr: "1.2.3.4/32", ports: [65535, 65535] }]],
  ])("%s", (spec, expected) => {
    expect(parseNetRules(spec)).toEqual(expected);
  });

  it("takes comma lists and arrays, trims, skips empty entries", () => {
    const expected: Rule[] = [{ cidr: "127.0.0.1/32" }, { host: "localhost", ports: [6379, 6379] }, { unixPrefix: "/tmp/" }];
    expect(parseNetRules("127.0.0.1:*, localhost:6379 ,unix:/tmp/,")).toEqual(expected);
    expect(parseNetRules(["127.0.0.1:*", "localhost:6379", "unix:/tmp/"])).toEqual(expected);
    expect(parseNetRules(["127.0.0.1:*,localhost:6379", "", "unix:/tmp/"])).toEqual(expected);
    expect(parseNetRules("")).toEqual([]);
    expect(parseNetRules([])).toEqual([]);
  });

  it.each<[string, string]>([
    ["10.0.0.0/33", "has a bad prefix length \"/33\" (0 to 32)"],
    ["::1/129", "has a bad prefix length \"/129\" (0 to 128)"],
    ["10.0.0.0/x", "has a bad prefix length \"/x\" (0 to 32)"],
    ["300.1.1.1", "has a bad IP address \"300.1.1.1\""],
    ["1.2.3", "has a bad IP address \"1.2.3\""],
    ["[::1", "has no closing ]"],
    ["[::1]80", "has \"80\" after ] (expected :port)"],
    ["[localhost]:80", "has a bad IPv6 address \"localhost\" in brackets"],
    ["localhost:99999", "has a port above 65535 (\"99999\")"],
    ["localhost:", "has a bad port \"\" (use 80, 8000-9000 or *)"],
    ["localhost:http", "has a bad port \"http\" (use 80, 8000-9000 or *)"],
    ["x:90-80", "has a port range that ends before it starts (\"90-80\")"],
    [":80", "has no host"],
    ["a..b", "has a bad host name \"a..b\""],
    ["*foo.com", "has a bad host name \"*foo.com\""],
    ["foo.*.com", "has a bad host name \"foo.*.com\""],
    ["exa mple.com", "has a bad host name \"exa mple.com\""],
    ["::1:80:x", "looks like IPv6 with a port: write it as [addr]:port"],
    ["unix:", "has no path after unix:"],
    ["unix:tmp/", "has a relative path \"tmp/\" (write it from /)"],
    ["fe80::1%eth0", "has a bad IP address \"fe80::1%eth0\""],
  ])("refuses %j", (spec, reason) => {
    let err: (Error & { code?: string }) | undefined;
    try {
      parseNetRules(spec, "allowNet");
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err).toBeInstanceOf(TypeError);
    expect(err?.code).toBe("ERR_INVALID_ARG_VALUE");
    expect(err?.message).toBe(
      `The argument 'allowNet' is not a valid network rule: it ${reason}. Received '${spec}'`);
  });

  it("refuses what is neither a string nor an array of strings", () => {
    for (const bad of [5, null, {}, [5], [null]]) {
      expect(() => parseNetRules(bad as never, "denyNet")).toThrow(
        expect.objectContaining({ code: "ERR_INVALID_ARG_VALUE", name: "TypeError" }));
    }
  });
});

describe("policyFrom", () => {
  it("denies by default, for connect and listen alike", () => {
    const p = policyFrom({ allowNet: "127.0.0.1:*" });
    expect(p.connect).toEqual({ default: "deny", allow: [{ cidr: "127.0.0.1/32" }], deny: [] });
    expect(p.listen).toEqual(p.connect);
    expect(policyFrom()).toEqual({ connect: { default: "deny", allow: [], deny: [] }, listen: { default: "deny", allow: [], deny: [] } });
    expect(policyFrom({ allowNet: false }).connect.default).toBe("deny");
  });

  it("allows by default for allowNet true, '*' anywhere in it, or defaultAllow", () => {
    for (const opts of [{ allowNet: true }, { allowNet: "*" }, { allowNet: "localhost, *" }, { allowNet: ["*"] },
      { defaultAllow: true }]) {
      expect(policyFrom(opts).connect.default).toBe("allow");
      expect(policyFrom(opts).connect.allow).toEqual([]);
    }
  });

  it("denyNet: rules, or true for everything; deny wins over allow", () => {
    const p = policyFrom({ allowNet: true, denyNet: "10.0.0.0/8,unix:/var/" });
    expect(p.connect.deny).toEqual([{ cidr: "10.0.0.0/8" }, { unixPrefix: "/var/" }]);
    expect(allows(p.connect, { address: "10.1.2.3", port: 80 })).toBe(false);
    expect(allows(p.connect, { address: "11.1.2.3", port: 80 })).toBe(true);
    expect(allows(p.connect, { path: "/var/run/x.sock" })).toBe(false);
    expect(policyFrom({ allowNet: true, denyNet: true }).connect.deny).toEqual(all);
    expect(allows(policyFrom({ allowNet: true, denyNet: true }).connect, { address: "127.0.0.1", port: 1 })).toBe(false);
  });

  it("gives connect and listen their own rule objects", () => {
    const p = policyFrom({ allowNet: "localhost:80" });
    p.connect.allow.push({ host: "x" });
    (p.connect.allow[0] as { host: string }).host = "changed";
    expect(p.listen.allow).toEqual([{ host: "localhost", ports: [80, 80] }]);
  });

  it("names the option in errors", () => {
    expect(() => policyFrom({ denyNet: "10.0.0.0/99" })).toThrow(/The argument 'denyNet' is not a valid network rule/);
    expect(() => policyFrom({ allowNet: "10.0.0.0/99" })).toThrow(/The argument 'allowNet'/);
  });
});

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const hostName = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join("."))
  .filter((h) => !/^[0-9.]+$/.test(h));
const ports = fc.option(fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }))
  .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as [number, number]), { nil: undefined });
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ host: fc.oneof(hostName, hostName.map((h) => `*.${h}`)), ports }, { requiredKeys: ["host"] }),
  fc.record({ cidr: fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${a}/${p}`), ports },
    { requiredKeys: ["cidr"] }),
  fc.record({ cidr: fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([a, p]) => `${a}/${p}`), ports },
    { requiredKeys: ["cidr"] }),
  fc.record({ unixPrefix: fc.stringMatching(/^\/[a-zA-Z0-9_-]{1,8}(\/[a-zA-Z0-9_-]{1,8}){0,2}\/?$/) }),
).map((r) => ("ports" in r && r.ports === undefined ? (({ ports: _p, ...rest }) => rest)(r) as Rule : r));

describe("describeRule", () => {
  it.each<[Rule, string]>([
    [{ host: "localhost", ports: [6379, 6379] }, "localhost:6379"],
    [{ host: "*.example.com" }, "*.example.com"],
    [{ cidr: "10.0.0.0/8" }, "10.0.0.0/8"],
    [{ cidr: "127.0.0.1/32", ports: [1, 1024] }, "127.0.0.1:1-1024"],
    [{ cidr: "::1/128", ports: [8000, 9000] }, "[::1]:8000-9000"],
    [{ cidr: "2001:db8::/32" }, "2001:db8::/32"],
    [{ cidr: "2001:db8::/32", ports: [443, 443] }, "[2001:db8::/32]:443"],
    [{ cidr: "127.0.0.1" }, "127.0.0.1"],
    [{ unixPrefix: "/tmp/" }, "unix:/tmp/"],
    [{ unixPrefix: "/" }, "unix:*"],
  ])("%j -> %s", (r, text) => {
    expect(describeRule(r)).toBe(text);
  });

  it("parses back to the same rule, for 3k generated rules", () => {
    fc.assert(fc.property(rule, (r) => {
      expect(parseNetRules(describeRule(r))).toEqual([r]);
    }), { numRuns: 3000 });
  });
});

describe("allowFlagFor / ruleFor", () => {
  it.each<[NetTarget, string]>([
    [{ address: "10.0.0.1", port: 80 }, "--allow-net=10.0.0.1:80"],
    [{ address: "::1", port: 8080 }, "--allow-net=[::1]:8080"],
    [{ hostname: "redis.internal", address: "10.0.0.7", port: 6379 }, "--allow-net=redis.internal:6379"],
    [{ path: "/tmp/app.sock" }, "--allow-net=unix:/tmp/app.sock"],
    [{ address: "0.0.0.0", port: 0 }, "--allow-net=0.0.0.0:0"],
    [{ address: "127.0.0.1" }, "--allow-net=127.0.0.1:*"],
  ])("%j", (target, flag) => {
    expect(allowFlagFor(target)).toBe(flag);
  });

  const target: fc.Arbitrary<NetTarget> = fc.oneof(
    fc.record({ address: fc.oneof(fc.ipV4(), fc.ipV6()), port: fc.integer({ min: 0, max: 65535 }) }),
    fc.record({ hostname: hostName, address: fc.ipV4(), port: fc.integer({ min: 1, max: 65535 }) }),
    fc.record({ path: fc.stringMatching(/^\/[a-zA-Z0-9._/-]{1,30}$/) }),
  );

  it("the suggested flag allows the refused target, and not its neighbours (2k targets)", () => {
    fc.assert(fc.property(target, (t) => {
      const denied = policyFrom({});
      expect(allows(denied.connect, t)).toBe(false);
      const p = policyFrom({ allowNet: ruleFor(t) });
      expect(allows(p.connect, t)).toBe(true);
      expect(allows(p.listen, t)).toBe(true);
      if (t.port !== undefined) {
        expect(allows(p.connect, { ...t, port: (t.port + 1) % 65536 })).toBe(false);
      }
    }), { numRuns: 2000 });
  });
});

describe("ruleMatches and denialHint mirror the core's rule", () => {
  it("matches names case-insensitively, wildcards below the domain only", () => {
    const r: Rule = { host: "*.example.com", ports: [443, 443] };
    expect(ruleMatches(r, { hostname: "www.Example.com.", port: 443 })).toBe(true);
    expect(ruleMatches(r, { hostname: "example.com", port: 443 })).toBe(false);
    expect(ruleMatches(r, { hostname: "badexample.com", port: 443 })).toBe(false);
    expect(ruleMatches(r, { hostname: "www.example.com", port: 80 })).toBe(false);
    expect(ruleMatches({ host: "*" }, { hostname: "anything", port: 1 })).toBe(true);
  });

  it("matches CIDR blocks across IPv4 and IPv4-mapped IPv6", () => {
    expect(ruleMatches({ cidr: "127.0.0.0/8" }, { address: "127.1.2.3", port: 1 })).toBe(true);
    expect(ruleMatches({ cidr: "127.0.0.0/8" }, { address: "::ffff:127.1.2.3", port: 1 })).toBe(true);
    expect(ruleMatches({ cidr: "::/0" }, { address: "1.2.3.4", port: 1 })).toBe(true);
    expect(ruleMatches({ cidr: "::1/128" }, { address: "127.0.0.1", port: 1 })).toBe(false);
    expect(ruleMatches({ cidr: "fe80::/10" }, { address: "fe80::1%eth0", port: 1 })).toBe(true);
    expect(ruleMatches({ cidr: "10.0.0.0/8" }, { path: "/tmp/x" })).toBe(false);
  });

  it("says which deny rule refused, or which flag would allow", () => {
    const p = policyFrom({ allowNet: "10.0.0.0/8", denyNet: "10.0.0.0/24:22" });
    expect(denialHint(p, "connect", { address: "10.0.0.5", port: 22 }))
      .toBe("connect to 10.0.0.5:22 is denied by --deny-net=10.0.0.0/24:22");
    expect(denialHint(p, "connect", { address: "192.168.1.1", port: 80 }))
      .toBe("connect to 192.168.1.1:80 is not allowed; run with --allow-net=192.168.1.1:80");
    expect(denialHint(p, "listen", { address: "::", port: 8080 }))
      .toBe("listen on [::]:8080 is not allowed; run with --allow-net=[::]:8080");
    expect(denialHint(p, "connect", { hostname: "db.local", address: "192.168.1.9", port: 5432 }))
      .toBe("connect to db.local:5432 is not allowed; run with --allow-net=db.local:5432");
    expect(denialHint(p, "connect", { path: "/tmp/s.sock" }))
      .toBe("connect to /tmp/s.sock is not allowed; run with --allow-net=unix:/tmp/s.sock");
  });
});
