/**
 * IP address text <-> the core's 16-byte form (network order, IPv4 as ::ffff:a.b.c.d).
 * Host-side only: no strings cross into the core.
 */

export interface Parsed {
  bytes: Uint8Array; // 16
  family: 4 | 6;
}

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function parseV4Into(text: string, out: Uint8Array, at: number): boolean {
  if (!V4.test(text)) return false;
  const parts = text.split(".");
  for (let i = 0; i < 4; i++) out[at + i] = Number(parts[i]);
  return true;
}

function parseV6(text: string, out: Uint8Array): boolean {
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  if (text.length === 0 || text.length > 45) return false;
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups: number[][] = [];
  let v4: string | null = null;
  for (let k = 0; k < halves.length; k++) {
    const part = halves[k];
    const g: number[] = [];
    if (part.length > 0) {
      const items = part.split(":");
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        const isLast = k === halves.length - 1 && i === items.length - 1;
        if (isLast && it.includes(".")) {
          v4 = it;
          continue;
        }
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) return false;
        g.push(parseInt(it, 16));
      }
    }
    groups.push(g);
  }
  const tailWords = v4 === null ? 0 : 2;
  const n = groups.reduce((s, g) => s + g.length, 0) + tailWords;
  if (halves.length === 1 ? n !== 8 : n > 7) return false;
  const words: number[] = [...groups[0]];
  if (halves.length === 2) {
    for (let i = 0; i < 8 - n; i++) words.push(0);
    words.push(...groups[1]);
  }
  for (let i = 0; i < words.length; i++) {
    out[i * 2] = words[i] >> 8;
    out[i * 2 + 1] = words[i] & 0xff;
  }
  if (v4 !== null && !parseV4Into(v4, out, 12)) return false;
  return true;
}

/** Parses an IPv4 or IPv6 literal, or returns null. */
export function parseAddress(text: string): Parsed | null {
  const bytes = new Uint8Array(16);
  if (parseV4Into(text, bytes, 12)) {
    bytes[10] = 0xff;
    bytes[11] = 0xff;
    return { bytes, family: 4 };
  }
  if (parseV6(text, bytes)) return { bytes, family: 6 };
  return null;
}

/** Parses "addr/prefix" or a bare address; the prefix counts over the 16 bytes. */
export function parseCidr(text: string): { bytes: Uint8Array; prefix: number } | null {
  const slash = text.indexOf("/");
  const a = parseAddress(slash < 0 ? text : text.slice(0, slash));
  if (a === null) return null;
  const max = a.family === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    bits = Number(p);
    if (bits > max) return null;
  }
  return { bytes: a.bytes, prefix: a.family === 4 ? bits + 96 : bits };
}

/** Formats 16 bytes as Node does: dotted IPv4 for family 4, RFC 5952 text for 6. */
export function formatAddress(b: Uint8Array, family: 4 | 6): string {
  if (family === 4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[i * 2] << 8) | b[i * 2 + 1]);
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  // the longest run of two or more zero words becomes "::" (the first on a tie)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}

/**
 * A unix path as policy sees it: "." and ".." segments resolved and repeated slashes
 * collapsed (POSIX rules), keeping a trailing "/" (a rule "/tmp/" must not match
 * "/tmpx"). So "/tmp/../etc/x.sock" is checked as "/etc/x.sock", the path the OS uses.
 */
export function normalPath(path: string): string {
  if (path.length === 0) return path;
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
      continue;
    }
    out.push(seg);
  }
  let text = (absolute ? "/" : "") + out.join("/");
  if (text === "") text = ".";
  if (path.endsWith("/") && !text.endsWith("/")) text += "/";
  return text;
}
