// The data held per socket and per server. Logic lives in socket.ts and server.ts.
import { Entry } from "./table";
import { Addr } from "./addr";
import { SockState, ServState, Kind, Role } from "./codes";

export const DEFAULT_HWM: i32 = 16384;
export const DEFAULT_BACKLOG: i32 = 511;

export class Socket extends Entry {
  kind: Kind = Kind.Tcp;
  role: Role = Role.Client;
  /** changed only by setState() in socket.ts */
  state: SockState = SockState.Idle;
  allowHalfOpen: bool = false;
  paused: bool = false;
  noDelay: bool = false;
  keepAlive: bool = false;
  /** the peer's FIN arrived (no more onData) */
  eofSeen: bool = false;
  /** FIN arrived but End is not delivered yet (buffered bytes or paused) */
  eofPending: bool = false;
  /** a Flush record for this socket is in the event queue */
  flushQueued: bool = false;
  /** IoReadStop was queued and no IoReadStart since */
  readStopped: bool = false;
  /** a write reached highWaterMark: Drain is due when the queue empties */
  needDrain: bool = false;
  /** the last accepted write left queued >= hwm */
  lastNeedDrain: bool = false;
  /** end() was called before the connection was open */
  endRequested: bool = false;
  /** IoClose was queued */
  closeQueued: bool = false;
  /** Closing with both sides ended: IoClose(Graceful) once queued reaches 0 */
  closeAfterFlush: bool = false;
  hadError: bool = false;
  /** connect's name was allowed by policy (the resolved address may still be denied) */
  nameAllowed: bool = false;
  /** refused by maxConnections: closes without a Close event */
  dropped: bool = false;
  /** highWaterMark for writes (drain) and for the read buffer (IoReadStop) */
  hwm: i32 = DEFAULT_HWM;
  /** write bytes accepted and not yet reported written; 0 <= queued <= maxPerSocket */
  queued: i32 = 0;
  /** read buffer (heap block or 0): bytes [rstart, rend) of rcap are unread */
  rbuf: usize = 0;
  rstart: i32 = 0;
  rend: i32 = 0;
  rcap: i32 = 0;
  bytesRead: u64 = 0;
  bytesWritten: u64 = 0;
  /** 0 = no idle timeout */
  timeoutMs: f64 = 0;
  /** -1 = not armed */
  deadline: f64 = -1;
  /** accepted sockets: the server's handle */
  server: u32 = 0;
  peer: Addr | null = null;
  local: Addr | null = null;

  readLen(): i32 {
    return this.rend - this.rstart;
  }
}

export class Server extends Entry {
  kind: Kind = Kind.Tcp;
  /** changed only by setServerState() in server.ts */
  state: ServState = ServState.Idle;
  allowHalfOpen: bool = false;
  pauseOnConnect: bool = false;
  /** the host reported its listener closed (after IoClose) */
  listenerClosed: bool = false;
  /** accept-queue bound: Connection records not yet drained */
  backlog: i32 = DEFAULT_BACKLOG;
  pending: i32 = 0;
  /** -1 = unlimited */
  maxConnections: i32 = -1;
  /** accepted sockets alive (not dropped) */
  connections: i32 = 0;
  local: Addr | null = null;
}
