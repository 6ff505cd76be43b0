/**
 * `isIP`, `isIPv4`, `isIPv6` with node:net's exact answers, plus the small
 * address helpers BlockList, SocketAddress and the policy parser share.
 *
 * Node's grammar (lib/internal/net.js):
 * - IPv4: four decimal parts 0..255, no leading zeros ("01" is refused), ASCII digits only.
 * - IPv6: hex groups of 1..4 digits; at most one "::"; 8 groups without it,
 *   at most 7 with it; an IPv4 tail counts as 2 groups; an optional zone id
 *   `%` + one or more of [0-9A-Za-z.:-].
 * Like Node, the argument is converted with String() first (a Symbol throws).
 */

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isZoneChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 45 /* - */ || c === 46 /* . */ || c === 58 /* : */;
}

/**
 * A dotted quad: four decimal parts 0..255, no leading zeros, ASCII digits. One
 * regular expression: a QuickJS guest tests it several times faster than it runs
 * a parsing loop (every connect to an address literal asks).
 */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

function isHexGroup(s: string): boolean {
  if (s.length < 1 || s.length > 4) return false;
  for (let i = 0; i < s.length; i++) if (!isHex(s.charCodeAt(i))) return false;
  return true;
}

/** Groups counted for a list of parts; the last may be a dotted quad (2 groups). -1 if invalid. */
function countGroups(parts: string[], allowV4Tail: boolean): number {
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (isHexGroup(p)) {
      n++;
    } else if (allowV4Tail && i === parts.length - 1 && DOTTED_QUAD.test(p)) {
      n += 2;
    } else {
      return -1;
    }
  }
  return n;
}

function v6(s: string): boolean {
  let body = s;
  const pct = s.indexOf("%");
  if (pct !== -1) {
    if (pct === s.length - 1) return false;
    for (let i = pct + 1; i < s.length; i++) if (!isZoneChar(s.charCodeAt(i))) return false;
    body = s.slice(0, pct);
  }
  const dbl = body.indexOf("::");
  if (dbl === -1) {
    return countGroups(body.split(":"), true) === 8;
  }
  if (body.indexOf("::", dbl + 1) !== -1) return false;
  const head = body.slice(0, dbl);
  const tail = body.slice(dbl + 2);
  const h = head === "" ? 0 : countGroups(head.split(":"), false);
  const t = tail === "" ? 0 : countGroups(tail.split(":"), true);
  return h >= 0 && t >= 0 && h + t <= 7;
}

export function isIPv4(input: unknown): boolean {
  return DOTTED_QUAD.test(`${input}`);
}

export function isIPv6(input: unknown): boolean {
  return v6(`${input}`);
}

export function isIP(input: unknown): 0 | 4 | 6 {
  const s = `${input}`;
  if (DOTTED_QUAD.test(s)) return 4;
  if (v6(s)) return 6;
  return 0;
}

// ---- address bytes ----------------------------------------------------------

/**
 * Parses an IPv4 address in Node's strict form into 4 bytes, or null.
 */
export function parseIPv4(s: string): Uint8Array | null {
  if (!DOTTED_QUAD.test(s)) return null;
  const out = new Uint8Array(4);
  const parts = s.split(".");
  for (let i = 0; i < 4; i++) out[i] = Number(parts[i]);
  return out;
}

/**
 * Parses an IPv6 address (zone id dropped) into 16 bytes, or null.
 * Accepts exactly what isIPv6 accepts.
 */
export function parseIPv6(s: string): Uint8Array | null {
  if (!v6(s)) return null;
  const pct = s.indexOf("%");
  const body = pct === -1 ? s : s.slice(0, pct);
  const out = new Uint8Array(16);
  const write = (parts: string[], at: number): number => {
    let pos = at;
    for (const p of parts) {
      if (p.includes(".")) {
        const q = parseIPv4(p) as Uint8Array;
        out.set(q, pos);
        pos += 4;
      } else {
        const n = parseInt(p, 16);
        out[pos] = n >> 8;
        out[pos + 1] = n & 0xff;
        pos += 2;
      }
    }
    return pos;
  };
  const dbl = body.indexOf("::");
  if (dbl === -1) {
    write(body.split(":"), 0);
    return out;
  }
  const head = body.slice(0, dbl);
  const tail = body.slice(dbl + 2);
  if (head !== "") write(head.split(":"), 0);
  if (tail !== "") {
    const parts = tail.split(":");
    const bytes = parts.reduce((n, p) => n + (p.includes(".") ? 4 : 2), 0);
    write(parts, 16 - bytes);
  }
  return out;
}

/** The zone id of an IPv6 address ("eth0" in "fe80::1%eth0"), or "". */
export function zoneOf(s: string): string {
  const pct = s.indexOf("%");
  return pct === -1 ? "" : s.slice(pct + 1);
}

/** 4 bytes -> "a.b.c.d" */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/**
 * 16 bytes -> RFC 5952 text, as inet_ntop prints it (the form Node's
 * SocketAddress and BlockList show): lower case, the longest run of two or
 * more zero groups (the first on a tie) as "::", and "::ffff:a.b.c.d" for
 * IPv4-mapped addresses.
 */
export function formatIPv6(b: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // glibc's inet_ntop: ::ffff:a.b.c.d and the deprecated ::a.b.c.d (IPv4-compatible)
  const v4tail = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff));
  if (v4tail) {
    const prefix = bestLen === 5 ? "::ffff:" : "::";
    return `${prefix}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let out = "";
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += i === 0 ? "::" : ":";
      i += bestLen - 1;
      continue;
    }
    out += groups[i].toString(16);
    if (i < 7) out += ":";
  }
  return out;
}
