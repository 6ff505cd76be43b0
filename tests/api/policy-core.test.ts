/**
 * host/policy.ts's rules, fed to the real wasm core: for random allow/deny
 * rule strings and random targets, the core's verdict on a connect (by
 * address, by name then resolved address, by Unix path) and on a listen
 * equals the JS mirror `allows()`, which the CLI uses to explain refusals.
 * No ports: the core is sans-I/O.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Code, Ev, Kind, type RuleSet } from "../../host/core/api.ts";
import { Core } from "../../host/core/core.ts";
import { allows, policyFrom, type NetTarget } from "../../host/policy.ts";

const rulePool = [
  "127.0.0.1", "127.0.0.0/8:80-443", "10.0.0.0/8", "10.0.0.0/24:22", "::1", "[::1]:8080", "fe80::/10",
  "[::/0]:443", "0.0.0.0/0:6379", "localhost", "localhost:6379", "*.example.com", "*.example.com:443",
  "example.com:80-8080", "*:22", "unix:/tmp/", "unix:/var/", "unix:*", "2001:db8::/32", "192.168.0.0/16:1-1024",
  "::ffff:10.0.0.0/104", "*",
];
const addresses = ["127.0.0.1", "127.9.9.9", "10.0.0.1", "10.1.2.3", "192.168.1.1", "8.8.8.8", "::1", "fe80::1",
  "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2001:db8::5", "2001:db9::5"];
const names = ["localhost", "db.example.com", "example.com", "api.example.com", "other.test", "LOCALHOST."];
const ports = [22, 80, 443, 6379, 8080];
const paths = ["/tmp/a.sock", "/var/run/x.sock", "/tmp/sub/b", "/home/u/s", "/tmpx"];

const spec = fc.subarray(rulePool, { maxLength: 4 }).map((r) => r.join(","));
const policyOpts = fc.record({
  allowNet: fc.oneof(spec, fc.constant(true), fc.constant(undefined)),
  denyNet: fc.oneof({ arbitrary: spec, weight: 3 }, { arbitrary: fc.constant(undefined), weight: 1 }),
  defaultAllow: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, { arbitrary: fc.constant(true), weight: 1 }),
});

type Target =
  | { kind: "address"; address: string; port: number }
  | { kind: "name"; hostname: string; address: string; port: number }
  | { kind: "path"; path: string };

const target: fc.Arbitrary<Target> = fc.oneof(
  fc.record({ kind: fc.constant("address" as const), address: fc.constantFrom(...addresses), port: fc.constantFrom(...ports) }),
  fc.record({ kind: fc.constant("name" as const), hostname: fc.constantFrom(...names), address: fc.constantFrom(...addresses),
    port: fc.constantFrom(...ports) }),
  fc.record({ kind: fc.constant("path" as const), path: fc.constantFrom(...paths) }),
);

/** Runs the core until every close it asked for is answered. */
function settle(core: Core): void {
  for (let i = 0; i < 10; i++) {
    const closes: number[] = [];
    core.drain((kind, h) => {
      if (kind === Ev.IoClose) closes.push(h);
    });
    if (closes.length === 0) return;
    for (const h of closes) core.onClosed(h);
  }
}

/** The core's verdict on a connect to `t`: true when allowed. */
function coreConnects(core: Core, t: Target): boolean {
  const h = core.socketOpen(t.kind === "path" ? Kind.Ipc : Kind.Tcp, false);
  expect(h).toBeGreaterThan(0);
  let allowed: boolean;
  if (t.kind === "address") {
    allowed = core.connectAddress(h, t.address, t.port, 0) === Code.Ok;
  } else if (t.kind === "path") {
    allowed = core.connectPath(h, t.path, 0) === Code.Ok;
  } else {
    const rc = core.connectName(h, t.hostname, t.port, 0);
    if (rc !== Code.Ok) {
      expect(rc).toBe(Code.PolicyDenied);
      allowed = false;
    } else {
      core.drain(() => {});
      const r = core.onResolved(h, t.address, t.address.includes(":") ? 6 : 4, 0);
      allowed = r === Code.Ok;
      if (!allowed) expect(r).toBe(Code.PolicyDenied);
    }
  }
  core.destroy(h, false);
  settle(core);
  return allowed;
}

function coreListens(core: Core, t: Target): boolean {
  if (t.kind === "name") return true; // listen takes an address
  const h = core.serverOpen(t.kind === "path" ? Kind.Ipc : Kind.Tcp);
  expect(h).toBeGreaterThan(0);
  const rc = t.kind === "path" ? core.listenPath(h, t.path, 511) : core.listenAddress(h, t.address, t.port, 511);
  core.serverClose(h);
  settle(core);
  return rc === Code.Ok;
}

function asNetTarget(t: Target): NetTarget {
  return t.kind === "path" ? { path: t.path } : t.kind === "name"
    ? { hostname: t.hostname, address: t.address, port: t.port } : { address: t.address, port: t.port };
}

describe("policy rules in the wasm core", () => {
  it("the core and allows() agree on 300 random policies x 12 targets", () => {
    fc.assert(fc.property(policyOpts, fc.array(target, { minLength: 12, maxLength: 12 }), (opts, targets) => {
      const policy = policyFrom(opts);
      const core = Core.create({ policy });
      for (const t of targets) {
        const label = `${JSON.stringify(opts)} ${JSON.stringify(t)}`;
        expect(coreConnects(core, t), `connect ${label}`).toBe(allows(policy.connect, asNetTarget(t)));
        if (t.kind !== "name") {
          expect(coreListens(core, t), `listen ${label}`).toBe(allows(policy.listen, asNetTarget(t)));
        }
      }
      expect(core.liveHandles()).toBe(0);
    }), { numRuns: 300 });
  });

  it("a denied-by-default core refuses, and the suggested rule opens exactly that target", () => {
    const deny: RuleSet = { default: "deny", allow: [], deny: [] };
    const core = Core.create({ policy: { connect: deny, listen: deny } });
    expect(coreConnects(core, { kind: "address", address: "10.0.0.1", port: 80 })).toBe(false);
    const opened = Core.create({ policy: policyFrom({ allowNet: "10.0.0.1:80" }) });
    expect(coreConnects(opened, { kind: "address", address: "10.0.0.1", port: 80 })).toBe(true);
    expect(coreConnects(opened, { kind: "address", address: "10.0.0.1", port: 81 })).toBe(false);
    expect(coreConnects(opened, { kind: "address", address: "10.0.0.2", port: 80 })).toBe(false);
    expect(core.liveHandles() + opened.liveHandles()).toBe(0);
  });
});
