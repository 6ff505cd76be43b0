// Globals of a wasock QuickJS sandbox (host/quickjs/guest/globals.ts): timers,
// queueMicrotask, a minimal `process`, console, TextEncoder/TextDecoder, Buffer
// (buffer.d.ts) and `global`. The ES2022 library provides the rest; there is no DOM.

/** A timer from `setTimeout`/`setInterval`. While ref'ed, `sandbox.run()` waits for it. */
interface Timeout {
  /** Keeps the sandbox's event loop alive while the timer is pending (the default). */
  ref(): this;
  /** Lets `run()` settle even though the timer is pending. */
  unref(): this;
  hasRef(): boolean;
  /** Restarts the delay from now. */
  refresh(): this;
  /** Cancels the timer, as `clearTimeout`. */
  close(): this;
  /** The timer's numeric id, so that `+timer` works as in Node. */
  [Symbol.toPrimitive](): number;
}

/** A callback queued by `setImmediate`. */
interface Immediate {
  ref(): this;
  unref(): this;
  hasRef(): boolean;
}

/** Runs `callback(...args)` once, after `ms` milliseconds (default 1). */
declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): Timeout;
/** Runs `callback(...args)` every `ms` milliseconds until cleared. */
declare function setInterval<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): Timeout;
/** Runs `callback(...args)` after the current I/O events. */
declare function setImmediate<A extends unknown[]>(callback: (...args: A) => void, ...args: A): Immediate;
/** Cancels a timer; anything else (undefined, a cleared timer) is ignored. */
declare function clearTimeout(timer: Timeout | string | number | undefined | null): void;
declare function clearInterval(timer: Timeout | string | number | undefined | null): void;
declare function clearImmediate(immediate: Immediate | undefined | null): void;
/** Runs `callback` as a microtask, after the current job. */
declare function queueMicrotask(callback: () => void): void;

/**
 * Node-like console: `%s %d %i %f %j %o %O %c %%` formats, objects inspected a few
 * levels deep. log/info/debug go to the embedder's `stdout`, the rest to `stderr`.
 */
interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  debug(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
  /** Prints the arguments and a stack trace to stderr. */
  trace(...data: any[]): void;
  dir(item: any): void;
  /** Prints "Assertion failed" (with the arguments) when `condition` is falsy; never throws. */
  assert(condition?: boolean, ...data: any[]): void;
  count(label?: string): void;
  countReset(label?: string): void;
  time(label?: string): void;
  timeEnd(label?: string): void;
  timeLog(label?: string, ...data: any[]): void;
  /** Indents the following output by two spaces. */
  group(...data: any[]): void;
  groupEnd(): void;
  /** Prints `data` like `log` (no table layout). */
  table(data: any): void;
}
declare var console: Console;

/** UTF-8 encoder (the only encoding). */
declare class TextEncoder {
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
  /** Encodes into `dest` without splitting a character; returns the UTF-16 units read and bytes written. */
  encodeInto(input: string, dest: Uint8Array): { read: number; written: number };
}

/** UTF-8 decoder; any other label throws a RangeError with code ERR_ENCODING_NOT_SUPPORTED. */
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  /** With `{ stream: true }`, an incomplete trailing character waits for the next call. */
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

/**
 * An abort signal (the `abort-controller` package: no `reason`, no `AbortSignal.timeout()`).
 * `signal` options of `net` take one; aborting destroys the socket or closes the server.
 */
interface AbortSignal {
  /** True once the controller aborted. */
  readonly aborted: boolean;
  /** Called on abort, like an 'abort' listener. */
  onabort: ((event: { type: "abort" }) => void) | null;
  addEventListener(type: "abort", listener: (event: { type: "abort" }) => void, options?: boolean | { once?: boolean }): void;
  removeEventListener(type: "abort", listener: (event: { type: "abort" }) => void, options?: boolean): void;
}
/** Not constructible: get a signal from an AbortController. */
declare var AbortSignal: { readonly prototype: AbortSignal };

/** Makes an AbortSignal and aborts it (the `abort-controller` package). */
declare class AbortController {
  constructor();
  /** The signal to hand to `net` options. */
  readonly signal: AbortSignal;
  /** Aborts the signal: 'abort' listeners run once. */
  abort(): void;
}

/** The sandbox's `process` (declared in the "process" module). */
declare var process: import("process").Process;

/** The built-in modules, by name, as `require` returns them. */
interface WasockBuiltinModules {
  net: typeof import("net");
  events: typeof import("events");
  buffer: typeof import("buffer");
  stream: typeof import("stream");
  string_decoder: typeof import("string_decoder");
  timers: typeof import("timers");
  process: typeof import("process").default;
}

/**
 * CommonJS `require` for bundled code: only the built-in modules (also as `node:<name>`);
 * any other name throws an Error with code MODULE_NOT_FOUND.
 */
declare function require<K extends keyof WasockBuiltinModules>(id: K | `node:${K}`): WasockBuiltinModules[K];

/** The global object, as Node's `global`. */
declare var global: typeof globalThis;

/**
 * Declared so that `server[Symbol.asyncDispose]` type-checks without lib esnext.
 * In the sandbox it is `Symbol.for("nodejs.asyncDispose")` unless the engine has one.
 */
interface SymbolConstructor {
  readonly asyncDispose: unique symbol;
}

declare module "timers" {
  const _setTimeout: typeof globalThis.setTimeout;
  const _setInterval: typeof globalThis.setInterval;
  const _setImmediate: typeof globalThis.setImmediate;
  const _clearTimeout: typeof globalThis.clearTimeout;
  const _clearInterval: typeof globalThis.clearInterval;
  const _clearImmediate: typeof globalThis.clearImmediate;
  export {
    _setTimeout as setTimeout,
    _setInterval as setInterval,
    _setImmediate as setImmediate,
    _clearTimeout as clearTimeout,
    _clearInterval as clearInterval,
    _clearImmediate as clearImmediate,
  };
  const timers: {
    setTimeout: typeof setTimeout;
    setInterval: typeof setInterval;
    setImmediate: typeof setImmediate;
    clearTimeout: typeof clearTimeout;
    clearInterval: typeof clearInterval;
    clearImmediate: typeof clearImmediate;
  };
  export default timers;
}

declare module "node:timers" {
  export * from "timers";
  export { default } from "timers";
}

/** The global `process`. Only its own data fields are named exports; use the default for methods. */
declare module "process" {
  import { EventEmitter } from "events";

  /** `process.stdout` / `process.stderr`: write text to the embedder's outputs. */
  interface Output {
    readonly fd: 1 | 2;
    readonly isTTY: false;
    readonly writable: true;
    write(chunk: string | Uint8Array, cb?: () => void): boolean;
    write(chunk: string | Uint8Array, encoding?: BufferEncoding, cb?: () => void): boolean;
    end(): void;
  }

  /**
   * The sandbox's `process`: an EventEmitter ('exit', 'uncaughtException') with
   * `nextTick`, `env` and `argv` from the embedder, and fixed values elsewhere.
   */
  interface Process extends EventEmitter {
    /** "wasock" */
    readonly title: string;
    /** "v20.0.0": the Node API level the sandbox follows. */
    readonly version: string;
    readonly versions: { node: string; wasock: string };
    /** "linux" */
    readonly platform: string;
    /** "wasm32" */
    readonly arch: string;
    readonly release: { name: string };
    readonly pid: number;
    readonly ppid: number;
    readonly browser: boolean;
    /** The embedder's `args` (the CLI's arguments after the script). */
    readonly argv: string[];
    readonly argv0: string;
    readonly execArgv: string[];
    /** The embedder's `env` (empty by default: the host's environment is not visible). */
    readonly env: Record<string, string>;
    readonly stdout: Output;
    readonly stderr: Output;
    /** The exit code `sandbox.run()` reports when the loop empties. */
    exitCode: number | undefined;
    /** Time since the sandbox started, as [seconds, nanoseconds] (or the difference to `prev`). */
    readonly hrtime: { (prev?: [number, number]): [number, number]; bigint(): bigint };
    /** Runs `callback(...args)` before promise jobs and I/O (Node's nextTick queue). */
    nextTick<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void;
    /** The sandbox's module root. */
    cwd(): string;
    /** Seconds since the sandbox started. */
    uptime(): number;
    /** Stops the script: 'exit' listeners run and `run()` settles with `code`. */
    exit(code?: number): never;
    /** Prints `(wasock) <name>: <message>` to stderr. */
    emitWarning(warning: string | Error, type?: string): void;
    /** All zeros: the sandbox does not measure memory this way (see `sandbox.stats()`). */
    memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  }

  const p: Process;
  export default p;
  export const env: Process["env"];
  export const argv: Process["argv"];
  export const platform: Process["platform"];
  export const version: Process["version"];
  export const versions: Process["versions"];
  export const arch: Process["arch"];
  export const pid: Process["pid"];
  export const stdout: Process["stdout"];
  export const stderr: Process["stderr"];
  export const hrtime: Process["hrtime"];
  export { Process, Output };
}

declare module "node:process" {
  export * from "process";
  export { default } from "process";
}
