/**
 * net.Socket's `onread` option (Node 12+): incoming bytes go into the script's
 * own buffer and to its callback, instead of 'data' events. Node's contract
 * (lib/net.js; onStreamRead in lib/internal/stream_base_commons.js):
 * - `callback(bytes, buffer)` for every read of at most `buffer.length` bytes;
 * - `buffer` may be a function: it is called for the first buffer when a
 *   connect starts, and again after every callback;
 * - a callback that returns false stops reading, without pausing the stream
 *   (`isPaused()` stays false), until `resume()` or `read()`;
 * - `pause()` stops reading too; 'end', 'error' and 'close' come as usual.
 *
 * A host delivers reads of its own size, so one Data event may make several of
 * the script's reads. Whatever arrives after reading stopped (the rest of a
 * chunk, events already on their way, EOF) is held here, in order, and handed
 * over first when reading starts again: no byte is lost or reordered.
 */
import { ERR_INVALID_RETURN_VALUE, errorFromInfo } from "./errors.ts";
import { laterTurn } from "./netargs.ts";

type Callback = (bytes: number, buffer: Uint8Array) => unknown;

/** Linux's ENOBUFS, as libuv reports a read into no room */
const UV_ENOBUFS = -105;

/** The socket as a reader sees it (a Duplex). */
interface ReaderSocket {
  readonly destroyed: boolean;
  destroy(err: Error): unknown;
  push(chunk: null): unknown;
  read(n: number): unknown;
}

/** What a reader drives in its socket's backend. */
export interface ReaderPort {
  /** the socket has a handle and is no longer connecting */
  live(): boolean;
  /** stop the backend's reads (kept until resume) */
  stop(): void;
  /** resume the backend's reads */
  resume(): void;
}

/**
 * The reader for socket `s`'s `onread` option, or null when the option is not
 * one: Node ignores an `onread` without a Uint8Array (or function) `buffer` and
 * a function `callback`, and so does this.
 */
export function userReader(s: ReaderSocket, onread: unknown, port: ReaderPort): UserReader | null {
  if (onread === null || typeof onread !== "object") return null;
  const { buffer, callback } = onread as { buffer?: unknown; callback?: unknown };
  if (typeof callback !== "function") return null;
  let reader: UserReader;
  if (typeof buffer === "function") reader = new UserReader(s, port, null, buffer as () => unknown, callback as Callback);
  else if (buffer instanceof Uint8Array) reader = new UserReader(s, port, buffer, null, callback as Callback);
  else return null;
  hookReads(s, reader);
  return reader;
}

/**
 * Node's Socket overrides pause(), resume() and read() to stop and start its
 * handle's reads when `onread` is set. Here only a socket with `onread` gets
 * them, as its own (non-enumerable) methods in front of its class's, which they
 * then call: every other socket keeps Duplex's. read() is called often inside
 * the stream machinery, and an override on the prototype cost every socket
 * about 5 µs per churn connection in QuickJS.
 */
function hookReads(s: ReaderSocket, reader: UserReader): void {
  const own = (name: "pause" | "resume" | "read", before: () => void): void => {
    Object.defineProperty(s, name, {
      configurable: true,
      writable: true,
      value: function (this: ReaderSocket, ...args: unknown[]): unknown {
        before();
        return (Object.getPrototypeOf(this)[name] as (...a: unknown[]) => unknown).apply(this, args);
      },
    });
  };
  own("pause", () => reader.pause());
  own("resume", () => reader.readStart());
  own("read", () => reader.readStart());
}

export class UserReader {
  readonly #s: ReaderSocket;
  readonly #port: ReaderPort;
  /** the buffer the next read goes into; null until a buffer function gave one */
  #buf: Uint8Array | null;
  readonly #gen: (() => unknown) | null;
  readonly #cb: Callback;
  /** Node's `handle.reading`: false after a callback returned false, or pause() */
  #reading = true;
  /** bytes that arrived while reading was stopped, oldest first */
  #held: Uint8Array[] = [];
  /** EOF arrived while reading was stopped, or behind held bytes */
  #heldEnd = false;
  /** what the buffer function returned instead of a Uint8Array, for the error */
  #bad: unknown = undefined;

  constructor(s: ReaderSocket, port: ReaderPort, buf: Uint8Array | null, gen: (() => unknown) | null, cb: Callback) {
    this.#s = s;
    this.#port = port;
    this.#buf = buf;
    this.#gen = gen;
    this.#cb = cb;
  }

  /** A connect starts (Node's initSocketHandle): a buffer function gives the first buffer. */
  start(): void {
    this.#reading = true;
    this.#held = [];
    this.#heldEnd = false;
    if (this.#gen !== null) this.#next();
  }

  /** Bytes from the host. */
  data(chunk: Uint8Array): void {
    if (!this.#reading || this.#held.length > 0 || this.#heldEnd) {
      this.#held.push(chunk);
      return;
    }
    if (!this.#deliver(chunk)) this.#port.stop();
  }

  /** EOF from the host: true when it is due now, false when it waits for reading to start. */
  end(): boolean {
    if (this.#reading && this.#held.length === 0) return true;
    this.#heldEnd = true;
    return false;
  }

  /** socket.pause() (Node: readStop while the handle reads), and a connect made while paused. */
  pause(): void {
    if (!this.#reading || !this.#port.live()) return;
    this.#reading = false;
    if (!this.#s.destroyed) this.#port.stop();
  }

  /**
   * socket.resume() and socket.read() (Node's tryReadStart): reading starts
   * again on a later turn, as Node's next read comes from the next poll, after
   * this turn's ticks ('resume' among them). Held bytes come first, then a held
   * EOF, then the backend reads again (a backend may hand over what it holds
   * from within that call).
   */
  readStart(): void {
    if (this.#reading || !this.#port.live()) return;
    this.#reading = true;
    laterTurn(() => this.#flush());
  }

  #flush(): void {
    // each step first checks that reading is still wanted (a callback may pause or destroy)
    const wanted = (): boolean => this.#reading && this.#port.live() && !this.#s.destroyed;
    while (this.#held.length > 0) {
      if (!wanted() || !this.#deliver(this.#held.shift()!)) return;
    }
    if (!wanted()) return;
    if (this.#heldEnd) {
      this.#heldEnd = false;
      this.#s.push(null);
      this.#s.read(0);
      return;
    }
    this.#port.resume();
  }

  /**
   * One chunk as reads of at most the buffer's size. When a callback stops
   * reading, the rest is held and this returns false.
   */
  #deliver(chunk: Uint8Array): boolean {
    const s = this.#s;
    let off = 0;
    while (off < chunk.length) {
      // a destroyed socket reads nothing more (Node: `nread > 0 && !stream.destroyed`)
      if (s.destroyed) return true;
      const buf = this.#buf;
      if (buf === null || buf.length === 0) {
        // No room to read into. Node fails an empty buffer's read with ENOBUFS. A
        // buffer function that gave no Uint8Array at the start makes Node pass
        // `true` for the buffer and lose the bytes: here that is an error too.
        s.destroy(buf === null
          ? ERR_INVALID_RETURN_VALUE("Uint8Array", "onread.buffer", this.#bad)
          : errorFromInfo({ code: "ENOBUFS", errno: UV_ENOBUFS, syscall: "read" }));
        return true;
      }
      const n = Math.min(buf.length, chunk.length - off);
      buf.set(chunk.subarray(off, off + n));
      off += n;
      const more = this.#cb.call(undefined, n, buf) !== false;
      if (this.#gen !== null) this.#next();
      // false from the callback, or pause() inside it: the rest waits
      if (!more || !this.#reading) {
        this.#reading = false;
        if (off < chunk.length) this.#held.unshift(chunk.subarray(off));
        return false;
      }
    }
    return true;
  }

  /** The buffer function's next buffer; anything else keeps the previous one (as Node). */
  #next(): void {
    const next = this.#gen!();
    if (next instanceof Uint8Array) this.#buf = next;
    else this.#bad = next;
  }
}
