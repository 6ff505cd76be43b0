/**
 * Node's errors, as `node:net` v20 throws and emits them.
 *
 * Two families:
 * - `ERR_*` misuse errors. Each factory is named by its code and returns an
 *   error whose class (Error/TypeError/RangeError), `name`, `code`, message,
 *   `toString()` and stack header match Node v20 exactly. `err.constructor` is
 *   the base class, as in Node.
 * - system errors (`connect ECONNREFUSED 127.0.0.1:1`), built by
 *   `errorFromInfo()` from the host's `ErrorInfo` with `code`, `errno`,
 *   `syscall`, `address`, `port` / `hostname` in Node's key order.
 *
 * wasock adds ERR_ACCESS_DENIED (policy), ERR_QUOTA_EXCEEDED (quota) and
 * ERR_NOT_SUPPORTED (a feature wasock does not build); see docs/errors.md.
 *
 * This file also runs inside QuickJS: no node:util. `inspect()` (./inspect.ts)
 * writes util.inspect's output for the values error messages show.
 */
import type { ErrorInfo } from "../host/backend.ts";
import { inspect } from "./inspect.ts";
import { isIP } from "./ip.ts";

export { inspect };

/** Marks wasock's ERR_* errors (a prototype getter: invisible to deepEqual). */
const kIsNodeError = Symbol.for("wasock.isNodeError");

type ErrorBase = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

/** Adds what Node's NodeError classes add to a base class's prototype. */
function brand(proto: object, Base: ErrorBase): void {
  Object.defineProperty(proto, "constructor", {
    get() { return Base; },
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(proto, kIsNodeError, {
    get() { return true; },
    enumerable: false,
    configurable: true,
  });
  Object.defineProperty(proto, "toString", {
    value: function toString(this: Error & { code: string }) {
      return `${this.name} [${this.code}]: ${this.message}`;
    },
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

/**
 * A Node-style error with a `code`. `err instanceof NodeError` holds for
 * every ERR_* error made here, whatever its base (Error, TypeError,
 * RangeError); `err.constructor` is the base class, as in Node.
 */
export class NodeError extends Error {
  declare code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    fixStackHeader(this);
  }
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null &&
      (value as Record<symbol, unknown>)[kIsNodeError] === true;
  }
}
brand(NodeError.prototype, Error);

class NodeTypeError extends TypeError {
  declare code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    fixStackHeader(this);
  }
}
brand(NodeTypeError.prototype, TypeError);

class NodeRangeError extends RangeError {
  declare code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    fixStackHeader(this);
  }
}
brand(NodeRangeError.prototype, RangeError);

/** Node's stack header is `TypeError [ERR_X]: message`; V8 wrote `TypeError: message`. */
function fixStackHeader(err: Error & { code: string }): void {
  const stack = err.stack;
  if (typeof stack !== "string") return;
  const head = `${err.name}: ${err.message}`;
  if (stack.startsWith(head)) {
    err.stack = `${err.name} [${err.code}]: ${err.message}${stack.slice(head.length)}`;
  }
}

// ---- message helpers (Node's lib/internal/errors.js behaviour) ------------

const kTypes = ["string", "function", "number", "object", "Function", "Object",
  "boolean", "bigint", "symbol"];
const classRegExp = /^[A-Z][a-zA-Z0-9]*$/;

/** 'a', 'a or b', 'a, b, or c' */
function formatList(items: string[], type = "and"): string {
  switch (items.length) {
    case 0: return "";
    case 1: return items[0];
    case 2: return `${items[0]} ${type} ${items[1]}`;
    default:
      return `${items.slice(0, -1).join(", ")}, ${type} ${items[items.length - 1]}`;
  }
}

/** 1234567 -> 1_234_567 (integers only) */
function addNumericalSeparator(val: string): string {
  let res = "";
  let i = val.length;
  const start = val[0] === "-" ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
  return `${val.slice(0, i)}${res}`;
}

/** The "Received ..." part of ERR_INVALID_ARG_TYPE and ERR_SOCKET_BAD_PORT. */
export function describeReceived(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  switch (typeof value) {
    case "bigint":
      return `type bigint (${value}n)`;
    case "number":
      if (value === 0) return Object.is(value, -0) ? "type number (-0)" : "type number (0)";
      return `type number (${value})`;
    case "boolean":
      return `type boolean (${value})`;
    case "symbol":
      return `type symbol (${String(value)})`;
    case "function":
      return `function ${(value as { name?: unknown }).name}`;
    case "object": {
      const ctor = (value as { constructor?: { name?: unknown } }).constructor;
      if (ctor && "name" in ctor) return `an instance of ${ctor.name}`;
      return inspect(value, { depth: -1 });
    }
    case "string": {
      let s = value;
      if (s.length > 28) s = `${s.slice(0, 25)}...`;
      if (!s.includes("'")) return `type string ('${s}')`;
      return `type string (${JSON.stringify(s)})`;
    }
    default: {
      let s = inspect(value);
      if (s.length > 28) s = `${s.slice(0, 25)}...`;
      return `type ${typeof value} (${s})`;
    }
  }
}

/** util.format's `%s` for one argument. */
function formatS(value: unknown): string {
  switch (typeof value) {
    case "string": return value;
    case "number": return Object.is(value, -0) ? "-0" : String(value);
    case "bigint": return `${value}n`;
    case "object": {
      if (value === null) return "null";
      return hasUserToString(value) ? String(value) : inspect(value, { depth: 0 });
    }
    default: return String(value);
  }
}

/** util.format's hasBuiltInToString: false when a user-defined toString applies. */
function hasUserToString(value: object): boolean {
  if (typeof (value as { toString?: unknown }).toString !== "function") return false;
  if (Object.prototype.hasOwnProperty.call(value, "toString")) return true;
  let pointer: object | null = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (pointer !== null && !Object.prototype.hasOwnProperty.call(pointer, "toString"));
  if (pointer === null) return false;
  const d = Object.getOwnPropertyDescriptor(pointer, "constructor");
  const ctor = d?.value;
  const builtIn = typeof ctor === "function" &&
    (globalThis as Record<string, unknown>)[ctor.name as string] === ctor;
  return !builtIn;
}

// ---- ERR_* factories ------------------------------------------------------

export function ERR_INVALID_ARG_TYPE(name: string, expected: string | string[], actual: unknown): NodeError {
  const list = Array.isArray(expected) ? expected : [expected];
  let msg = "The ";
  if (name.endsWith(" argument")) {
    msg += `${name} `;
  } else {
    msg += `"${name}" ${name.includes(".") ? "property" : "argument"} `;
  }
  msg += "must be ";
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of list) {
    if (kTypes.includes(value)) types.push(value.toLowerCase());
    else if (classRegExp.test(value)) instances.push(value);
    else other.push(value);
  }
  if (instances.length > 0) {
    const pos = types.indexOf("object");
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push("Object");
    }
  }
  if (types.length > 0) {
    msg += `${types.length > 1 ? "one of type" : "of type"} ${formatList(types, "or")}`;
    if (instances.length > 0 || other.length > 0) msg += " or ";
  }
  if (instances.length > 0) {
    msg += `an instance of ${formatList(instances, "or")}`;
    if (other.length > 0) msg += " or ";
  }
  if (other.length > 0) {
    if (other.length > 1) {
      msg += `one of ${formatList(other, "or")}`;
    } else {
      if (other[0].toLowerCase() !== other[0]) msg += "an ";
      msg += other[0];
    }
  }
  msg += `. Received ${describeReceived(actual)}`;
  return new NodeTypeError("ERR_INVALID_ARG_TYPE", msg);
}

function invalidArgValueMessage(name: string, value: unknown, reason: string): string {
  let inspected = inspect(value);
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
  const type = name.includes(".") ? "property" : "argument";
  return `The ${type} '${name}' ${reason}. Received ${inspected}`;
}

/** A TypeError, as Node's default ERR_INVALID_ARG_VALUE. */
export function ERR_INVALID_ARG_VALUE(name: string, value: unknown, reason = "is invalid"): NodeError {
  return new NodeTypeError("ERR_INVALID_ARG_VALUE", invalidArgValueMessage(name, value, reason));
}

/** Node's `ERR_INVALID_ARG_VALUE.RangeError` variant. */
export function ERR_INVALID_ARG_VALUE_RANGE(name: string, value: unknown, reason = "is invalid"): NodeError {
  return new NodeRangeError("ERR_INVALID_ARG_VALUE", invalidArgValueMessage(name, value, reason));
}

export function ERR_SOCKET_BAD_PORT(name: string, port: unknown, allowZero = true): NodeError {
  const operator = allowZero ? ">=" : ">";
  return new NodeRangeError("ERR_SOCKET_BAD_PORT",
    `${name} should be ${operator} 0 and < 65536. Received ${describeReceived(port)}.`);
}

export function ERR_OUT_OF_RANGE(str: string, range: string, input: unknown, replaceDefaultBoolean = false): NodeError {
  let msg = replaceDefaultBoolean ? str : `The value of "${str}" is out of range.`;
  let received: string;
  if (Number.isInteger(input) && Math.abs(input as number) > 2 ** 32) {
    received = addNumericalSeparator(String(input));
  } else if (typeof input === "bigint") {
    received = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
    received += "n";
  } else {
    received = inspect(input);
  }
  msg += ` It must be ${range}. Received ${received}`;
  return new NodeRangeError("ERR_OUT_OF_RANGE", msg);
}

/** Each name is a string, or an array of alternatives ("a" or "b"). */
export function ERR_MISSING_ARGS(...names: (string | string[])[]): NodeError {
  const wrap = (a: string) => `"${a}"`;
  const parts = names.map((a) => (Array.isArray(a) ? a.map(wrap).join(" or ") : wrap(a)));
  const msg = `The ${formatList(parts)} argument${names.length > 1 ? "s" : ""} must be specified`;
  return new NodeTypeError("ERR_MISSING_ARGS", msg);
}

export function ERR_INVALID_IP_ADDRESS(value: unknown): NodeError {
  return new NodeTypeError("ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${formatS(value)}`);
}

export function ERR_INVALID_ADDRESS_FAMILY(addressType: unknown, host: unknown, port: unknown): NodeError {
  const err = new NodeRangeError("ERR_INVALID_ADDRESS_FAMILY",
    `Invalid address family: ${addressType} ${host}:${port}`) as NodeError & { host: unknown; port: unknown };
  err.host = host;
  err.port = port;
  return err;
}

export function ERR_INVALID_FD_TYPE(type: unknown): NodeError {
  return new NodeTypeError("ERR_INVALID_FD_TYPE", `Unsupported fd type: ${formatS(type)}`);
}

export function ERR_INVALID_THIS(type: string): NodeError {
  return new NodeTypeError("ERR_INVALID_THIS", `Value of "this" must be of type ${type}`);
}

export function ERR_STREAM_DESTROYED(method: string): NodeError {
  return new NodeError("ERR_STREAM_DESTROYED", `Cannot call ${method} after a stream was destroyed`);
}

/** Node's message: the value's constructor name, else its type. */
export function ERR_INVALID_RETURN_VALUE(input: string, name: string, value: unknown): NodeError {
  const ctor = (value as { constructor?: { name?: unknown } } | null | undefined)?.constructor?.name;
  const type = ctor ? `instance of ${String(ctor)}` : `type ${typeof value}`;
  return new NodeTypeError("ERR_INVALID_RETURN_VALUE", `Expected ${input} to be returned from the "${name}" function but got ${type}.`);
}

export function ERR_METHOD_NOT_IMPLEMENTED(method: string): NodeError {
  return new NodeError("ERR_METHOD_NOT_IMPLEMENTED", `The ${method} method is not implemented`);
}

/** Messages of the argument-less ERR_* codes ts-api uses, with their base. */
const fixed: Record<string, [ErrorBase, string]> = {
  ERR_SOCKET_CLOSED: [Error, "Socket is closed"],
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: [Error, "Socket closed before the connection was established"],
  ERR_SERVER_ALREADY_LISTEN: [Error, "Listen method has been called more than once without closing."],
  ERR_SERVER_NOT_RUNNING: [Error, "Server is not running."],
  ERR_SOCKET_CONNECTION_TIMEOUT: [Error, "Socket connection timeout"],
  ERR_STREAM_WRITE_AFTER_END: [Error, "write after end"],
  ERR_STREAM_PREMATURE_CLOSE: [Error, "Premature close"],
  ERR_MULTIPLE_CALLBACK: [Error, "Callback called multiple times"],
  ERR_INVALID_HANDLE_TYPE: [TypeError, "This handle type cannot be sent"],
  ERR_ILLEGAL_CONSTRUCTOR: [TypeError, "Illegal constructor"],
};

function makeFixed(code: string): NodeError {
  const [Base, message] = fixed[code];
  if (Base === TypeError) return new NodeTypeError(code, message);
  if (Base === RangeError) return new NodeRangeError(code, message);
  return new NodeError(code, message);
}

export const ERR_SOCKET_CLOSED = (): NodeError => makeFixed("ERR_SOCKET_CLOSED");
export const ERR_SOCKET_CLOSED_BEFORE_CONNECTION = (): NodeError => makeFixed("ERR_SOCKET_CLOSED_BEFORE_CONNECTION");
export const ERR_SERVER_ALREADY_LISTEN = (): NodeError => makeFixed("ERR_SERVER_ALREADY_LISTEN");
export const ERR_SERVER_NOT_RUNNING = (): NodeError => makeFixed("ERR_SERVER_NOT_RUNNING");
export const ERR_SOCKET_CONNECTION_TIMEOUT = (): NodeError => makeFixed("ERR_SOCKET_CONNECTION_TIMEOUT");
export const ERR_STREAM_WRITE_AFTER_END = (): NodeError => makeFixed("ERR_STREAM_WRITE_AFTER_END");
export const ERR_STREAM_PREMATURE_CLOSE = (): NodeError => makeFixed("ERR_STREAM_PREMATURE_CLOSE");
export const ERR_MULTIPLE_CALLBACK = (): NodeError => makeFixed("ERR_MULTIPLE_CALLBACK");
export const ERR_INVALID_HANDLE_TYPE = (): NodeError => makeFixed("ERR_INVALID_HANDLE_TYPE");
export const ERR_ILLEGAL_CONSTRUCTOR = (): NodeError => makeFixed("ERR_ILLEGAL_CONSTRUCTOR");

/** Raised from C++ in Node (SocketAddress with a bad address): a plain Error with a code. */
export function ERR_INVALID_ADDRESS(): Error & { code: string } {
  const err = new Error("Invalid socket address") as Error & { code: string };
  err.code = "ERR_INVALID_ADDRESS";
  return err;
}

/**
 * Node's genericNodeError: a plain Error with extra properties, e.g.
 * `genericNodeError('This socket has been ended by the other party', { code: 'EPIPE' })`.
 */
export function genericNodeError(message: string, props: Record<string, unknown> = {}): Error & Record<string, unknown> {
  return Object.assign(new Error(message), props);
}

// ---- wasock's own codes ---------------------------------------------------

/** `<feature> is not supported by wasock` */
export function ERR_NOT_SUPPORTED(feature: string): NodeError {
  return new NodeError("ERR_NOT_SUPPORTED", `${feature} is not supported by wasock`);
}

/** What a policy refusal names. */
export interface AccessDeniedInfo {
  /** 'connect' or 'listen' (default 'connect') */
  syscall?: string;
  address?: string;
  port?: number;
  /** the name the script asked for, when it connected by name */
  hostname?: string;
  /** a Unix socket path */
  path?: string;
  /** extra text appended to the message */
  message?: string;
}

/** `target` as the message and `resource` show it: `10.0.0.1:80`, `[::1]:80`, `/tmp/s`, `example.com:443` */
export function formatTarget(address: string | undefined, port?: number): string {
  if (address === undefined || address === "") return port === undefined ? "" : `*:${port}`;
  if (port === undefined || port < 0) return address;
  return address.includes(":") && !address.startsWith("[") ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * A policy refusal. Message: `connect to 10.0.0.1:80 denied by the network
 * policy` (with `(example.com)` when connecting by name). Properties, as
 * Node's permission-model ERR_ACCESS_DENIED: `permission` ('net') and
 * `resource` (the refused target); plus `syscall`, `address`, `port`,
 * `hostname` when known.
 */
export function ERR_ACCESS_DENIED(info: AccessDeniedInfo = {}): NodeError {
  const syscall = info.syscall ?? "connect";
  const target = info.path ?? formatTarget(info.address ?? info.hostname, info.port);
  const byName = info.hostname !== undefined && info.address !== undefined && info.hostname !== info.address
    ? ` (${info.hostname})` : "";
  const preposition = syscall === "listen" ? "on" : "to";
  let msg = `${syscall} ${preposition} ${target || "this address"}${byName} denied by the network policy`;
  if (info.message) msg += `: ${info.message}`;
  const err = new NodeError("ERR_ACCESS_DENIED", msg) as NodeError & Record<string, unknown>;
  err.permission = "net";
  err.resource = target;
  err.syscall = syscall;
  if (info.path !== undefined) err.path = info.path;
  if (info.address !== undefined) err.address = info.address;
  if (info.port !== undefined) err.port = info.port;
  if (info.hostname !== undefined) err.hostname = info.hostname;
  return err;
}

export interface QuotaInfo {
  /** 'maxSockets', 'maxBufferedBytesPerSocket', 'maxBufferedBytesTotal', ... */
  quota?: string;
  limit?: number;
  /** free text, used when `quota` is absent (what ErrorInfo carries) */
  message?: string;
  syscall?: string;
}

/**
 * A quota breach. Message: `Quota exceeded: maxSockets (limit 100)`.
 * Properties: `quota` and `limit` when known, `syscall` when given.
 */
export function ERR_QUOTA_EXCEEDED(info: QuotaInfo = {}): NodeError {
  let detail = info.quota ?? info.message ?? "a wasock quota";
  if (info.quota !== undefined && info.limit !== undefined) detail += ` (limit ${info.limit})`;
  if (info.quota !== undefined && info.message) detail += `: ${info.message}`;
  const err = new NodeError("ERR_QUOTA_EXCEEDED", `Quota exceeded: ${detail}`) as NodeError & Record<string, unknown>;
  if (info.quota !== undefined) err.quota = info.quota;
  if (info.limit !== undefined) err.limit = info.limit;
  if (info.syscall !== undefined) err.syscall = info.syscall;
  return err;
}

// ---- AbortError -----------------------------------------------------------

const AbortErrorClass = class AbortError extends Error {
  declare code: string;
  constructor(message = "The operation was aborted", options?: { cause?: unknown }) {
    super(message);
    if (options !== undefined && "cause" in options) {
      Object.defineProperty(this, "cause", {
        value: options.cause, enumerable: false, writable: true, configurable: true,
      });
    }
    this.code = "ABORT_ERR";
    this.name = "AbortError";
  }
};

/**
 * Node's AbortError (code ABORT_ERR), as net emits it for an aborted
 * `signal`: pass the signal's reason as `cause`. With no argument, no `cause`.
 */
export function AbortError(...args: [cause?: unknown]): Error & { code: string } {
  return args.length === 0 ? new AbortErrorClass() : new AbortErrorClass(undefined, { cause: args[0] });
}

// ---- system errors --------------------------------------------------------

/**
 * libuv's error map on Linux: negative errno -> [code, message]
 * (util.getSystemErrorMap() on Node v20, Linux).
 */
const uvErrors: [number, string, string][] = [
  [-7, "E2BIG", "argument list too long"],
  [-13, "EACCES", "permission denied"],
  [-98, "EADDRINUSE", "address already in use"],
  [-99, "EADDRNOTAVAIL", "address not available"],
  [-97, "EAFNOSUPPORT", "address family not supported"],
  [-11, "EAGAIN", "resource temporarily unavailable"],
  [-3000, "EAI_ADDRFAMILY", "address family not supported"],
  [-3001, "EAI_AGAIN", "temporary failure"],
  [-3002, "EAI_BADFLAGS", "bad ai_flags value"],
  [-3013, "EAI_BADHINTS", "invalid value for hints"],
  [-3003, "EAI_CANCELED", "request canceled"],
  [-3004, "EAI_FAIL", "permanent failure"],
  [-3005, "EAI_FAMILY", "ai_family not supported"],
  [-3006, "EAI_MEMORY", "out of memory"],
  [-3007, "EAI_NODATA", "no address"],
  [-3008, "EAI_NONAME", "unknown node or service"],
  [-3009, "EAI_OVERFLOW", "argument buffer overflow"],
  [-3014, "EAI_PROTOCOL", "resolved protocol is unknown"],
  [-3010, "EAI_SERVICE", "service not available for socket type"],
  [-3011, "EAI_SOCKTYPE", "socket type not supported"],
  [-114, "EALREADY", "connection already in progress"],
  [-9, "EBADF", "bad file descriptor"],
  [-16, "EBUSY", "resource busy or locked"],
  [-125, "ECANCELED", "operation canceled"],
  [-4080, "ECHARSET", "invalid Unicode character"],
  [-103, "ECONNABORTED", "software caused connection abort"],
  [-111, "ECONNREFUSED", "connection refused"],
  [-104, "ECONNRESET", "connection reset by peer"],
  [-89, "EDESTADDRREQ", "destination address required"],
  [-17, "EEXIST", "file already exists"],
  [-14, "EFAULT", "bad address in system call argument"],
  [-27, "EFBIG", "file too large"],
  [-113, "EHOSTUNREACH", "host is unreachable"],
  [-4, "EINTR", "interrupted system call"],
  [-22, "EINVAL", "invalid argument"],
  [-5, "EIO", "i/o error"],
  [-106, "EISCONN", "socket is already connected"],
  [-21, "EISDIR", "illegal operation on a directory"],
  [-40, "ELOOP", "too many symbolic links encountered"],
  [-24, "EMFILE", "too many open files"],
  [-90, "EMSGSIZE", "message too long"],
  [-36, "ENAMETOOLONG", "name too long"],
  [-100, "ENETDOWN", "network is down"],
  [-101, "ENETUNREACH", "network is unreachable"],
  [-23, "ENFILE", "file table overflow"],
  [-105, "ENOBUFS", "no buffer space available"],
  [-19, "ENODEV", "no such device"],
  [-2, "ENOENT", "no such file or directory"],
  [-12, "ENOMEM", "not enough memory"],
  [-64, "ENONET", "machine is not on the network"],
  [-92, "ENOPROTOOPT", "protocol not available"],
  [-28, "ENOSPC", "no space left on device"],
  [-38, "ENOSYS", "function not implemented"],
  [-107, "ENOTCONN", "socket is not connected"],
  [-20, "ENOTDIR", "not a directory"],
  [-39, "ENOTEMPTY", "directory not empty"],
  [-88, "ENOTSOCK", "socket operation on non-socket"],
  [-95, "ENOTSUP", "operation not supported on socket"],
  [-75, "EOVERFLOW", "value too large for defined data type"],
  [-1, "EPERM", "operation not permitted"],
  [-32, "EPIPE", "broken pipe"],
  [-71, "EPROTO", "protocol error"],
  [-93, "EPROTONOSUPPORT", "protocol not supported"],
  [-91, "EPROTOTYPE", "protocol wrong type for socket"],
  [-34, "ERANGE", "result too large"],
  [-30, "EROFS", "read-only file system"],
  [-108, "ESHUTDOWN", "cannot send after transport endpoint shutdown"],
  [-29, "ESPIPE", "invalid seek"],
  [-3, "ESRCH", "no such process"],
  [-110, "ETIMEDOUT", "connection timed out"],
  [-26, "ETXTBSY", "text file is busy"],
  [-18, "EXDEV", "cross-device link not permitted"],
  [-4094, "UNKNOWN", "unknown error"],
  [-4095, "EOF", "end of file"],
  [-6, "ENXIO", "no such device or address"],
  [-31, "EMLINK", "too many links"],
  [-112, "EHOSTDOWN", "host is down"],
  [-121, "EREMOTEIO", "remote I/O error"],
  [-25, "ENOTTY", "inappropriate ioctl for device"],
  [-4028, "EFTYPE", "inappropriate file type or format"],
  [-84, "EILSEQ", "illegal byte sequence"],
  [-94, "ESOCKTNOSUPPORT", "socket type not supported"],
  [-61, "ENODATA", "no data available"],
  [-49, "EUNATCH", "protocol driver not attached"],
];

const byErrno = new Map<number, [string, string]>();
const byCode = new Map<string, number>();
for (const [errno, code, message] of uvErrors) {
  byErrno.set(errno, [code, message]);
  byCode.set(code, errno);
}
/** getaddrinfo's "not found" is reported as ENOTFOUND with EAI_NONAME's errno. */
byCode.set("ENOTFOUND", -3008);

const UV_UNKNOWN = -4094;

/** Linux's negative errno (libuv numbering) for a system code; -4094 (UNKNOWN) when unknown. */
export function errnoOf(code: string): number {
  return byCode.get(code) ?? UV_UNKNOWN;
}

/** util.getSystemErrorName(errno) */
export function systemErrorName(errno: number): string {
  return byErrno.get(errno)?.[0] ?? `Unknown system error ${errno}`;
}

/** libuv's message for an errno (`address already in use`). */
export function uvMessage(errno: number): string {
  return byErrno.get(errno)?.[1] ?? "unknown error";
}

type SystemError = Error & {
  errno?: number; code: string; syscall?: string; address?: string; port?: number; hostname?: string;
};

/** `connect ECONNREFUSED 127.0.0.1:1` (Node's ExceptionWithHostPort: connect, bind). */
export function exceptionWithHostPort(errno: number, syscall: string, address?: string, port?: number,
  additional?: string, code = systemErrorName(errno)): SystemError {
  let details = "";
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  if (additional) details += ` - Local (${additional})`;
  const ex = new Error(`${syscall} ${code}${details}`) as SystemError;
  ex.errno = errno;
  ex.code = code;
  ex.syscall = syscall;
  ex.address = address;
  if (port) ex.port = port;
  return ex;
}

/** `listen EADDRINUSE: address already in use 127.0.0.1:80` (UVExceptionWithHostPort). */
export function uvExceptionWithHostPort(errno: number, syscall: string, address?: string, port?: number,
  code?: string): SystemError {
  const known = byErrno.get(errno);
  const name = code ?? known?.[0] ?? "UNKNOWN";
  const msg = known?.[1] ?? "unknown error";
  let details = "";
  if (port && port > 0) details = ` ${address}:${port}`;
  else if (address) details = ` ${address}`;
  const ex = new Error(`${syscall} ${name}: ${msg}${details}`) as SystemError;
  ex.code = name;
  ex.errno = errno;
  ex.syscall = syscall;
  ex.address = address;
  if (port) ex.port = port;
  return ex;
}

/** `read ECONNRESET` (ErrnoException: read, write, shutdown, ...). */
export function errnoException(errno: number, syscall: string, original?: string,
  code = systemErrorName(errno)): SystemError {
  const ex = new Error(original ? `${syscall} ${code} ${original}` : `${syscall} ${code}`) as SystemError;
  ex.errno = errno;
  ex.code = code;
  ex.syscall = syscall;
  return ex;
}

/** `getaddrinfo ENOTFOUND example.invalid` (DNSException). */
export function dnsException(code: string | number, syscall: string, hostname?: string): SystemError {
  let errno: number | undefined;
  let name: string;
  if (typeof code === "number") {
    errno = code;
    name = code === -3007 || code === -3008 ? "ENOTFOUND" : systemErrorName(code);
  } else {
    name = code;
  }
  const ex = new Error(`${syscall} ${name}${hostname ? ` ${hostname}` : ""}`) as SystemError;
  ex.errno = errno;
  ex.code = name;
  ex.syscall = syscall;
  if (hostname) ex.hostname = hostname;
  return ex;
}

/** ERR_* codes Node raises as TypeError / RangeError (for errorFromInfo's pass-through). */
const typeErrorCodes = ["ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE", "ERR_INVALID_IP_ADDRESS", "ERR_MISSING_ARGS",
  "ERR_INVALID_FD_TYPE", "ERR_INVALID_THIS", "ERR_INVALID_HANDLE_TYPE"];
const rangeErrorCodes = ["ERR_OUT_OF_RANGE", "ERR_SOCKET_BAD_PORT", "ERR_INVALID_ADDRESS_FAMILY"];

/**
 * The Error a script sees for a host's ErrorInfo:
 * - ERR_ACCESS_DENIED / ERR_QUOTA_EXCEEDED / ERR_NOT_SUPPORTED: wasock's errors;
 * - other ERR_* / ABORT_ERR: Node's error for that code;
 * - system codes: Node's shape by syscall: `getaddrinfo` (hostname),
 *   `listen` (with libuv's message), `connect`/`bind` (address:port), others
 *   (`read ECONNRESET`).
 */
export function errorFromInfo(info: ErrorInfo): Error {
  const code = info.code;
  switch (code) {
    case "ERR_ACCESS_DENIED": {
      // hosts put a Unix socket path in `address`, with no port
      const isPath = info.address !== undefined && info.port === undefined && isIP(info.address) === 0;
      return ERR_ACCESS_DENIED({
        syscall: info.syscall,
        address: isPath ? undefined : info.address,
        path: isPath ? info.address : undefined,
        port: info.port,
        hostname: info.hostname,
        message: info.message,
      });
    }
    case "ERR_QUOTA_EXCEEDED":
      return ERR_QUOTA_EXCEEDED({ message: info.message, syscall: info.syscall });
    case "ERR_NOT_SUPPORTED":
      return ERR_NOT_SUPPORTED(info.message ?? "this operation");
    case "ABORT_ERR":
      return AbortError();
  }
  if (code in fixed) return makeFixed(code);
  if (code.startsWith("ERR_")) {
    const message = info.message ?? code;
    if (typeErrorCodes.includes(code)) return new NodeTypeError(code, message);
    if (rangeErrorCodes.includes(code)) return new NodeRangeError(code, message);
    return new NodeError(code, message);
  }

  const errno = info.errno ?? errnoOf(code);
  const syscall = info.syscall;
  if (syscall === undefined) {
    const ex = new Error(info.message ? `${code}: ${info.message}` : code) as SystemError;
    ex.errno = errno;
    ex.code = code;
    return ex;
  }
  switch (syscall) {
    case "getaddrinfo":
    case "getnameinfo": {
      // as DNSException: "no such name" and "no data" are both reported as ENOTFOUND
      const name = code === "EAI_NONAME" || code === "EAI_NODATA" ? "ENOTFOUND" : code;
      return Object.assign(dnsException(name, syscall, info.hostname), { errno });
    }
    case "listen":
      return uvExceptionWithHostPort(errno, syscall, info.address, info.port, code);
    case "connect": {
      // net's afterConnect: the local end is named when the script chose both
      const local = info.localAddress && info.localPort ? `${info.localAddress}:${info.localPort}` : undefined;
      const ex = exceptionWithHostPort(errno, syscall, info.address, info.port, local, code) as SystemError &
        { localAddress?: string; localPort?: number };
      if (local !== undefined) {
        ex.localAddress = info.localAddress;
        ex.localPort = info.localPort;
      }
      return ex;
    }
    case "bind":
      return exceptionWithHostPort(errno, syscall, info.address, info.port, undefined, code);
    default:
      return errnoException(errno, syscall, undefined, code);
  }
}
