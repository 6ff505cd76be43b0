/**
 * The connect side of `net.Socket` that needs none of its private state:
 * validating connect options into the backend's ConnectTcp request, and Node's
 * multi-address connect (lookupAndConnectMultiple / internalConnectMultiple):
 * addresses ordered with families alternating, one attempt at a time,
 * 'connectionAttempt' / 'connectionAttemptFailed' / 'connectionAttemptTimeout',
 * and an AggregateError when every address failed.
 */
import type { ConnectTcp, ErrorInfo } from "../host/backend.ts";
import type { NetContext } from "./context.ts";
import {
  ERR_INVALID_ADDRESS_FAMILY,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_INVALID_IP_ADDRESS,
  ERR_SOCKET_CONNECTION_TIMEOUT,
  errorFromInfo,
} from "./errors.ts";
import { isIP } from "./ip.ts";
import { DNS_ADDRCONFIG, DNS_ALL, DNS_V4MAPPED, socketToDnsFamily } from "./netargs.ts";
import { validateBoolean, validateFunction, validateInt32, validateNumber, validatePort } from "./validate.ts";

export interface Address {
  address: string;
  family: number;
}

/**
 * Node's checks of a TCP connect's options, in its order; the request for the
 * backend. The socket's pending options (kept until it has a handle) come as
 * arguments: an object for them cost about 1 µs per connect in QuickJS.
 * `keepAliveDelay` is in seconds.
 */
export function tcpRequest(options: Record<string, any>, ctx: NetContext, allowHalfOpen: boolean, noDelay: boolean,
  keepAlive: boolean, keepAliveDelay: number, pendingTimeout: number): ConnectTcp {
  const { localAddress, localPort } = options;
  const host: string = options.host || "localhost";
  let { port, autoSelectFamilyAttemptTimeout, autoSelectFamily } = options;
  if (localAddress && !isIP(localAddress)) throw ERR_INVALID_IP_ADDRESS(localAddress);
  if (localPort) validateNumber(localPort, "options.localPort");
  if (typeof port !== "undefined") {
    if (typeof port !== "number" && typeof port !== "string") {
      throw ERR_INVALID_ARG_TYPE("options.port", ["number", "string"], port);
    }
    validatePort(port);
  }
  const portNum: number = (port as any) | 0;
  if (autoSelectFamily != null) {
    validateBoolean(autoSelectFamily, "options.autoSelectFamily");
  } else {
    autoSelectFamily = ctx.autoSelectFamily;
  }
  if (autoSelectFamilyAttemptTimeout != null) {
    validateInt32(autoSelectFamilyAttemptTimeout, "options.autoSelectFamilyAttemptTimeout", 1);
    if (autoSelectFamilyAttemptTimeout < 10) autoSelectFamilyAttemptTimeout = 10;
  } else {
    autoSelectFamilyAttemptTimeout = ctx.autoSelectFamilyAttemptTimeout;
  }
  return {
    host,
    port: portNum,
    allowHalfOpen,
    localAddress,
    localPort,
    noDelay,
    keepAlive,
    keepAliveInitialDelay: keepAliveDelay * 1000,
    autoSelectFamily,
    autoSelectFamilyAttemptTimeout,
    timeout: pendingTimeout || undefined,
  };
}

/** Node's checks of `lookup`, `family` and `hints` (after 'connecting'); sets them on req. */
export function lookupRequest(options: Record<string, any>, req: ConnectTcp): unknown {
  if (options.lookup != null) validateFunction(options.lookup, "options.lookup");
  const family = socketToDnsFamily(options.family);
  if (family !== undefined && family !== 0 && family !== 4 && family !== 6 &&
      options.lookup == null) {
    throw ERR_INVALID_ARG_VALUE("options.family", options.family, "must be one of: 0, 4, 6");
  }
  req.family = family as 0 | 4 | 6;
  let hints = 0;
  if (options.hints != null) {
    validateNumber(options.hints, "options.hints");
    hints = options.hints >>> 0;
    if ((hints & ~(DNS_ADDRCONFIG | DNS_ALL | DNS_V4MAPPED)) !== 0) {
      throw ERR_INVALID_ARG_VALUE("hints", hints);
    }
  }
  req.hints = hints;
  return family;
}

/**
 * Node's lookupAndConnectMultiple: valid addresses, each once, families
 * alternating (the first answer's family first). `onEntry` runs for every
 * entry (the socket emits 'lookup'); when it returns false the connect was
 * abandoned and the result is null.
 */
export function orderAddresses(list: Address[], onEntry: (entry: Address) => boolean): Address[] | null {
  const valid: Address[][] = [[], []];
  let order: Record<number, number> | null = null;
  for (const entry of list) {
    if (!onEntry(entry)) return null;
    if (isIP(entry.address) && (entry.family === 4 || entry.family === 6)) {
      order ??= entry.family === 6 ? { 6: 0, 4: 1 } : { 4: 0, 6: 1 };
      const bucket = valid[order[entry.family]];
      if (!bucket.some((v) => v.address === entry.address)) bucket.push(entry);
    }
  }
  const toAttempt: Address[] = [];
  for (let i = 0; i < Math.max(valid[0].length, valid[1].length); i++) {
    if (i < valid[0].length) toAttempt.push(valid[0][i]);
    if (i < valid[1].length) toAttempt.push(valid[1][i]);
  }
  return toAttempt;
}

export interface LookupOps {
  /** connect to req (its host now an IP) */
  connect(req: ConnectTcp): void;
  /** several addresses: Node's attempts, one after the other */
  connectMultiple(list: Address[]): void;
  /** the connect failed: the socket is destroyed with err on the next tick */
  fail(err: Error): void;
}

/**
 * The script's own `lookup` (Node's lookupAndConnect with options.lookup): its
 * answer, checked as Node checks it, becomes one connect or several attempts.
 */
export function customLookup(socket: AttemptSocket, lookup: Function, host: string, req: ConnectTcp,
  family: unknown, options: Record<string, any>, ops: LookupOps): void {
  let hints = req.hints ?? 0;
  if (family !== 4 && family !== 6 && hints === 0) hints = DNS_ADDRCONFIG;
  const dnsopts: Record<string, unknown> = { family, hints };
  const all = family !== 4 && family !== 6 && !req.localAddress && req.autoSelectFamily;
  if (all) dnsopts.all = true;
  const connectTo = (ip: string): void => {
    req.host = ip;
    req.resolved = true;
    if (all) socket.autoSelectFamilyAttemptedAddresses = [`${ip}:${req.port}`];
    ops.connect(req);
  };
  lookup(host, dnsopts, (err: Error | null, ip: unknown, addressType: unknown) => {
    if (all && !err) {
      const list = ip as Address[];
      const toAttempt = orderAddresses(list, (entry) => {
        socket.emit("lookup", err, entry.address, entry.family, host);
        return socket.connecting;
      });
      if (toAttempt === null) return;
      if (toAttempt.length === 1) { connectTo(toAttempt[0].address); return; }
      if (toAttempt.length > 1) {
        ops.connectMultiple(toAttempt);
        return;
      }
      const first = list[0];
      ops.fail(first === undefined || !isIP(first.address)
        ? ERR_INVALID_IP_ADDRESS(first?.address)
        : ERR_INVALID_ADDRESS_FAMILY(first.family, options.host, options.port));
      return;
    }
    socket.emit("lookup", err, all ? undefined : ip, all ? undefined : addressType, host);
    if (!socket.connecting) return;
    if (err) {
      ops.fail(err);
    } else if (!isIP(ip)) {
      ops.fail(ERR_INVALID_IP_ADDRESS(ip));
    } else if (addressType !== 4 && addressType !== 6) {
      ops.fail(ERR_INVALID_ADDRESS_FAMILY(addressType, options.host, options.port));
    } else {
      connectTo(ip as string);
    }
  });
}

/** The socket as the attempts see it (public API plus three private operations). */
export interface AttemptSocket {
  readonly connecting: boolean;
  autoSelectFamilyAttemptedAddresses: string[] | undefined;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(err?: Error): unknown;
}

export interface AttemptOps {
  /** the backend's connectTcp */
  connect(req: ConnectTcp): number | ErrorInfo;
  /** adopt the handle of the attempt in progress */
  start(h: number): void;
  /** forget the current attempt's handle (its late events go nowhere) */
  drop(): void;
  /** the attempts are over (every address failed) */
  done(): void;
  /** whether these are still the socket's attempts (a listener may have cancelled them) */
  isCurrent(a: Attempts): boolean;
}

/** One multi-address connect in progress (Node's internalConnectMultiple). */
export class Attempts {
  #current = 0;
  #errors: Error[] = [];
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly socket: AttemptSocket,
    private readonly list: Address[],
    private readonly req: ConnectTcp,
    private readonly timeout: number,
    private readonly ops: AttemptOps,
  ) {}

  /** Stops the attempt timer (connected, or the socket was destroyed). */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The next address; when none is left, the socket fails with every attempt's error. */
  next(): void {
    this.cancel();
    const socket = this.socket;
    if (this.#current === this.list.length) {
      this.ops.done();
      if (this.#errors.length === 0) {
        socket.destroy(ERR_SOCKET_CONNECTION_TIMEOUT());
      } else {
        const agg = new AggregateError(this.#errors) as AggregateError & { code?: unknown };
        agg.code = (this.#errors[0] as { code?: unknown }).code;
        socket.destroy(agg);
      }
      return;
    }
    const current = this.#current++;
    const { address, family } = this.list[current];
    const port = this.req.port;
    socket.emit("connectionAttempt", address, port, family);
    socket.autoSelectFamilyAttemptedAddresses?.push(`${address}:${port}`);
    if (!socket.connecting) return;
    const res = this.ops.connect({ ...this.req, host: address, family: family as 4 | 6, resolved: true });
    if (typeof res !== "number") {
      const ex = errorFromInfo(res);
      this.#errors.push(ex);
      socket.emit("connectionAttemptFailed", address, port, family, ex);
      if (socket.connecting) this.next();
      return;
    }
    this.ops.start(res);
    if (current < this.list.length - 1 && typeof setTimeout === "function") {
      this.#timer = setTimeout(() => this.#timedOut(), this.timeout);
    }
  }

  /** The attempt in progress failed (BEv.Error while connecting). */
  failed(ex: Error): void {
    const { address, family } = this.list[this.#current - 1];
    this.ops.drop();
    this.#errors.push(ex);
    this.socket.emit("connectionAttemptFailed", address, this.req.port, family, ex);
    if (this.socket.connecting && this.#alive()) this.next();
  }

  #timedOut(): void {
    if (!this.socket.connecting || !this.#alive()) return;
    this.#timer = null;
    const { address, family } = this.list[this.#current - 1];
    this.ops.drop();
    this.#errors.push(errorFromInfo({ code: "ETIMEDOUT", errno: -110, syscall: "connect", address, port: this.req.port }));
    this.socket.emit("connectionAttemptTimeout", address, this.req.port, family);
    if (this.socket.connecting && this.#alive()) this.next();
  }

  #alive(): boolean {
    return this.ops.isCurrent(this);
  }
}
