// Guest-script types for the `stream` module of a wasock sandbox.
// The sandbox bundles the `readable-stream` npm package (v4, Node's own stream code),
// so `net.Socket` is a real Duplex: pipe, async iteration, cork/uncork, 'finish',
// read() and 'readable' all work. This declares the part of it that scripts use.

declare module "stream" {
  import { EventEmitter } from "events";

  /** The legacy base class of every stream: an EventEmitter with `pipe`. */
  class Stream extends EventEmitter {
    constructor(opts?: { emitClose?: boolean });
    /** Pipes this (readable) stream into `destination`; returns `destination`. */
    pipe<T extends NodeWritableStream>(destination: T, options?: { end?: boolean }): T;
  }

  /** The writable side as `pipe` and `pipeline` see it. */
  interface NodeWritableStream extends EventEmitter {
    writable: boolean;
    write(chunk: any, cb?: (err?: Error | null) => void): boolean;
    end(cb?: () => void): this;
  }

  /** Options every stream constructor takes. */
  interface StreamOptions<T> {
    /** Bytes (or objects) buffered before `write()` returns false / reading stops. */
    highWaterMark?: number;
    objectMode?: boolean;
    /** Call `destroy()` automatically after 'end' / 'finish' (default true). */
    autoDestroy?: boolean;
    /** Emit 'close' after destroy (default true). */
    emitClose?: boolean;
    destroy?(this: T, error: Error | null, callback: (error?: Error | null) => void): void;
  }

  /** Options of `new Readable()`. */
  interface ReadableOptions extends StreamOptions<Readable> {
    encoding?: BufferEncoding;
    read?(this: Readable, size: number): void;
  }

  /** Options of `new Writable()`. */
  interface WritableOptions extends StreamOptions<Writable> {
    decodeStrings?: boolean;
    defaultEncoding?: BufferEncoding;
    write?(this: Writable, chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    writev?(this: Writable, chunks: Array<{ chunk: any; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void;
    final?(this: Writable, callback: (error?: Error | null) => void): void;
  }

  /** Options of `new Duplex()`: both sides' options. */
  interface DuplexOptions
    extends Omit<ReadableOptions, "read" | "destroy">,
      Omit<WritableOptions, "write" | "writev" | "final" | "destroy"> {
    /** Keep the writable side open after the readable side ended (default false). */
    allowHalfOpen?: boolean;
    readableObjectMode?: boolean;
    writableObjectMode?: boolean;
    readableHighWaterMark?: number;
    writableHighWaterMark?: number;
    read?(this: Duplex, size: number): void;
    write?(this: Duplex, chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    writev?(this: Duplex, chunks: Array<{ chunk: any; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void;
    final?(this: Duplex, callback: (error?: Error | null) => void): void;
    destroy?(this: Duplex, error: Error | null, callback: (error?: Error | null) => void): void;
  }

  /** Options of `new Transform()`. */
  interface TransformOptions extends DuplexOptions {
    transform?(this: Transform, chunk: any, encoding: BufferEncoding, callback: (error?: Error | null, data?: any) => void): void;
    flush?(this: Transform, callback: (error?: Error | null, data?: any) => void): void;
  }

  /** Events of a Readable and the listener arguments of each. */
  interface ReadableEvents {
    close: [];
    data: [chunk: any];
    end: [];
    error: [err: Error];
    pause: [];
    readable: [];
    resume: [];
  }

  /** Events of a Writable and the listener arguments of each. */
  interface WritableEvents {
    close: [];
    drain: [];
    error: [err: Error];
    finish: [];
    pipe: [src: Readable];
    unpipe: [src: Readable];
  }

  /** Events of a Duplex: those of both sides. */
  interface DuplexEvents extends ReadableEvents, WritableEvents {}

  /** A source of data, read in flowing mode ('data') or paused mode (`read()`). */
  class Readable extends Stream implements AsyncIterable<any> {
    constructor(opts?: ReadableOptions);
    /** A Readable that yields the items of `iterable`. */
    static from(iterable: Iterable<any> | AsyncIterable<any>, options?: ReadableOptions): Readable;
    /** True while it is safe to call `read()`. */
    readable: boolean;
    readonly readableEncoding: BufferEncoding | null;
    readonly readableEnded: boolean;
    readonly readableFlowing: boolean | null;
    readonly readableHighWaterMark: number;
    readonly readableLength: number;
    readonly readableObjectMode: boolean;
    readonly readableAborted: boolean;
    readonly readableDidRead: boolean;
    /** True after `destroy()`. */
    destroyed: boolean;
    /** True after 'close' was emitted. */
    readonly closed: boolean;
    /** The error the stream was destroyed with, if any. */
    readonly errored: Error | null;
    _read(size: number): void;
    /** Pulls up to `size` bytes out of the internal buffer; null when it is empty. */
    read(size?: number): any;
    /** Makes 'data' carry strings decoded with `encoding` instead of Buffers. */
    setEncoding(encoding: BufferEncoding): this;
    /** Stops 'data' events; buffered data stays buffered. */
    pause(): this;
    /** Restarts 'data' events. */
    resume(): this;
    isPaused(): boolean;
    unpipe(destination?: NodeWritableStream): this;
    /** Puts a chunk back at the front of the internal buffer. */
    unshift(chunk: any, encoding?: BufferEncoding): void;
    /** Wraps an old-style readable stream. */
    wrap(stream: EventEmitter): this;
    /** Adds a chunk to the internal buffer (implementers); null signals the end. */
    push(chunk: any, encoding?: BufferEncoding): boolean;
    /** Destroys the stream, emitting 'error' (if `error`) and 'close'. */
    destroy(error?: Error): this;
    _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
    /** Async iteration over the chunks; breaking out destroys the stream. */
    [Symbol.asyncIterator](): AsyncIterableIterator<any>;
    iterator(options?: { destroyOnReturn?: boolean }): AsyncIterableIterator<any>;
/** Adds `listener` for `event`; typed for the events of `ReadableEvents`, any other name falls back to `...args: any[]`. */
addListener<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
addListener<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for `event` (alias of `addListener`). */
on<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
on<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for the next `event` only. */
once<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
once<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` before the existing listeners of `event`. */
prependListener<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
prependListener<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Adds a one-time `listener` before the existing listeners of `event`. */
prependOnceListener<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event`. */
removeListener<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
removeListener<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event` (alias of `removeListener`). */
off<K extends keyof ReadableEvents>(event: K, listener: (...args: ReadableEvents[K]) => void): this;
off<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, listener: (...args: any[]) => void): this;
/** Calls the listeners of `event` synchronously with `args`; true if there were any. */
emit<K extends keyof ReadableEvents>(event: K, ...args: ReadableEvents[K]): boolean;
emit<E extends string | symbol>(event: Exclude<E, keyof ReadableEvents>, ...args: any[]): boolean;
  }

  /** A destination for data. `write()` returns false when the buffer is full: wait for 'drain'. */
  class Writable extends Stream implements NodeWritableStream {
    constructor(opts?: WritableOptions);
    /** True while it is safe to call `write()`. */
    writable: boolean;
    readonly writableEnded: boolean;
    readonly writableFinished: boolean;
    readonly writableHighWaterMark: number;
    readonly writableLength: number;
    readonly writableObjectMode: boolean;
    readonly writableCorked: number;
    readonly writableNeedDrain: boolean;
    readonly writableAborted: boolean;
    destroyed: boolean;
    readonly closed: boolean;
    readonly errored: Error | null;
    _write(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    _writev?(chunks: Array<{ chunk: any; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void;
    _final(callback: (error?: Error | null) => void): void;
    _destroy(error: Error | null, callback: (error?: Error | null) => void): void;
    /** Queues `chunk`; false means the buffer is over the high-water mark. */
    write(chunk: any, callback?: (error?: Error | null) => void): boolean;
    write(chunk: any, encoding: BufferEncoding, callback?: (error?: Error | null) => void): boolean;
    setDefaultEncoding(encoding: BufferEncoding): this;
    /** Writes an optional last chunk and finishes the stream ('finish'). */
    end(cb?: () => void): this;
    end(chunk: any, cb?: () => void): this;
    end(chunk: any, encoding: BufferEncoding, cb?: () => void): this;
    /** Buffers writes until `uncork()`. */
    cork(): void;
    uncork(): void;
    destroy(error?: Error): this;
/** Adds `listener` for `event`; typed for the events of `WritableEvents`, any other name falls back to `...args: any[]`. */
addListener<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
addListener<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for `event` (alias of `addListener`). */
on<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
on<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for the next `event` only. */
once<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
once<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` before the existing listeners of `event`. */
prependListener<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
prependListener<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Adds a one-time `listener` before the existing listeners of `event`. */
prependOnceListener<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event`. */
removeListener<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
removeListener<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event` (alias of `removeListener`). */
off<K extends keyof WritableEvents>(event: K, listener: (...args: WritableEvents[K]) => void): this;
off<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, listener: (...args: any[]) => void): this;
/** Calls the listeners of `event` synchronously with `args`; true if there were any. */
emit<K extends keyof WritableEvents>(event: K, ...args: WritableEvents[K]): boolean;
emit<E extends string | symbol>(event: Exclude<E, keyof WritableEvents>, ...args: any[]): boolean;
  }

  /** Both a Readable and a Writable; `net.Socket` is one. */
  class Duplex extends Readable implements NodeWritableStream {
    constructor(opts?: DuplexOptions);
    /** Whether the writable side stays open after the readable side ended. */
    allowHalfOpen: boolean;
    writable: boolean;
    readonly writableEnded: boolean;
    readonly writableFinished: boolean;
    readonly writableHighWaterMark: number;
    readonly writableLength: number;
    readonly writableObjectMode: boolean;
    readonly writableCorked: number;
    readonly writableNeedDrain: boolean;
    _write(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null) => void): void;
    _writev?(chunks: Array<{ chunk: any; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void;
    _final(callback: (error?: Error | null) => void): void;
    write(chunk: any, callback?: (error?: Error | null) => void): boolean;
    write(chunk: any, encoding: BufferEncoding, callback?: (error?: Error | null) => void): boolean;
    setDefaultEncoding(encoding: BufferEncoding): this;
    end(cb?: () => void): this;
    end(chunk: any, cb?: () => void): this;
    end(chunk: any, encoding: BufferEncoding, cb?: () => void): this;
    cork(): void;
    uncork(): void;
/** Adds `listener` for `event`; typed for the events of `DuplexEvents`, any other name falls back to `...args: any[]`. */
addListener<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
addListener<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for `event` (alias of `addListener`). */
on<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
on<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` for the next `event` only. */
once<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
once<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Adds `listener` before the existing listeners of `event`. */
prependListener<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
prependListener<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Adds a one-time `listener` before the existing listeners of `event`. */
prependOnceListener<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
prependOnceListener<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event`. */
removeListener<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
removeListener<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Removes `listener` from `event` (alias of `removeListener`). */
off<K extends keyof DuplexEvents>(event: K, listener: (...args: DuplexEvents[K]) => void): this;
off<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, listener: (...args: any[]) => void): this;
/** Calls the listeners of `event` synchronously with `args`; true if there were any. */
emit<K extends keyof DuplexEvents>(event: K, ...args: DuplexEvents[K]): boolean;
emit<E extends string | symbol>(event: Exclude<E, keyof DuplexEvents>, ...args: any[]): boolean;
  }

  /** A Duplex whose output is computed from its input. */
  class Transform extends Duplex {
    constructor(opts?: TransformOptions);
    _transform(chunk: any, encoding: BufferEncoding, callback: (error?: Error | null, data?: any) => void): void;
    _flush(callback: (error?: Error | null, data?: any) => void): void;
  }

  /** A Transform that passes its input through unchanged. */
  class PassThrough extends Transform {}

  /**
   * Pipes the streams into each other and destroys all of them on error; `callback`
   * gets the first error, or nothing once the last stream finished.
   */
  function pipeline(...streams: [Readable, ...Array<Duplex | Writable>, (err: Error | null) => void]): Writable | Duplex;
  /** Calls `callback` once `stream` has ended, finished or errored. */
  function finished(stream: Readable | Writable, callback: (err?: Error | null) => void): () => void;
  function finished(stream: Readable | Writable, options: { error?: boolean; readable?: boolean; writable?: boolean }, callback: (err?: Error | null) => void): () => void;
  /** True if `stream` has been read from or cancelled. */
  function isDisturbed(stream: Readable): boolean;
  /** True if `stream` was destroyed with an error. */
  function isErrored(stream: Readable | Writable): boolean;
  /** True if `stream` is readable and has not ended or been destroyed. */
  function isReadable(stream: Readable): boolean;

  export {
    Stream,
    Readable,
    Writable,
    Duplex,
    Transform,
    PassThrough,
    pipeline,
    finished,
    isDisturbed,
    isErrored,
    isReadable,
    ReadableOptions,
    WritableOptions,
    DuplexOptions,
    TransformOptions,
    ReadableEvents,
    WritableEvents,
    DuplexEvents,
    NodeWritableStream,
  };
  /** The module object (readable-stream's main export), for `import stream from "stream"`. */
  const _default: typeof import("stream");
  export default _default;
}

declare module "node:stream" {
  export * from "stream";
  export { default } from "stream";
}
