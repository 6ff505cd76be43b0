/**
 * Error mapping between node:net, the core's `Code` and ts-api's `ErrorInfo`.
 *
 * node:net errors already carry Node's code, errno, syscall, address and
 * port: they are passed through unchanged. The core only learns a `Code`
 * (for its state machine) and the errno.
 */
import { Code, Kind } from "../core/api.ts";
import type { CoreAddress } from "../core/api.ts";
import { systemCodeOf } from "../core/system-codes.ts";
import type { ErrorInfo } from "../backend.ts";
import type { Conn, Listener } from "./handles.ts";

/** The core Code for a node:net error code. */
export function codeOfErrno(code: string | undefined): Code {
  switch (code) {
    case "ECONNREFUSED": return Code.ConnectionRefused;
    case "ECONNRESET": return Code.ConnectionReset;
    case "EPIPE": return Code.ConnectionReset;
    case "ECONNABORTED": return Code.ConnectionAborted;
    case "ETIMEDOUT": return Code.Timeout;
    case "EADDRINUSE": return Code.AddressInUse;
    case "EADDRNOTAVAIL": return Code.AddressNotBindable;
    case "EACCES":
    case "EPERM": return Code.AccessDenied;
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "ENOENT": return Code.RemoteUnreachable;
    case "ENOTFOUND":
    case "EAI_NONAME": return Code.NameUnresolvable;
    case "EAI_AGAIN": return Code.TemporaryResolverFailure;
    case "EAI_FAIL": return Code.PermanentResolverFailure;
    case "EINVAL":
    case "ENAMETOOLONG": return Code.InvalidArgument;
    case "ENOMEM":
    case "ENOBUFS": return Code.OutOfMemory;
    case "EMFILE":
    case "ENFILE": return Code.NewSocketLimit;
    default: return Code.Unknown;
  }
}

export { systemCodeOf };

/** ErrorInfo from a node:net (or node:dns) error, field for field. */
export function errorInfoOf(err: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string },
  hostname?: string): ErrorInfo {
  const info: ErrorInfo = { code: err.code ?? "EIO" };
  if (typeof err.errno === "number") info.errno = err.errno;
  if (err.syscall !== undefined) info.syscall = err.syscall;
  if (err.address !== undefined) info.address = err.address;
  if (err.port !== undefined) info.port = err.port;
  const local = err as { localAddress?: string; localPort?: number };
  if (local.localAddress !== undefined && local.localPort !== undefined) {
    info.localAddress = local.localAddress;
    info.localPort = local.localPort;
  }
  const host = err.hostname ?? hostname;
  if (host !== undefined && info.syscall === "getaddrinfo") info.hostname = host;
  if (info.syscall === undefined && !err.code?.startsWith("ERR_")) info.message = err.message;
  if (err.code?.startsWith("ERR_")) info.message = err.message;
  return info;
}

/** The ErrorInfo for a core Error event: the node:net error it came from, or the core's own. */
export function errorEventInfo(code: Code, errno: number, c: Conn | undefined, l: Listener | undefined,
  peer: CoreAddress | null): ErrorInfo {
  const last = c?.lastErr ?? l?.lastErr ?? null;
  if (last && (code !== Code.PolicyDenied && code !== Code.QuotaExceeded)) return errorInfoOf(last);
  const listen = l !== undefined;
  switch (code) {
    case Code.PolicyDenied: {
      if (listen) {
        return { code: "ERR_ACCESS_DENIED", syscall: "listen", address: l.ipc?.path ?? l.bindHost, port: l.tcp?.port };
      }
      if (c?.kind === Kind.Ipc) return { code: "ERR_ACCESS_DENIED", syscall: "connect", address: c.path };
      const info: ErrorInfo = { code: "ERR_ACCESS_DENIED", syscall: "connect", port: c?.port };
      const address = peer?.address ?? (c?.resolved || undefined);
      if (address !== undefined) info.address = address;
      if (c && c.host && c.host !== address) info.hostname = c.host;
      return info;
    }
    case Code.QuotaExceeded:
      return { code: "ERR_QUOTA_EXCEEDED", message: "maxBufferedBytesPerSocket or maxBufferedBytesTotal" };
    case Code.NameUnresolvable:
    case Code.PermanentResolverFailure:
    case Code.TemporaryResolverFailure:
      return { code: code === Code.TemporaryResolverFailure ? "EAI_AGAIN" : "ENOTFOUND",
        errno: errno || undefined, syscall: "getaddrinfo", hostname: c?.host };
    default: {
      const sys = systemCodeOf(code, errno);
      const info: ErrorInfo = { code: sys.code, errno: sys.errno, syscall: listen ? "listen" : "connect" };
      if (peer) {
        info.address = peer.address;
        info.port = peer.port;
      }
      return info;
    }
  }
}

/** An ErrorInfo for a refused script call (negative handle or failed connect/listen). */
export function refusalInfo(code: Code, syscall: string, address?: string, port?: number, hostname?: string): ErrorInfo {
  switch (code) {
    case Code.PolicyDenied: {
      const info: ErrorInfo = { code: "ERR_ACCESS_DENIED", syscall };
      if (address !== undefined) info.address = address;
      if (port !== undefined) info.port = port;
      if (hostname !== undefined) info.hostname = hostname;
      return info;
    }
    case Code.QuotaExceeded:
    case Code.TableFull:
      return { code: "ERR_QUOTA_EXCEEDED", syscall,
        message: code === Code.TableFull ? "connection table full" : "maxSockets" };
    case Code.InvalidArgument:
      return { code: "ERR_INVALID_ARG_VALUE", message: `invalid address for ${syscall}: ${address}` };
    default: {
      const sys = systemCodeOf(code, 0);
      return { code: sys.code, errno: sys.errno, syscall, address, port };
    }
  }
}
