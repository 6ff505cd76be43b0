/**
 * Node's system error code and Linux (libuv) errno for a core `Code`, used by
 * every host when no OS error stands behind a core error (the Node driver
 * when node:net gave none, the component backend always). One table, so the
 * hosts cannot drift apart.
 */
import { Code } from "./api.ts";

const SYSTEM: Partial<Record<Code, readonly [string, number]>> = {
  [Code.ConnectionRefused]: ["ECONNREFUSED", -111],
  [Code.ConnectionReset]: ["ECONNRESET", -104],
  [Code.ConnectionAborted]: ["ECONNABORTED", -103],
  [Code.Timeout]: ["ETIMEDOUT", -110],
  [Code.AddressInUse]: ["EADDRINUSE", -98],
  [Code.AddressNotBindable]: ["EADDRNOTAVAIL", -99],
  [Code.AccessDenied]: ["EACCES", -13],
  [Code.RemoteUnreachable]: ["EHOSTUNREACH", -113],
  [Code.InvalidArgument]: ["EINVAL", -22],
  [Code.OutOfMemory]: ["ENOMEM", -12],
  [Code.NewSocketLimit]: ["EMFILE", -24],
  [Code.InvalidState]: ["ENOTCONN", -107],
  [Code.NotSupported]: ["ENOTSUP", -95],
};

/**
 * `{ code, errno }` for a core Code; `errno` wins when the host has a real one
 * (non-zero). Codes with no system equivalent get `fallback` (EIO unless given).
 */
export function systemCodeOf(code: Code, errno: number,
  fallback: readonly [string, number] = ["EIO", -5]): { code: string; errno: number } {
  const entry = SYSTEM[code];
  if (entry === undefined) return { code: fallback[0], errno: errno || fallback[1] };
  return { code: entry[0], errno: errno || entry[1] };
}
