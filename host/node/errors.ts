/**
 * Error mapping between node:net, the core's `Code` and ts-api's `ErrorInfo`.
 *
 * node:net errors already carry Node's code, errno, syscall, address and
 * port: they are passed through unchanged. The core only learns a `Code`
 * (for its state machine) and the errno.
 */
import { Code } from "../core/api.ts";
import type { ErrorInfo } from "../backend.ts";

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

/** Node's code and errno for a core Code (when no node:net error stands behind it). */
export function systemCodeOf(code: Code, errno: number): { code: string; errno: number } {
  switch (code) {
    case Code.ConnectionRefused: return { code: "ECONNREFUSED", errno: errno || -111 };
    case Code.ConnectionReset: return { code: "ECONNRESET", errno: errno || -104 };
    case Code.ConnectionAborted: return { code: "ECONNABORTED", errno: errno || -103 };
    case Code.Timeout: return { code: "ETIMEDOUT", errno: errno || -110 };
    case Code.AddressInUse: return { code: "EADDRINUSE", errno: errno || -98 };
    case Code.AddressNotBindable: return { code: "EADDRNOTAVAIL", errno: errno || -99 };
    case Code.AccessDenied: return { code: "EACCES", errno: errno || -13 };
    case Code.RemoteUnreachable: return { code: "EHOSTUNREACH", errno: errno || -113 };
    case Code.InvalidArgument: return { code: "EINVAL", errno: errno || -22 };
    case Code.OutOfMemory: return { code: "ENOMEM", errno: errno || -12 };
    case Code.NewSocketLimit: return { code: "EMFILE", errno: errno || -24 };
    case Code.InvalidState: return { code: "ENOTCONN", errno: errno || -107 };
    case Code.NotSupported: return { code: "ENOTSUP", errno: errno || -95 };
    default: return { code: "EIO", errno: errno || -5 };
  }
}

/** ErrorInfo from a node:net (or node:dns) error, field for field. */
export function errorInfoOf(err: NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string },
  hostname?: string): ErrorInfo {
  const info: ErrorInfo = { code: err.code ?? "EIO" };
  if (typeof err.errno === "number") info.errno = err.errno;
  if (err.syscall !== undefined) info.syscall = err.syscall;
  if (err.address !== undefined) info.address = err.address;
  if (err.port !== undefined) info.port = err.port;
  const host = err.hostname ?? hostname;
  if (host !== undefined && info.syscall === "getaddrinfo") info.hostname = host;
  if (info.syscall === undefined && !err.code?.startsWith("ERR_")) info.message = err.message;
  if (err.code?.startsWith("ERR_")) info.message = err.message;
  return info;
}
