/**
 * node:net's `BlockList`: rules (single addresses, ranges, subnets) that
 * `check()` matches an address against, with Node v20's cross-family rules:
 * an IPv4 rule also matches the IPv4-mapped IPv6 form (::ffff:a.b.c.d) and
 * an IPv6 rule on a mapped address also matches the plain IPv4 form. Rules
 * are listed newest first, as Node lists them.
 *
 * `BlockList.isBlockList()` is Node 22's (not in Node v20).
 */
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } from "./errors.ts";
import { parseIPv4, parseIPv6 } from "./ip.ts";
import { SocketAddress } from "./socketaddress.ts";

/** An address as the matcher sees it: 4 bytes (IPv4) or 16 bytes (IPv6). */
type Bytes = Uint8Array;

type BlockRule =
  | { kind: "address"; address: Bytes; text: string }
  | { kind: "range"; start: Bytes; end: Bytes; text: string }
  | { kind: "subnet"; network: Bytes; prefix: number; text: string };

const enum Cmp { NotComparable = -2, Less = -1, Same = 0, Greater = 1 }

function bytesOf(sa: SocketAddress): Bytes {
  return (sa.family === "ipv4" ? parseIPv4(sa.address) : parseIPv6(sa.address)) as Bytes;
}

/** true when a 16-byte address is ::ffff:a.b.c.d */
function isMapped(b: Bytes): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

function memcmp(a: Bytes, ai: number, b: Bytes, bi: number, len: number): number {
  for (let i = 0; i < len; i++) {
    const d = a[ai + i] - b[bi + i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function same(a: Bytes, b: Bytes): boolean {
  if (a.length === b.length) return memcmp(a, 0, b, 0, a.length) === 0;
  const [v4, v6] = a.length === 4 ? [a, b] : [b, a];
  return isMapped(v6) && memcmp(v6, 12, v4, 0, 4) === 0;
}

function compare(a: Bytes, b: Bytes): Cmp {
  if (a.length === b.length) return memcmp(a, 0, b, 0, a.length) as Cmp;
  if (a.length === 4) {
    if (!isMapped(b)) return Cmp.NotComparable;
    return memcmp(a, 0, b, 12, 4) as Cmp;
  }
  const c = compare(b, a);
  return c === Cmp.NotComparable || c === Cmp.Same ? c : (-c as Cmp);
}

function u32(b: Bytes, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function mask32(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

/** Compares the first `prefix` bits of two 16-byte addresses. */
function prefixEqual16(a: Bytes, b: Bytes, prefix: number): boolean {
  const whole = prefix >> 3;
  if (memcmp(a, 0, b, 0, whole) !== 0) return false;
  const r = prefix & 7;
  if (r === 0) return true;
  const m = (0xff << (8 - r)) & 0xff;
  return (a[whole] & m) === (b[whole] & m);
}

function mapped(v4: Bytes): Bytes {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(v4, 12);
  return out;
}

function inNetwork(addr: Bytes, net: Bytes, prefix: number): boolean {
  if (addr.length === 4 && net.length === 4) {
    const m = mask32(prefix);
    return ((u32(addr, 0) & m) >>> 0) === ((u32(net, 0) & m) >>> 0);
  }
  if (addr.length === 4) {
    if (prefix === 128) return compare(addr, net) === Cmp.Same;
    return prefixEqual16(mapped(addr), net, prefix);
  }
  if (net.length === 4) {
    if (prefix === 32) return compare(net, addr) === Cmp.Same;
    if (!isMapped(addr)) return false;
    const m = mask32(prefix);
    return ((u32(addr, 12) & m) >>> 0) === ((u32(net, 0) & m) >>> 0);
  }
  if (prefix === 128) return memcmp(addr, 0, net, 0, 16) === 0;
  return prefixEqual16(addr, net, prefix);
}

function applies(rule: BlockRule, addr: Bytes): boolean {
  switch (rule.kind) {
    case "address":
      return same(rule.address, addr);
    case "range": {
      const lo = compare(addr, rule.start);
      const hi = compare(addr, rule.end);
      return (lo === Cmp.Same || lo === Cmp.Greater) && (hi === Cmp.Same || hi === Cmp.Less);
    }
    case "subnet":
      return inNetwork(addr, rule.network, rule.prefix);
  }
}

function familyLabel(sa: SocketAddress): string {
  return sa.family === "ipv4" ? "IPv4" : "IPv6";
}

function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw ERR_INVALID_ARG_TYPE(name, "string", value);
}

function validateInt32(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isInteger(value)) throw ERR_OUT_OF_RANGE(name, "an integer", value);
  if (value < min || value > max) throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

function toSocketAddress(value: unknown, name: string, family: unknown): SocketAddress {
  if (SocketAddress.isSocketAddress(value)) return value;
  validateString(value, name);
  validateString(family, "family");
  return new SocketAddress({ address: value, family });
}

export class BlockList {
  /** newest first */
  readonly #rules: BlockRule[] = [];

  /** Node 22's `BlockList.isBlockList(value)`. */
  static isBlockList(value: unknown): value is BlockList {
    return typeof value === "object" && value !== null && #rules in value;
  }

  addAddress(address: string | SocketAddress, family = "ipv4"): void {
    const sa = toSocketAddress(address, "address", family);
    this.#rules.unshift({
      kind: "address",
      address: bytesOf(sa),
      text: `Address: ${familyLabel(sa)} ${sa.address}`,
    });
  }

  addRange(start: string | SocketAddress, end: string | SocketAddress, family = "ipv4"): void {
    const from = toSocketAddress(start, "start", family);
    const to = toSocketAddress(end, "end", family);
    const a = bytesOf(from);
    const b = bytesOf(to);
    if (compare(a, b) === Cmp.Greater) {
      throw ERR_INVALID_ARG_VALUE("start", from, "must come before end");
    }
    this.#rules.unshift({
      kind: "range",
      start: a,
      end: b,
      text: `Range: ${familyLabel(from)} ${from.address}-${to.address}`,
    });
  }

  addSubnet(network: string | SocketAddress, prefix: number, family = "ipv4"): void {
    const net = toSocketAddress(network, "network", family);
    validateInt32(prefix, "prefix", 0, net.family === "ipv4" ? 32 : 128);
    this.#rules.unshift({
      kind: "subnet",
      network: bytesOf(net),
      prefix,
      text: `Subnet: ${familyLabel(net)} ${net.address}/${prefix}`,
    });
  }

  check(address: string | SocketAddress, family = "ipv4"): boolean {
    let sa: SocketAddress;
    if (SocketAddress.isSocketAddress(address)) {
      sa = address;
    } else {
      validateString(address, "address");
      validateString(family, "family");
      try {
        sa = new SocketAddress({ address, family });
      } catch {
        return false;
      }
    }
    const bytes = bytesOf(sa);
    for (const rule of this.#rules) if (applies(rule, bytes)) return true;
    return false;
  }

  get rules(): string[] {
    return this.#rules.map((r) => r.text);
  }

  /** Node's util.inspect output: `BlockList { rules: [...] }` */
  [Symbol.for("nodejs.util.inspect.custom")](depth: number, options: unknown,
    inspect?: (v: unknown, o: unknown) => string): unknown {
    if (depth < 0) return "[BlockList]";
    if (typeof inspect !== "function") return this;
    return `BlockList ${inspect({ rules: this.rules }, options)}`;
  }
}
