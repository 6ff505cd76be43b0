/**
 * The rarely used part of a `net.Socket`'s state (pipes, pending options,
 * multi-address connects, writes held back until the connection), kept in one
 * record that a socket makes on first use. Most sockets never need it.
 */
import type { ConnectTcp } from "../host/backend.ts";
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
  /** the `onread` option's reader (Node: kBuffer, kBufferCb, kBufferGen) */
  reader: UserReader | null = null;
}
