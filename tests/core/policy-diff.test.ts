// The core's policy decisions against host/policy.ts's `allows()` (the reference the
// CLI's hints and messages use), on random rule sets and targets: they must agree.
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { Core } from "../../host/core/core.ts";
import { Code, Kind, type Rule, type RuleSet } from "../../host/core/api.ts";
import { allows } from "../../host/policy.ts";
import { expectClean } from "./rig.ts";

const NAMES = ["localhost", "example.com", "api.example.com", "a.b.example.com", "evil.test", "EXAMPLE.com"];
const HOST_RULES = ["*", "localhost", "example.com", "*.example.com", "evil.test"];
const IPS = ["127.0.0.1", "127.255.0.9", "10.1.2.3", "192.168.1.7", "8.8.8.8", "::1", "::2", "2001:db8::5", "2001:db9::1", "::ffff:10.1.2.3", "fe80::1"];
const CIDRS = ["127.0.0.0/8", "10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "::1/128", "2001:db8::/32", "::/0", "8.8.8.8/32", "fe80::/10"];
const PATHS = [
  "/tmp/a.sock", "/tmp/sub/b.sock", "/var/run/x.sock", "/tmp", "/tmpx/y.sock",
  "/tmp/../var/run/x.sock", "/tmp//sub/./b.sock", "/tmp/sub/../../etc/x", "relative.sock", "/tmp/sub/..",
];
// normalized, as parseNetRules emits them (the core also normalizes prefixes; allows() does not)
const PREFIXES = ["/tmp/", "/var/", "/", "/tmp/sub/", "/var/run/"];

const ports = fc.option(fc.constantFrom<[number, number]>([80, 80], [8000, 9000], [0, 1023], [6379, 6379]), { nil: undefined });
const rule: fc.Arbitrary<Rule> = fc.oneof(
  fc.record({ host: fc.constantFrom(...HOST_RULES), ports }),
  fc.record({ cidr: fc.constantFrom(...CIDRS), ports }),
  fc.record({ unixPrefix: fc.constantFrom(...PREFIXES) }),
).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as Rule);
const ruleSet: fc.Arbitrary<RuleSet> = fc.record({
  default: fc.constantFrom("allow" as const, "deny" as const),
  allow: fc.array(rule, { maxLength: 4 }),
  deny: fc.array(rule, { maxLength: 3 }),
});
const port = fc.constantFrom(80, 443, 6379, 8080, 22, 0);

function coreFor(set: RuleSet): Core {
  return Core.create({ capacity: 4, policy: { connect: set, listen: set } });
}

function viaName(c: Core, name: string, ip: string, p: number): boolean {
  const h = c.socketOpen(Kind.Tcp, false);
  let rc = c.connectName(h, name, p, 0);
  if (rc === Code.Ok) rc = c.onResolved(h, ip, ip.includes(":") ? 6 : 4, 0);
  c.destroy(h, false);
  c.drain(() => {});
  c.onClosed(h);
  c.drain(() => {});
  if (rc !== Code.Ok && rc !== Code.PolicyDenied) throw new Error(`code ${rc}`);
  expectClean(c);
  return rc === Code.Ok;
}

describe("core policy = host/policy.ts allows()", () => {
  test("connect by address", () => {
    fc.assert(fc.property(ruleSet, fc.constantFrom(...IPS), port, (set, ip, p) => {
      const c = coreFor(set);
      const h = c.socketOpen(Kind.Tcp, false);
      const rc = c.connectAddress(h, ip, p, 0);
      c.destroy(h, false);
      c.drain(() => {});
      c.onClosed(h);
      c.drain(() => {});
      expectClean(c);
      expect(rc === Code.Ok, JSON.stringify({ set, ip, p })).toBe(allows(set, { address: ip, port: p }));
    }), { numRuns: 1500, seed: 7 });
  });

  test("connect by name, then the resolved address", () => {
    fc.assert(fc.property(ruleSet, fc.constantFrom(...NAMES), fc.constantFrom(...IPS), port, (set, name, ip, p) => {
      const got = viaName(coreFor(set), name, ip, p);
      expect(got, JSON.stringify({ set, name, ip, p })).toBe(allows(set, { hostname: name, address: ip, port: p }));
    }), { numRuns: 1500, seed: 8 });
  });

  test("unix paths", () => {
    fc.assert(fc.property(ruleSet, fc.constantFrom(...PATHS), (set, path) => {
      const c = coreFor(set);
      const h = c.socketOpen(Kind.Ipc, false);
      const rc = c.connectPath(h, path, 0);
      c.destroy(h, false);
      c.drain(() => {});
      c.onClosed(h);
      c.drain(() => {});
      expectClean(c);
      expect(rc === Code.Ok, JSON.stringify({ set, path })).toBe(allows(set, { path }));
    }), { numRuns: 800, seed: 9 });
  });
});
