// Addresses held by the core: 16 bytes in network order (IPv4 as ::ffff:a.b.c.d),
// kept as two u64 words (hi, lo) so that CIDR checks are two masked compares. Sockets
// keep theirs in an Ends object, servers inline (entries.ts); family 0 = none.
//
// In memory (scratch for inputs, out_ptr() for peer_address/local_address):
//
//    0                 8                 16     18   19
//    ┌─────────────────┬─────────────────┬──────┬────┐
//    │ address hi (BE) │ address lo (BE) │ port │fam │   port u16 LE, family u8 (4/6)
//    └─────────────────┴─────────────────┴──────┴────┘

export function loadHi(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

export function loadLo(p: usize): u64 {
  return bswap<u64>(load<u64>(p, 8));
}

/** Writes (hi, lo) as 16 address bytes, then port (u16) and family (u8) at p+16, p+18. */
export function storeAddr(p: usize, hi: u64, lo: u64, port: i32, family: i32): void {
  store<u64>(p, bswap<u64>(hi));
  store<u64>(p, bswap<u64>(lo), 8);
  store<u16>(p, <u16>port, 16);
  store<u8>(p, <u8>family, 18);
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
