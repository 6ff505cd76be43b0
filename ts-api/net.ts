/**
 * `createNetModule(backend)`: the object with every node:net name, bound to
 * one backend (one core instance). Used by ts-api/node.ts on Node and by
 * ts-api/guest.ts inside QuickJS.
 */
import { BEv } from "../host/backend.ts";
import type { Backend } from "../host/backend.ts";
import { BlockList } from "./blocklist.ts";
import { createContext } from "./context.ts";
import type { NetContext } from "./context.ts";
import { isIP, isIPv4, isIPv6 } from "./ip.ts";
import { ServerBase, serverEvent } from "./server.ts";
import { argsCallback, argsOptions, normalizedArgs } from "./netargs.ts";
import { connectNormalized, SocketBase, socketEvent } from "./socket.ts";
import { SocketAddress } from "./socketaddress.ts";
import { validateBoolean, validateInt32 } from "./validate.ts";

/** Counters for leak checks: `net[Symbol.for("wasock.stats")]()`. */
export interface NetStats {
  liveHandles: number;
  sockets: number;
  servers: number;
  bufferedBytes: number;
  bytesRead: number;
  bytesWritten: number;
}

export const kStats = Symbol.for("wasock.stats");

export type ConnectionListener = (socket: SocketBase) => void;

export interface NetModule {
  Socket: new (options?: object) => SocketBase;
  Stream: new (options?: object) => SocketBase;
  Server: new (options?: object | ConnectionListener, listener?: ConnectionListener) => ServerBase;
  createServer(options?: object | ConnectionListener, listener?: ConnectionListener): ServerBase;
  createConnection(...args: unknown[]): SocketBase;
  connect(...args: unknown[]): SocketBase;
  isIP: typeof isIP;
  isIPv4: typeof isIPv4;
  isIPv6: typeof isIPv6;
  BlockList: typeof BlockList;
  SocketAddress: typeof SocketAddress;
  getDefaultAutoSelectFamily(): boolean;
  setDefaultAutoSelectFamily(value: boolean): void;
  getDefaultAutoSelectFamilyAttemptTimeout(): number;
  setDefaultAutoSelectFamilyAttemptTimeout(value: number): void;
}

/** What a host backend may add: core-wide counters (the Node driver has them). */
interface StatsSource {
  stats?(): { liveHandles?: number; bufferedBytes?: number; bytesRead?: number; bytesWritten?: number };
}

/**
 * A class that may also be called without `new`, as node:net's function
 * constructors. `new` on it constructs the class itself: with anything else
 * as `new.target` (the Proxy, or a wrapper function), V8 cannot use the
 * class's cached instance map, and `new net.Socket()` cost about 20 µs instead
 * of about 1 µs. Subclasses (`class X extends net.Socket`) pass their own
 * `new.target` through.
 */
function callable<T extends new (...args: any[]) => object>(C: T): T {
  const proxy: T = new Proxy(C, {
    apply(target, _thisArg, args) {
      return new target(...args);
    },
    construct(target, args, newTarget) {
      return newTarget === proxy ? new target(...args) : Reflect.construct(target, args, newTarget);
    },
  });
  return proxy;
}

export function createNetModule(backend: Backend): NetModule {
  const ctx: NetContext = createContext(backend);
  const owners = ctx.owners;

  backend.setDispatch((h, ev, a, b, c, d) => {
    const owner = owners.get(h);
    if (owner === undefined) return;
    if (owner instanceof SocketBase) {
      if (ev === BEv.Close) owners.delete(h);
      socketEvent(owner as SocketBase, ev, a, b, c, d);
    } else {
      if (ev === BEv.ServerClose) owners.delete(h);
      serverEvent(owner as ServerBase, ev, a, b);
    }
  });

  class Socket extends SocketBase {
    constructor(options?: Record<string, any>) {
      super(ctx, options);
    }
  }

  const baseConnect = SocketBase.prototype.connect;

  class Server extends ServerBase {
    constructor(options?: unknown, connectionListener?: (socket: SocketBase) => void) {
      super(ctx, Socket, options, connectionListener);
    }
  }

  function connect(...args: unknown[]): SocketBase {
    const options = argsOptions(args);
    const cb = argsCallback(args);
    // options made here from a port or a path are no Socket options: the
    // constructor takes the shared defaults for none
    const socket = new Socket(options === args[0] ? options : undefined);
    if (options.timeout) socket.setTimeout(options.timeout);
    // socket.connect(normalized), unless a script replaced it
    if (socket.connect === baseConnect) return connectNormalized(socket, options, cb);
    return socket.connect(normalizedArgs(options, cb));
  }

  // node:net's constructors also work without `new`.
  const SocketCtor = callable(Socket);
  const ServerCtor = callable(Server);

  const net: NetModule = {
    Socket: SocketCtor,
    Stream: SocketCtor,
    Server: ServerCtor,
    createServer(options?: object | ConnectionListener, listener?: ConnectionListener) {
      return new Server(options, listener);
    },
    createConnection: connect,
    connect,
    isIP,
    isIPv4,
    isIPv6,
    BlockList,
    SocketAddress,
    getDefaultAutoSelectFamily() {
      return ctx.autoSelectFamily;
    },
    setDefaultAutoSelectFamily(value: boolean) {
      validateBoolean(value, "value");
      ctx.autoSelectFamily = value;
    },
    getDefaultAutoSelectFamilyAttemptTimeout() {
      return ctx.autoSelectFamilyAttemptTimeout;
    },
    setDefaultAutoSelectFamilyAttemptTimeout(value: number) {
      validateInt32(value, "value", 1);
      if (value < 10) value = 10;
      ctx.autoSelectFamilyAttemptTimeout = value;
    },
  };

  Object.defineProperty(net, kStats, {
    enumerable: false,
    value: function stats(): NetStats {
      let sockets = 0;
      let servers = 0;
      for (const o of owners.values()) {
        if (o instanceof SocketBase) sockets++;
        else servers++;
      }
      const core = (backend as StatsSource).stats?.() ?? {};
      return {
        liveHandles: core.liveHandles ?? owners.size,
        sockets,
        servers,
        bufferedBytes: core.bufferedBytes ?? 0,
        bytesRead: core.bytesRead ?? 0,
        bytesWritten: core.bytesWritten ?? 0,
      };
    },
  });
  return net;
}
