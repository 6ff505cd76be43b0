// Globals of a wasock QuickJS sandbox (provisional: reconciled with host/quickjs).

/** An opaque timer handle, as returned by the sandbox's timer functions. */
interface WasockTimer {
  readonly __wasockTimer: unique symbol;
}

/** Runs `callback(...args)` once after `ms` milliseconds; the sandbox's `run()` waits for it. */
declare function setTimeout<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): WasockTimer;
declare function clearTimeout(timer: WasockTimer | undefined | null): void;
/** Runs `callback(...args)` every `ms` milliseconds until cleared. */
declare function setInterval<A extends unknown[]>(callback: (...args: A) => void, ms?: number, ...args: A): WasockTimer;
declare function clearInterval(timer: WasockTimer | undefined | null): void;
/** Runs `callback(...args)` after the current I/O events. */
declare function setImmediate<A extends unknown[]>(callback: (...args: A) => void, ...args: A): WasockTimer;
declare function clearImmediate(timer: WasockTimer | undefined | null): void;
/** Runs `callback` as a microtask. */
declare function queueMicrotask(callback: () => void): void;

/** Output goes where the embedder's `stdout`/`stderr` options send it. */
interface Console {
  log(...data: any[]): void;
  info(...data: any[]): void;
  debug(...data: any[]): void;
  warn(...data: any[]): void;
  error(...data: any[]): void;
}
declare var console: Console;

/** UTF-8 only. */
declare class TextEncoder {
  readonly encoding: "utf-8";
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  readonly encoding: string;
  decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: boolean }): string;
}

/** Node's AbortSignal shape, as the `signal` options take it. */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
}

/** A minimal `process`. */
interface WasockProcess {
  /** Runs `callback(...args)` before other queued work (Node's nextTick queue). */
  nextTick<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void;
}
declare var process: WasockProcess;

/** Declared so that `server[Symbol.asyncDispose]` type-checks without lib esnext. */
interface SymbolConstructor {
  readonly asyncDispose: unique symbol;
}
