/**
 * Small pieces of lib/net.js that Socket and Server share: argument
 * normalization, chunk conversion, DNS option values and the loop-turn
 * helper. Runs on Node and inside QuickJS guests.
 */
import { Buffer } from "node:buffer";
import { isPipeName } from "./validate.ts";

type Listener = (...args: any[]) => void;

/** Marks an argument array already normalized by normalizeArgs. */
export const kNormalized = Symbol("wasock.normalizedArgs");

export type NormalizedArgs = [Record<string, any>, Listener | null] & { [kNormalized]?: true };

/**
 * Node's normalizeArgs (lib/net.js): connect(options[, cb]), connect(path[, cb]),
 * connect(port[, host][, cb]); the same shapes for listen.
 */
export function normalizeArgs(args: unknown[]): NormalizedArgs {
  return normalizedArgs(argsOptions(args), argsCallback(args));
}

/** normalizeArgs' array for these options and callback. */
export function normalizedArgs(options: Record<string, any>, cb: Listener | null): NormalizedArgs {
  const arr: NormalizedArgs = [options, cb];
  arr[kNormalized] = true;
  return arr;
}

/** normalizeArgs' options: the object given, or one made for a path or a port and host. */
export function argsOptions(args: unknown[]): Record<string, any> {
  if (args.length === 0) return {};
  const arg0 = args[0];
  if (typeof arg0 === "object" && arg0 !== null) return arg0 as Record<string, any>;
  const options: Record<string, any> = {};
  if (isPipeName(arg0)) {
    options.path = arg0;
  } else {
    options.port = arg0;
    if (args.length > 1 && typeof args[1] === "string") options.host = args[1];
  }
  return options;
}

/** normalizeArgs' callback: the last argument when it is a function. */
export function argsCallback(args: unknown[]): Listener | null {
  if (args.length === 0) return null;
  const cb = args[args.length - 1];
  return typeof cb === "function" ? (cb as Listener) : null;
}

export function toBuffer(chunk: unknown, encoding: string): Buffer {
  if (typeof chunk === "string") {
    if (encoding === "buffer") {
      // what node:net's handle.writeBuffer() throws for a string
      const err = new TypeError("Second argument must be a buffer") as TypeError & { code: string };
      err.code = "ERR_INVALID_ARG_TYPE";
      throw err;
    }
    return Buffer.from(chunk, encoding as BufferEncoding);
  }
  if (Buffer.isBuffer(chunk)) return chunk;
  const v = chunk as ArrayBufferView;
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

export function asBuffer(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  const u = data as Uint8Array;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** getaddrinfo hint flags as node:dns exposes them on Linux (dns.ADDRCONFIG, dns.ALL, dns.V4MAPPED). */
export const DNS_ADDRCONFIG = 32;
export const DNS_ALL = 16;
export const DNS_V4MAPPED = 8;

export function socketToDnsFamily(family: unknown): unknown {
  switch (family) {
    case "IPv4": return 4;
    case "IPv6": return 6;
    default: return family;
  }
}

/** The next loop turn (setImmediate), where a handle's close callback would run. */
export const laterTurn: (fn: () => void) => void = typeof setImmediate === "function"
  ? (fn) => { setImmediate(fn); }
  : (fn) => { process.nextTick(fn); };
