/**
 * Network rules in Deno's `--allow-net` style, turned into the core's Policy.
 *
 * Rule strings (comma-separated, or one per array entry):
 *
 * | rule                  | means                                          |
 * |-----------------------|------------------------------------------------|
 * | `*`                   | everything: every host, address, port and path |
 * | `*:443`               | every host and address, port 443               |
 * | `127.0.0.1`           | that address, any port                         |
 * | `127.0.0.1:*`         | the same                                       |
 * | `127.0.0.1:8080`      | that address, port 8080                        |
 * | `10.0.0.0/8:80-90`    | a CIDR block, ports 80 to 90                   |
 * | `::1`, `fe80::/10`    | IPv6 without brackets: any port                |
 * | `[::1]:8000-9000`     | IPv6 with ports (brackets required)            |
 * | `localhost:6379`      | a name, as the script passes it to connect()   |
 * | `*.example.com:443`   | every name below example.com                   |
 * | `unix:/tmp/`          | Unix socket paths starting with /tmp/          |
 * | `unix:*`              | every Unix socket path (same as `unix:/`)      |
 *
 * Unix paths in rules are absolute and normalized ("/tmp/../x" is "/x"); the
 * host must resolve a script's relative or dotted path the same way before the
 * core checks it, or "/tmp/../etc/s" would pass a "unix:/tmp/" rule.
 * Names are matched by the core case-insensitively, without a trailing dot;
 * an address rule also applies to a name once it resolves to that address.
 * A malformed rule throws ERR_INVALID_ARG_VALUE naming the rule and why.
 *
 * Pure: no I/O. Host code, so it uses node:net and node:util.
 */
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { posix } from "node:path";
import { inspect } from "node:util";
import type { Policy, Rule, RuleSet } from "./core/api.ts";

export type NetRuleSpec = string | readonly string[];

export interface PolicyOptions {
  /**
   * Rules to allow. `true` (or a rule list containing `*`) allows everything
   * that `denyNet` does not deny. Absent or `false`: allow only `defaultAllow`.
   */
  allowNet?: boolean | NetRuleSpec;
  /** Rules to deny; deny wins over allow. `true` denies everything. */
  denyNet?: boolean | NetRuleSpec;
  /** allow what no rule mentions (default false: deny) */
  defaultAllow?: boolean;
}

/** Node's ERR_INVALID_ARG_VALUE (a TypeError), built here so host code needs no ts-api import. */
function invalidRule(name: string, value: unknown, reason: string): TypeError {
  let shown = inspect(value);
  if (shown.length > 128) shown = `${shown.slice(0, 128)}...`;
  const kind = name.includes(".") ? "property" : "argument";
  const err = new TypeError(`The ${kind} '${name}' ${reason}. Received ${shown}`) as TypeError & { code: string };
  err.code = "ERR_INVALID_ARG_VALUE";
  return err;
}

const hostLabel = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split(".").every((label) => hostLabel.test(label));
}

/** "80", "80-90", "*" -> [lo, hi] (undefined for any port), or an error reason. */
function parsePorts(text: string): [number, number] | undefined | string {
  if (text === "*") return undefined;
  const m = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(text);
  if (m === null) return `has a bad port "${text}" (use 80, 8000-9000 or *)`;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) return `has a port above 65535 ("${text}")`;
  if (lo > hi) return `has a port range that ends before it starts ("${text}")`;
  return [lo, hi];
}

/** "10.0.0.0/8", "::1" -> canonical "addr/prefix", or an error reason. */
function parseCidr(text: string): string | { reason: string } {
  const slash = text.indexOf("/");
  const addr = slash === -1 ? text : text.slice(0, slash);
  const v4 = isIPv4(addr);
  if (!v4 && (!isIPv6(addr) || addr.includes("%"))) return { reason: `has a bad IP address "${addr}"` };
  const max = v4 ? 32 : 128;
  if (slash === -1) return `${addr}/${max}`;
  const p = text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(p) || Number(p) > max) {
    return { reason: `has a bad prefix length "/${p}" (0 to ${max})` };
  }
  return `${addr}/${Number(p)}`;
}

function withPorts<T extends object>(rule: T, ports: [number, number] | undefined): T {
  return ports === undefined ? rule : { ...rule, ports };
}

/** Every path: the core takes absolute paths (hosts resolve relative ones first) and refuses an empty prefix. */
const anyPath = "/";

const everything: readonly Rule[] = [{ host: "*" }, { cidr: "0.0.0.0/0" }, { cidr: "::/0" }, { unixPrefix: anyPath }];

/** Rules for one entry (already trimmed and non-empty). */
function parseOne(entry: string, name: string): Rule[] {
  const fail = (reason: string) => invalidRule(name, entry, `is not a valid network rule: it ${reason}`);

  if (entry === "*") return everything.map((r) => ({ ...r }));

  if (entry.startsWith("unix:")) {
    const path = entry.slice(5);
    if (path === "*") return [{ unixPrefix: anyPath }];
    if (path === "") throw fail("has no path after unix:");
    if (path.includes("\0")) throw fail("has a NUL byte in its path");
    if (!path.startsWith("/")) throw fail(`has a relative path "${path}" (write it from /)`);
    // "/tmp/../etc/" must not read as a prefix under /tmp/
    return [{ unixPrefix: normalPath(path) }];
  }

  let hostPart = entry;
  let portText: string | undefined;
  if (entry.startsWith("[")) {
    const close = entry.indexOf("]");
    if (close === -1) throw fail("has no closing ]");
    hostPart = entry.slice(1, close);
    const rest = entry.slice(close + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) throw fail(`has "${rest}" after ] (expected :port)`);
      portText = rest.slice(1);
    }
    if (!isIPv6(hostPart.split("/")[0])) throw fail(`has a bad IPv6 address "${hostPart}" in brackets`);
  } else if (isIPv6(entry.split("/")[0])) {
    hostPart = entry; // bare IPv6 (with or without /prefix): any port
  } else {
    const colon = entry.lastIndexOf(":");
    if (colon !== -1) {
      hostPart = entry.slice(0, colon);
      portText = entry.slice(colon + 1);
      if (hostPart.includes(":")) throw fail("looks like IPv6 with a port: write it as [addr]:port");
    }
  }

  let ports: [number, number] | undefined;
  if (portText !== undefined) {
    const p = parsePorts(portText);
    if (typeof p === "string") throw fail(p);
    ports = p;
  }

  if (hostPart === "*") {
    return [withPorts({ host: "*" }, ports), withPorts({ cidr: "0.0.0.0/0" }, ports), withPorts({ cidr: "::/0" }, ports)];
  }
  if (hostPart === "") throw fail("has no host");

  const first = hostPart.split("/")[0];
  if (isIPv4(first) || isIPv6(first) || /^[0-9.]+(\/.*)?$/.test(hostPart) || hostPart.includes("/")) {
    const cidr = parseCidr(hostPart);
    if (typeof cidr !== "string") throw fail(cidr.reason);
    return [withPorts({ cidr }, ports)];
  }

  let host = hostPart.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  const wildcard = host.startsWith("*.");
  const bare = wildcard ? host.slice(2) : host;
  if (!isHostName(bare)) throw fail(`has a bad host name "${hostPart}"`);
  return [withPorts({ host }, ports)];
}

/**
 * Parses Deno-style rules (see the table above). `spec` is one string with
 * comma-separated rules or an array of them; empty entries are skipped.
 * `name` is the argument named in errors (e.g. 'allowNet').
 */
export function parseNetRules(spec: NetRuleSpec, name = "rules"): Rule[] {
  const entries = typeof spec === "string" ? spec.split(",") : spec;
  if (typeof spec !== "string" && !Array.isArray(spec)) {
    throw invalidRule(name, spec, "must be a string or an array of strings");
  }
  const rules: Rule[] = [];
  for (const raw of entries) {
    if (typeof raw !== "string") throw invalidRule(name, raw, "must be a string or an array of strings");
    for (const part of raw.split(",")) {
      const entry = part.trim();
      if (entry !== "") rules.push(...parseOne(entry, name));
    }
  }
  return rules;
}

function isAll(spec: boolean | NetRuleSpec | undefined): boolean {
  if (spec === true) return true;
  if (spec === undefined || spec === false) return false;
  const entries = typeof spec === "string" ? spec.split(",") : spec;
  return entries.some((e) => typeof e === "string" && e.split(",").some((p) => p.trim() === "*"));
}

/**
 * The Policy for `allowNet`, `denyNet` and `defaultAllow`, the same for
 * connect and listen. The default is deny unless `defaultAllow` is true or
 * `allowNet` is `true` / contains `*`. Deny rules win over allow rules.
 */
export function policyFrom(opts: PolicyOptions = {}): Policy {
  const allowAll = opts.defaultAllow === true || isAll(opts.allowNet);
  const allow = allowAll || typeof opts.allowNet === "boolean" || opts.allowNet === undefined
    ? [] : parseNetRules(opts.allowNet, "allowNet");
  const deny = opts.denyNet === true ? everything.map((r) => ({ ...r }))
    : opts.denyNet === false || opts.denyNet === undefined ? [] : parseNetRules(opts.denyNet, "denyNet");
  const set = (): RuleSet => ({
    default: allowAll ? "allow" : "deny",
    allow: allow.map((r) => ({ ...r })),
    deny: deny.map((r) => ({ ...r })),
  });
  return { connect: set(), listen: set() };
}

// ---- formatting, for messages and the CLI ---------------------------------

function portsText(ports: [number, number] | undefined): string {
  if (ports === undefined) return "*";
  return ports[0] === ports[1] ? `${ports[0]}` : `${ports[0]}-${ports[1]}`;
}

/**
 * One rule as the rule string that parses back to it: `localhost:6379`,
 * `10.0.0.0/8`, `[::1]:8000-9000`, `unix:/tmp/`.
 */
export function describeRule(rule: Rule): string {
  if ("unixPrefix" in rule) return rule.unixPrefix === anyPath ? "unix:*" : `unix:${rule.unixPrefix}`;
  if ("host" in rule) return rule.ports === undefined ? rule.host : `${rule.host}:${portsText(rule.ports)}`;
  const [addr, prefix] = rule.cidr.split("/");
  const full = isIPv4(addr) ? "32" : "128";
  const block = prefix === undefined || prefix === full ? addr : `${addr}/${prefix}`;
  if (rule.ports === undefined) return block;
  return addr.includes(":") ? `[${block}]:${portsText(rule.ports)}` : `${block}:${portsText(rule.ports)}`;
}

/** What a refused connect or listen was aimed at. */
export interface NetTarget {
  /** the name the script connected to, if it used one */
  hostname?: string;
  address?: string;
  port?: number;
  /** a Unix socket path */
  path?: string;
}

/**
 * The rule string that would allow `target` on its own: the name with its
 * port when the script connected by name, else the address with its port,
 * else `unix:<path>`. For `--allow-net=<this>`.
 */
export function ruleFor(target: NetTarget): string {
  if (target.path !== undefined) return `unix:${target.path}`;
  const host = target.hostname ?? target.address ?? "*";
  const port = target.port === undefined || target.port < 0 ? "*" : `${target.port}`;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `--allow-net=10.0.0.1:80`: the flag that would allow `target`. */
export function allowFlagFor(target: NetTarget): string {
  return `--allow-net=${ruleFor(target)}`;
}

// ---- explaining a refusal (mirrors the core's decision, for messages) ------

function portIn(ports: [number, number] | undefined, port: number | undefined): boolean {
  if (ports === undefined) return true;
  return port !== undefined && port >= ports[0] && port <= ports[1];
}

function hostMatches(pattern: string, name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (pattern === "*") return true;
  if (pattern.startsWith("*.")) return n.endsWith(pattern.slice(1)) && n.length > pattern.length - 1;
  return n === pattern;
}

function cidrContains(cidr: string, address: string): boolean {
  const [addr, prefixText] = cidr.split("/");
  const family = isIPv4(addr) ? "ipv4" : "ipv6";
  const prefix = prefixText === undefined ? (family === "ipv4" ? 32 : 128) : Number(prefixText);
  const list = new BlockList();
  list.addSubnet(addr, prefix, family);
  const bare = address.split("%")[0];
  if (isIPv4(bare)) return list.check(bare, "ipv4");
  return isIPv6(bare) && list.check(bare, "ipv6");
}

/** A path as the core should see it: normalized, keeping a trailing "/". */
export function normalPath(path: string): string {
  const normal = posix.normalize(path);
  return path.endsWith("/") && !normal.endsWith("/") ? `${normal}/` : normal;
}

/** Whether `rule` covers `target` (a name rule looks at `hostname`, an address rule at `address`). */
export function ruleMatches(rule: Rule, target: NetTarget): boolean {
  if ("unixPrefix" in rule) return target.path !== undefined && normalPath(target.path).startsWith(rule.unixPrefix);
  if (target.path !== undefined) return false;
  if (!portIn(rule.ports, target.port)) return false;
  if ("host" in rule) return target.hostname !== undefined && hostMatches(rule.host, target.hostname);
  return target.address !== undefined && cidrContains(rule.cidr, target.address);
}

/** The deny rule that refuses `target`, if one does. */
export function denyingRule(set: RuleSet, target: NetTarget): Rule | undefined {
  return set.deny.find((r) => ruleMatches(r, target));
}

/** Whether `set` allows `target`, by the core's rule (deny wins; then allow rules or the default). */
export function allows(set: RuleSet, target: NetTarget): boolean {
  if (denyingRule(set, target) !== undefined) return false;
  return set.default === "allow" || set.allow.some((r) => ruleMatches(r, target));
}

/**
 * One line telling a user why `target` was refused and what to change:
 * `connect to 10.0.0.1:80 is denied by --deny-net=10.0.0.0/8` or
 * `connect to 10.0.0.1:80 is not allowed; run with --allow-net=10.0.0.1:80`.
 */
export function denialHint(policy: Policy, syscall: "connect" | "listen", target: NetTarget): string {
  const what = target.path ?? ruleFor({ ...target, hostname: target.hostname ?? target.address }).replace(/:\*$/, "");
  const verb = `${syscall} ${syscall === "listen" ? "on" : "to"} ${what}`;
  const deny = denyingRule(policy[syscall], target);
  if (deny !== undefined) return `${verb} is denied by --deny-net=${describeRule(deny)}`;
  return `${verb} is not allowed; run with ${allowFlagFor(target)}`;
}
