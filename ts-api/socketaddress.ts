/**
 * node:net's `SocketAddress`: an immutable address, port, family and IPv6
 * flow label, validated as Node v20 validates them.
 *
 * Differences from Node v20, all where Node aborts the process or lacks the API:
 * - a numeric string port ('80') is accepted as its number (Node v20 hits a
 *   C++ assertion and aborts);
 * - an IPv6 flowlabel above 0xFFFFF throws ERR_OUT_OF_RANGE (Node v20 aborts);
 * - `SocketAddress.parse()` is Node 22's (not in Node v20).
 *
 * Like Node, an IPv6 address may carry any zone id ("fe80::1%eth0"), which
 * is dropped: `address` shows the address alone.
 */
import {
  ERR_INVALID_ADDRESS, ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE,
  ERR_SOCKET_BAD_PORT,
} from "./errors.ts";
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "./ip.ts";

export type SocketAddressFamily = "ipv4" | "ipv6";

export interface SocketAddressInitOptions {
  address?: string;
  port?: number;
  family?: string;
  flowlabel?: number;
}

export interface SocketAddressJSON {
  address: string;
  port: number;
  family: SocketAddressFamily;
  flowlabel: number;
}

const kMaxFlowLabel = 0xfffff;

/**
 * libuv's uv_ip6_addr: everything from the first "%" is a zone id (any
 * text, dropped), and the address before it is cut to 39 characters.
 */
function stripZone(address: string): string {
  const pct = address.indexOf("%");
  return pct === -1 ? address : address.slice(0, Math.min(pct, 39));
}

/** validatePort(port, name): Node's rule, returning the port as a number. */
export function validatePort(port: unknown, name = "Port", allowZero = true): number {
  if ((typeof port !== "number" && typeof port !== "string") ||
      (typeof port === "string" && port.trim().length === 0) ||
      +port !== (+port >>> 0) ||
      +port > 0xffff ||
      (port === 0 && !allowZero)) {
    throw ERR_SOCKET_BAD_PORT(name, port, allowZero);
  }
  return +port | 0;
}

export function validateUint32(value: unknown, name: string, positive = false): asserts value is number {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isInteger(value)) throw ERR_OUT_OF_RANGE(name, "an integer", value);
  const min = positive ? 1 : 0;
  if (value < min || value > 4294967295) throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= 4294967295`, value);
}

export class SocketAddress {
  readonly #address: string;
  readonly #port: number;
  readonly #family: SocketAddressFamily;
  readonly #flowlabel: number;

  static isSocketAddress(value: unknown): value is SocketAddress {
    return typeof value === "object" && value !== null && #family in value;
  }

  /**
   * Node 22's `SocketAddress.parse('1.2.3.4:80')` / `parse('[::1]:80')`:
   * a SocketAddress, or undefined when the input is not an address.
   * Stricter than Node 22 (which goes through the WHATWG URL parser): the
   * IPv4 form must be a plain dotted quad ("01.2.3.4" and "1.2.3" are refused,
   * where a URL would read them as 1.2.3.4 and 1.2.0.3), and nothing may
   * follow the port.
   */
  static parse(input: string): SocketAddress | undefined {
    if (typeof input !== "string") throw ERR_INVALID_ARG_TYPE("input", "string", input);
    let host = input;
    let portText = "";
    if (input.startsWith("[")) {
      const close = input.indexOf("]");
      if (close === -1) return undefined;
      host = input.slice(1, close);
      const rest = input.slice(close + 1);
      if (rest !== "") {
        if (!rest.startsWith(":")) return undefined;
        portText = rest.slice(1);
      }
      if (parseIPv6(host) === null || host.includes("%")) return undefined;
    } else {
      const colon = input.lastIndexOf(":");
      if (colon !== -1) {
        host = input.slice(0, colon);
        portText = input.slice(colon + 1);
      }
      if (parseIPv4(host) === null) return undefined;
    }
    let port = 0; // "1.2.3.4:" has an empty port, as in a URL
    if (portText !== "") {
      if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
      port = Number(portText);
      if (port > 0xffff) return undefined;
    }
    try {
      return new SocketAddress({ address: host, port, family: host.includes(":") ? "ipv6" : "ipv4" });
    } catch {
      return undefined;
    }
  }

  constructor(options: SocketAddressInitOptions = {}) {
    if (options === null || Array.isArray(options) || typeof options !== "object") {
      throw ERR_INVALID_ARG_TYPE("options", "Object", options);
    }
    // defaults apply to undefined only, as destructuring defaults do in Node
    let family: unknown = options.family === undefined ? "ipv4" : options.family;
    const address: unknown = options.address === undefined ? (family === "ipv4" ? "127.0.0.1" : "::") : options.address;
    const port: unknown = options.port === undefined ? 0 : options.port;
    const flowlabel: unknown = options.flowlabel === undefined ? 0 : options.flowlabel;
    if (typeof (family as { toLowerCase?: unknown })?.toLowerCase === "function") {
      family = (family as string).toLowerCase();
    }
    if (family !== "ipv4" && family !== "ipv6") {
      throw ERR_INVALID_ARG_VALUE("options.family", options.family);
    }
    if (typeof address !== "string") throw ERR_INVALID_ARG_TYPE("options.address", "string", address);
    const portNumber = validatePort(port, "options.port");
    validateUint32(flowlabel, "options.flowlabel", false);

    const bytes = family === "ipv4" ? parseIPv4(address) : parseIPv6(stripZone(address));
    if (bytes === null) throw ERR_INVALID_ADDRESS();
    if (family === "ipv6" && flowlabel > kMaxFlowLabel) {
      throw ERR_OUT_OF_RANGE("options.flowlabel", `>= 0 && <= ${kMaxFlowLabel}`, flowlabel);
    }
    this.#family = family;
    this.#address = family === "ipv4" ? formatIPv4(bytes) : formatIPv6(bytes);
    this.#port = portNumber;
    this.#flowlabel = family === "ipv6" ? flowlabel : 0;
  }

  get address(): string {
    return this.#address;
  }

  get port(): number {
    return this.#port;
  }

  get family(): SocketAddressFamily {
    return this.#family;
  }

  get flowlabel(): number {
    return this.#flowlabel;
  }

  toJSON(): SocketAddressJSON {
    return { address: this.address, port: this.port, family: this.family, flowlabel: this.flowlabel };
  }

  /** Node's util.inspect output: `SocketAddress { address: ..., ... }` */
  [Symbol.for("nodejs.util.inspect.custom")](depth: number, options: unknown,
    inspect?: (v: unknown, o: unknown) => string): unknown {
    if (depth < 0) return "[SocketAddress]";
    if (typeof inspect !== "function") return this;
    return `SocketAddress ${inspect(this.toJSON(), options)}`;
  }
}
