// Allow and deny rules for connect and for listen, owned by one core instance.
//
// A connect is allowed iff the name is not denied, the resolved address is not denied,
// and (the name is allowed, or the address is allowed, or the default is allow).
// Deny wins over allow. Listen is checked the same way on its address. Unix paths are
// checked against path prefixes. Names compare ASCII case-insensitively and ignore a
// trailing dot; "*" matches every name and "*.example.com" every name below example.com.
import { prefixMatch } from "./addr";

export const SET_CONNECT: i32 = 0;
export const SET_LISTEN: i32 = 1;
export const LIST_ALLOW: i32 = 0;
export const LIST_DENY: i32 = 1;

export enum Verdict { Undecided = 0, Allowed = 1, Denied = 2 }

class PortRange {
  lo: i32 = 0;
  hi: i32 = 65535;
  has(port: i32): bool {
    return port >= this.lo && port <= this.hi;
  }
}

class HostRule extends PortRange {
  /** lower-case name without the leading "*." for wildcards */
  name: StaticArray<u8> = new StaticArray<u8>(0);
  /** "*.suffix" */
  below: bool = false;
  /** "*" */
  any: bool = false;
}

class CidrRule extends PortRange {
  hi64: u64 = 0;
  lo64: u64 = 0;
  prefix: i32 = 128;
}

class PathRule {
  prefix: StaticArray<u8> = new StaticArray<u8>(0);
}

class Rules {
  hosts: HostRule[] = [];
  cidrs: CidrRule[] = [];
  paths: PathRule[] = [];
}

class RuleSet {
  defaultAllow: bool = true;
  allow: Rules = new Rules();
  deny: Rules = new Rules();
}

/** [connect, listen]; filled once by the host right after init (policy_* exports) */
const sets: StaticArray<RuleSet> = [new RuleSet(), new RuleSet()];

export function policyDefault(set: i32, allow: bool): void {
  unchecked(sets[set]).defaultAllow = allow;
}

function listOf(set: i32, list: i32): Rules {
  const s = unchecked(sets[set]);
  return list == LIST_DENY ? s.deny : s.allow;
}

function lower(c: u8): u8 {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Name length without a trailing dot. */
function trimDot(p: usize, len: i32): i32 {
  return len > 0 && load<u8>(p + <usize>(len - 1)) == 46 ? len - 1 : len;
}

export function policyAddHost(set: i32, list: i32, p: usize, len: i32, lo: i32, hi: i32): void {
  const r = new HostRule();
  r.lo = lo;
  r.hi = hi;
  len = trimDot(p, len);
  if (len == 1 && load<u8>(p) == 42) {
    r.any = true;
  } else {
    if (len >= 2 && load<u8>(p) == 42 && load<u8>(p, 1) == 46) {
      r.below = true;
      p += 2;
      len -= 2;
    }
    const name = new StaticArray<u8>(len);
    for (let i = 0; i < len; i++) unchecked(name[i] = lower(load<u8>(p + <usize>i)));
    r.name = name;
  }
  listOf(set, list).hosts.push(r);
}

export function policyAddCidr(set: i32, list: i32, hi64: u64, lo64: u64, prefix: i32, lo: i32, hi: i32): void {
  const r = new CidrRule();
  r.hi64 = hi64;
  r.lo64 = lo64;
  r.prefix = prefix;
  r.lo = lo;
  r.hi = hi;
  listOf(set, list).cidrs.push(r);
}

export function policyAddPath(set: i32, list: i32, p: usize, len: i32): void {
  const r = new PathRule();
  const b = new StaticArray<u8>(len);
  for (let i = 0; i < len; i++) unchecked(b[i] = load<u8>(p + <usize>i));
  r.prefix = b;
  listOf(set, list).paths.push(r);
}

function hostMatches(r: HostRule, p: usize, len: i32): bool {
  if (r.any) return true;
  const n = r.name.length;
  let off = 0;
  if (r.below) {
    // the name must end with "." + suffix
    if (len < n + 2) return false;
    off = len - n;
    if (load<u8>(p + <usize>(off - 1)) != 46) return false;
  } else if (len != n) {
    return false;
  }
  for (let i = 0; i < n; i++) {
    if (lower(load<u8>(p + <usize>(off + i))) != unchecked(r.name[i])) return false;
  }
  return true;
}

function anyHost(rules: HostRule[], p: usize, len: i32, port: i32): bool {
  for (let i = 0, k = rules.length; i < k; i++) {
    const r = unchecked(rules[i]);
    if (r.has(port) && hostMatches(r, p, len)) return true;
  }
  return false;
}

function anyCidr(rules: CidrRule[], hi: u64, lo: u64, port: i32): bool {
  for (let i = 0, k = rules.length; i < k; i++) {
    const r = unchecked(rules[i]);
    if (r.has(port) && prefixMatch(hi, lo, r.hi64, r.lo64, r.prefix)) return true;
  }
  return false;
}

function anyPath(rules: PathRule[], p: usize, len: i32): bool {
  for (let i = 0, k = rules.length; i < k; i++) {
    const pre = unchecked(rules[i]).prefix;
    const n = pre.length;
    if (n > len) continue;
    let ok = true;
    for (let j = 0; j < n; j++) {
      if (load<u8>(p + <usize>j) != unchecked(pre[j])) { ok = false; break; }
    }
    if (ok) return true;
  }
  return false;
}

/** The name's own verdict (before resolution). */
export function checkName(set: i32, p: usize, len: i32, port: i32): Verdict {
  const s = unchecked(sets[set]);
  len = trimDot(p, len);
  if (anyHost(s.deny.hosts, p, len, port)) return Verdict.Denied;
  if (anyHost(s.allow.hosts, p, len, port)) return Verdict.Allowed;
  return Verdict.Undecided;
}

/** Could some address still be allowed on this port? (decides whether to resolve) */
export function mayAllowAddress(set: i32, port: i32): bool {
  const s = unchecked(sets[set]);
  if (s.defaultAllow) return true;
  const c = s.allow.cidrs;
  for (let i = 0, k = c.length; i < k; i++) if (unchecked(c[i]).has(port)) return true;
  return false;
}

/** Final verdict on an address, given whether its name was allowed. */
export function allowAddress(set: i32, hi: u64, lo: u64, port: i32, nameAllowed: bool): bool {
  const s = unchecked(sets[set]);
  if (anyCidr(s.deny.cidrs, hi, lo, port)) return false;
  return nameAllowed || s.defaultAllow || anyCidr(s.allow.cidrs, hi, lo, port);
}

export function allowPath(set: i32, p: usize, len: i32): bool {
  const s = unchecked(sets[set]);
  if (anyPath(s.deny.paths, p, len)) return false;
  return s.defaultAllow || anyPath(s.allow.paths, p, len);
}
