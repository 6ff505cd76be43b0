// Addresses held by the core: 16 bytes in network order (IPv4 as ::ffff:a.b.c.d),
// kept as two u64 words so that CIDR checks are two masked compares.
//
// In memory (scratch for inputs, out_ptr() for peer_address/local_address):
//
//    0                 8                 16     18   19
//    ┌─────────────────┬─────────────────┬──────┬────┐
//    │ address hi (BE) │ address lo (BE) │ port │fam │   port u16 LE, family u8 (4/6)
//    └─────────────────┴─────────────────┴──────┴────┘

export class Addr {
  hi: u64 = 0;
  lo: u64 = 0;
  port: i32 = 0;
  /** 0 = none, 4 or 6 */
  family: i32 = 0;
}

export function loadHi(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

export function loadLo(p: usize): u64 {
  return bswap<u64>(load<u64>(p, 8));
}

export function setAddr(a: Addr, p: usize, port: i32, family: i32): void {
  a.hi = loadHi(p);
  a.lo = loadLo(p);
  a.port = port;
  a.family = family;
}

/** Writes `a` as 16 address bytes, then port (u16) and family (u8) at p+16, p+18. */
export function storeAddr(a: Addr, p: usize): void {
  store<u64>(p, bswap<u64>(a.hi));
  store<u64>(p, bswap<u64>(a.lo), 8);
  store<u16>(p, <u16>a.port, 16);
  store<u8>(p, <u8>a.family, 18);
}

/** true when the first `prefix` bits of (hi, lo) equal those of (rhi, rlo) */
export function prefixMatch(hi: u64, lo: u64, rhi: u64, rlo: u64, prefix: i32): bool {
  if (prefix <= 0) return true;
  if (prefix <= 64) {
    const m = prefix == 64 ? <u64>-1 : ~(<u64>-1 >>> <u64>prefix);
    return (hi & m) == (rhi & m);
  }
  if (hi != rhi) return false;
  const bits = prefix - 64;
  const m = bits >= 64 ? <u64>-1 : ~(<u64>-1 >>> <u64>bits);
  return (lo & m) == (rlo & m);
}
