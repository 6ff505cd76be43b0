/**
 * Argument validation with Node's error codes and messages.
 *
 * Each validator mirrors the one of the same name in Node's
 * lib/internal/validators.js, so that a bad argument to wasock's `net` throws
 * what `node:net` throws. The errors themselves come from ./errors.ts.
 */
import {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_OUT_OF_RANGE,
  ERR_SOCKET_BAD_PORT,
} from "./errors.ts";

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== "string") throw ERR_INVALID_ARG_TYPE(name, "string", value);
}

export function validateNumber(value: unknown, name: string, min?: number, max?: number): asserts value is number {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if ((min != null && value < min) || (max != null && value > max) ||
      ((min != null || max != null) && Number.isNaN(value))) {
    const range = min != null && max != null ? `>= ${min} && <= ${max}`
      : min != null ? `>= ${min}` : `<= ${max}`;
    throw ERR_OUT_OF_RANGE(name, range, value);
  }
}

export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== "boolean") throw ERR_INVALID_ARG_TYPE(name, "boolean", value);
}

export function validateFunction(value: unknown, name: string): asserts value is Function {
  if (typeof value !== "function") throw ERR_INVALID_ARG_TYPE(name, "Function", value);
}

export function validateObject(value: unknown, name: string): asserts value is object {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw ERR_INVALID_ARG_TYPE(name, "Object", value);
  }
}

export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): asserts value is number {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isInteger(value)) throw ERR_OUT_OF_RANGE(name, "an integer", value);
  if (value < min || value > max) throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${max}`, value);
}

export function validateOneOf(value: unknown, name: string, oneOf: readonly unknown[]): void {
  if (!oneOf.includes(value)) {
    const allowed = oneOf.map((v) => (typeof v === "string" ? `'${v}'` : String(v))).join(", ");
    throw ERR_INVALID_ARG_VALUE(name, value, "must be one of: " + allowed);
  }
}

/** A structural AbortSignal check: guests have no AbortSignal class of Node's. */
export function isAbortSignal(value: unknown): value is AbortSignalLike {
  return typeof value === "object" && value !== null && "aborted" in value &&
    typeof (value as AbortSignalLike).addEventListener === "function";
}

export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: "abort", fn: () => void, opts?: unknown): void;
  removeEventListener(type: "abort", fn: () => void): void;
}

export function validateAbortSignal(value: unknown, name: string): asserts value is AbortSignalLike {
  if (value !== undefined && !isAbortSignal(value)) {
    throw ERR_INVALID_ARG_TYPE(name, "AbortSignal", value);
  }
}

/**
 * Node's validatePort: a number or a non-blank numeric string in 0..65535
 * (1..65535 when !allowZero). Returns the port as a number.
 */
export function validatePort(port: unknown, name = "Port", allowZero = true): number {
  if ((typeof port !== "number" && typeof port !== "string") ||
      (typeof port === "string" && port.trim().length === 0) ||
      +port !== (+port >>> 0) || (+port) > 0xffff ||
      (+port === 0 && !allowZero)) {
    throw ERR_SOCKET_BAD_PORT(name, port, allowZero);
  }
  return +port | 0;
}

/** Node's getTimerDuration: a finite, non-negative number of ms. */
export function getTimerDuration(msecs: unknown, name: string): number {
  validateNumber(msecs, name);
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw ERR_OUT_OF_RANGE(name, "a non-negative finite number", msecs);
  }
  return msecs;
}

/** Node's toNumber in lib/net.js: a non-negative number, or false. */
export function toNumber(x: unknown): number | false {
  const n = Number(x);
  return n >= 0 ? n : false;
}

/** A string that is not a port number names a pipe (Unix socket path). */
export function isPipeName(s: unknown): s is string {
  return typeof s === "string" && toNumber(s) === false;
}
