// Allow/deny policy for connect and listen: names (exact, *.suffix, *), IPv4/IPv6
// CIDR, port ranges, unix-path prefixes, defaults, and the resolved-address recheck.
import { describe, expect, test } from "vitest";
import { Rig, Code, Kind } from "./rig.ts";
import type { Policy, RuleSet } from "../../host/core/api.ts";

const allowAll: RuleSet = { default: "allow", allow: [], deny: [] };
const denyAll: RuleSet = { default: "deny", allow: [], deny: [] };

function withPolicy(p: Partial<Policy>, body: (rig: Rig) => void): void {
  const rig = new Rig({ policy: { connect: allowAll, listen: allowAll, ...p } });
  body(rig);
  rig.finish();
}

function connectName(rig: Rig, name: string, port: number): Code {
  const h = rig.idle();
  const rc = rig.core.connectName(h, name, port, rig.now);
  rig.core.destroy(h, false);
  rig.drain();
  return rc;
}

/** connects by name and answers the lookup with `ip`: Ok or PolicyDenied */
function resolveTo(rig: Rig, name: string, port: number, ip: string): Code {
  const h = rig.idle();
  const rc = rig.core.connectName(h, name, port, rig.now);
  if (rc !== Code.Ok) {
    rig.core.destroy(h, false);
    rig.drain();
    return rc;
  }
  rig.drain();
  const r = rig.core.onResolved(h, ip, ip.includes(":") ? 6 : 4, rig.now);
  const recs = rig.drain();
  if (r === Code.PolicyDenied) {
    expect(recs).toEqual([
      { ev: "Error", h, a: Code.PolicyDenied, b: 0 },
      { ev: "Close", h, a: 1, b: 0 },
    ]);
  } else {
    rig.core.destroy(h, false);
    rig.answerCloses(rig.drain());
  }
  return r;
}

function connectIp(rig: Rig, ip: string, port: number): Code {
  const h = rig.idle();
  const rc = rig.core.connectAddress(h, ip, port, rig.now);
  rig.core.destroy(h, false);
  rig.answerCloses(rig.drain());
  return rc;
}

describe("connect by name", () => {
  test("exact names, case-insensitive, trailing dot ignored, port ranges", () => {
    withPolicy({ connect: { default: "deny", allow: [{ host: "LocalHost", ports: [6379, 6380] }], deny: [] } }, (rig) => {
      expect(connectName(rig, "localhost", 6379)).toBe(Code.Ok);
      expect(connectName(rig, "LOCALHOST.", 6380)).toBe(Code.Ok);
      expect(connectName(rig, "localhost", 6381)).toBe(Code.PolicyDenied);
      expect(connectName(rig, "localhost2", 6379)).toBe(Code.PolicyDenied);
      expect(connectName(rig, "xlocalhost", 6379)).toBe(Code.PolicyDenied);
    });
  });

  test("*.suffix matches names below it only", () => {
    withPolicy({ connect: { default: "deny", allow: [{ host: "*.example.com" }], deny: [] } }, (rig) => {
      expect(connectName(rig, "api.example.com", 443)).toBe(Code.Ok);
      expect(connectName(rig, "a.b.example.com", 1)).toBe(Code.Ok);
      expect(connectName(rig, "example.com", 443)).toBe(Code.PolicyDenied);
      expect(connectName(rig, "badexample.com", 443)).toBe(Code.PolicyDenied);
    });
  });

  test("deny wins over allow; '*' matches every name", () => {
    withPolicy({ connect: { default: "deny", allow: [{ host: "*" }], deny: [{ host: "evil.test" }] } }, (rig) => {
      expect(connectName(rig, "good.test", 80)).toBe(Code.Ok);
      expect(connectName(rig, "evil.test", 80)).toBe(Code.PolicyDenied);
    });
  });

  test("default allow with a denied name", () => {
    withPolicy({ connect: { default: "allow", allow: [], deny: [{ host: "*.internal", ports: [22, 22] }] } }, (rig) => {
      expect(connectName(rig, "db.internal", 22)).toBe(Code.PolicyDenied);
      expect(connectName(rig, "db.internal", 5432)).toBe(Code.Ok);
    });
  });
});

describe("resolved-address recheck", () => {
  test("an allowed name resolving to a denied address is refused after lookup", () => {
    withPolicy({ connect: { default: "deny", allow: [{ host: "*" }], deny: [{ cidr: "169.254.0.0/16" }] } }, (rig) => {
      expect(resolveTo(rig, "metadata.test", 80, "169.254.169.254")).toBe(Code.PolicyDenied);
      expect(resolveTo(rig, "ok.test", 80, "93.184.216.34")).toBe(Code.Ok);
    });
  });

  test("an unlisted name is resolved when some CIDR could allow it, then decided by address", () => {
    withPolicy({ connect: { default: "deny", allow: [{ cidr: "127.0.0.0/8", ports: [8000, 9000] }], deny: [] } }, (rig) => {
      expect(resolveTo(rig, "localhost", 8080, "127.0.0.1")).toBe(Code.Ok);
      expect(resolveTo(rig, "localhost", 8080, "10.0.0.1")).toBe(Code.PolicyDenied);
      // no CIDR allows port 80: refused before any lookup
      expect(connectName(rig, "localhost", 80)).toBe(Code.PolicyDenied);
    });
  });

  test("IPv4-mapped IPv6 addresses cannot dodge IPv4 rules", () => {
    withPolicy({ connect: { default: "allow", allow: [], deny: [{ cidr: "10.0.0.0/8" }] } }, (rig) => {
      expect(resolveTo(rig, "x.test", 80, "::ffff:10.1.2.3")).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "::ffff:10.1.2.3", 80)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "10.255.255.255", 80)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "11.0.0.0", 80)).toBe(Code.Ok);
    });
  });
});

describe("connect by address", () => {
  test("IPv4 CIDR with ports", () => {
    withPolicy({ connect: { default: "deny", allow: [{ cidr: "192.168.1.0/24", ports: [443, 443] }], deny: [] } }, (rig) => {
      expect(connectIp(rig, "192.168.1.77", 443)).toBe(Code.Ok);
      expect(connectIp(rig, "192.168.1.77", 80)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "192.168.2.1", 443)).toBe(Code.PolicyDenied);
    });
  });

  test("IPv6 CIDR, bare addresses, odd prefixes", () => {
    withPolicy({
      connect: {
        default: "deny",
        allow: [{ cidr: "2001:db8::/33" }, { cidr: "::1" }, { cidr: "10.0.0.0/9" }],
        deny: [],
      },
    }, (rig) => {
      expect(connectIp(rig, "2001:db8:7fff::1", 1)).toBe(Code.Ok);
      expect(connectIp(rig, "2001:db8:8000::1", 1)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "::1", 1)).toBe(Code.Ok);
      expect(connectIp(rig, "::2", 1)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "10.127.0.1", 1)).toBe(Code.Ok);
      expect(connectIp(rig, "10.128.0.1", 1)).toBe(Code.PolicyDenied);
    });
  });

  test("a /0 rule and the default", () => {
    withPolicy({ connect: { default: "deny", allow: [{ cidr: "0.0.0.0/0" }], deny: [] } }, (rig) => {
      expect(connectIp(rig, "8.8.8.8", 53)).toBe(Code.Ok);
      expect(connectIp(rig, "2001:db8::1", 53)).toBe(Code.PolicyDenied); // /0 over IPv4 only
    });
    withPolicy({ connect: denyAll }, (rig) => {
      expect(connectIp(rig, "127.0.0.1", 1)).toBe(Code.PolicyDenied);
      expect(connectName(rig, "localhost", 1)).toBe(Code.PolicyDenied);
    });
  });
});

describe("unix paths", () => {
  test("prefix rules for connect", () => {
    withPolicy({ connect: { default: "deny", allow: [{ unixPrefix: "/tmp/" }], deny: [{ unixPrefix: "/tmp/secret" }] } }, (rig) => {
      const check = (path: string) => {
        const h = rig.idle(false, Kind.Ipc);
        const rc = rig.core.connectPath(h, path, rig.now);
        rig.core.destroy(h, false);
        rig.answerCloses(rig.drain());
        return rc;
      };
      expect(check("/tmp/app.sock")).toBe(Code.Ok);
      expect(check("/tmp/secret/x.sock")).toBe(Code.PolicyDenied);
      expect(check("/var/run/docker.sock")).toBe(Code.PolicyDenied);
      expect(check("/tmp")).toBe(Code.PolicyDenied);
      // traversal is resolved before the check
      expect(check("/tmp/../var/run/docker.sock")).toBe(Code.PolicyDenied);
      expect(check("/tmp/x/../secret/y.sock")).toBe(Code.PolicyDenied);
      expect(check("/tmp//./app.sock")).toBe(Code.Ok);
    });
  });
});

describe("listen", () => {
  test("listen rules are separate from connect rules", () => {
    withPolicy({
      connect: denyAll,
      listen: { default: "deny", allow: [{ cidr: "127.0.0.1", ports: [8000, 8999] }], deny: [] },
    }, (rig) => {
      const listen = (ip: string, port: number) => {
        const s = rig.server();
        const rc = rig.core.listenAddress(s, ip, port, 0);
        rig.core.serverClose(s);
        rig.answerCloses(rig.drain());
        return rc;
      };
      expect(listen("127.0.0.1", 8080)).toBe(Code.Ok);
      expect(listen("127.0.0.1", 0)).toBe(Code.PolicyDenied); // ephemeral port is outside 8000-8999
      expect(listen("0.0.0.0", 8080)).toBe(Code.PolicyDenied);
      expect(connectIp(rig, "127.0.0.1", 8080)).toBe(Code.PolicyDenied);
    });
  });

  test("unix listen paths", () => {
    withPolicy({ listen: { default: "deny", allow: [{ unixPrefix: "/run/app/" }], deny: [] } }, (rig) => {
      const s = rig.server(Kind.Ipc);
      expect(rig.core.listenPath(s, "/run/other.sock", 0)).toBe(Code.PolicyDenied);
      expect(rig.core.listenPath(s, "/run/app/a.sock", 0)).toBe(Code.Ok);
    });
  });
});

describe("policies are per core", () => {
  test("two cores, two policies", () => {
    const open = new Rig();
    const closed = new Rig({ policy: { connect: denyAll, listen: denyAll } });
    expect(connectIp(open, "127.0.0.1", 80)).toBe(Code.Ok);
    expect(connectIp(closed, "127.0.0.1", 80)).toBe(Code.PolicyDenied);
    open.finish();
    closed.finish();
  });

  test("invalid rules are rejected at creation", () => {
    expect(() => new Rig({ policy: { connect: { default: "deny", allow: [{ cidr: "10.0.0.0/33" }], deny: [] }, listen: allowAll } })).toThrow(/CIDR/);
    expect(() => new Rig({ policy: { connect: { default: "deny", allow: [{ host: "x", ports: [10, 5] }], deny: [] }, listen: allowAll } })).toThrow(/policy rule/);
    expect(() => new Rig({ policy: { connect: { default: "maybe" as "allow", allow: [], deny: [] }, listen: allowAll } })).toThrow(/default/);
  });
});
