/**
 * The rarely used part of a `net.Socket`'s state (pipes, pending options,
 * multi-address connects, writes held back until the connection), kept in one
 * record that a socket makes on first use. Most sockets never need it.
 */
import type { Backend, ConnectTcp } from "../host/backend.ts";
import type { Attempts } from "./socket-connect.ts";
import type { UserReader } from "./socket-onread.ts";

type Cb = (err?: Error | null) => void;

/**
 * A socket's rarely used state, made on first use: every field of a socket is
 * a property added per connection (about 0.1 µs each in QuickJS).
 */
export class Cold {
  /** Node's cached peer address */
  peer: { address?: string; family?: string; port?: number } | null = null;
  /** the pipe's path; "" for TCP */
  path = "";
  /** keepAliveInitialDelay (seconds) from the constructor / setKeepAlive, kept until a handle exists */
  keepAliveDelay = 0;
  /** setTimeout() before there was a handle */
  pendingTimeout = 0;
  /** the in-flight write's callback, completed just before 'close' */
  closeWriteCb: Cb | null = null;
  /** a connect over several addresses in progress (autoSelectFamily) */
  attempts: Attempts | null = null;
  /** a connect whose host lookup may answer BEv.Resolved (ConnectTcp.multi) */
  multi: { req: ConnectTcp; family: unknown; options: Record<string, any> } | null = null;
  /** a write held back until the connection (Node's _pendingData / _pendingEncoding) */
  pendingData: unknown = null;
  pendingEncoding = "";
  /** the connect in progress: 0 binds no local address or port, 1 binds one, 2 has bound it */
  #binds = 0;
  /** address() while connecting, kept from its first answer (Node's _sockname) */
  #local: { address?: string; family?: string; port?: number } | null = null;
  /** the port of a connect whose name the host resolves, for its 'connectionAttempt' */
  lookupPort: unknown = undefined;
  /** the `onread` option's reader (Node: kBuffer, kBufferCb, kBufferGen) */
  reader: UserReader | null = null;

  /** A connect starts (`binds`: with localAddress or localPort), or the connection is up (false). */
  binding(binds: boolean): void {
    this.#binds = binds ? 1 : 0;
    this.#local = null;
  }

  /** Where Node binds a connect's local address: on its attempt. */
  bound(): void {
    if (this.#binds !== 0) this.#binds = 2;
  }

  /**
   * address() while connecting, as Node's getsockname answers it: nothing before
   * the bind (or without one), the bound address after it. Node keeps the first
   * answer until the connection is up, so this does too.
   */
  localWhileConnecting(backend: Pick<Backend, "socketInfo">, h: number): { address?: string; family?: string; port?: number } {
    if (this.#binds === 0) return {};
    this.#local ??= this.#binds === 2 ? backend.socketInfo(h).local ?? {} : {};
    return this.#local;
  }
}
