/**
 * The guest's globals, installed before any other guest module runs: timers,
 * queueMicrotask, a minimal `process` (an EventEmitter with nextTick), console,
 * TextEncoder/TextDecoder and Buffer.
 */
import { Buffer } from "node:buffer";
import { EventEmitter } from "node:events";
import { AbortController, AbortSignal } from "abort-controller";
import { createConsole } from "./console.ts";
import { HOST_KEY, type GuestConfig, type GuestHost } from "./host.ts";
import { ARGS_ARRAY, createLoop } from "./loop.ts";

const g = globalThis as unknown as Record<string | symbol, unknown>;
export const host = g[Symbol.for(HOST_KEY)] as GuestHost;
const config = JSON.parse(host.config()) as GuestConfig;

/** thrown by process.exit to unwind the guest's stack; never reported */
class ProcessExit extends Error {}
let exiting = false;

/** an error nobody caught: 'uncaughtException' listeners, else the host stops the sandbox */
export function uncaught(err: unknown): void {
  if (exiting || err instanceof ProcessExit) return;
  if (process.listenerCount("uncaughtException") > 0) {
    try {
      process.emit("uncaughtException", err, "uncaughtException");
      return;
    } catch (again) {
      err = again;
    }
  }
  host.fail(err);
}

export const loop = createLoop(host, uncaught);

class Output extends EventEmitter {
  readonly fd: number;
  readonly isTTY = false;
  readonly writable = true;
  constructor(fd: number) {
    super();
    this.fd = fd;
  }
  write(chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
    host.print(this.fd, text);
    const done = typeof encoding === "function" ? encoding : cb;
    if (typeof done === "function") loop.queueTick(done as () => void, 0, undefined, undefined);
    return true;
  }
  end(): void {}
}

// ---- native UTF-8 for Buffer -------------------------------------------------
// The buffer package encodes and decodes UTF-8 in JS, which QuickJS runs about
// 100 times slower than V8. Long strings go through the host instead; short ones
// stay in JS, where a host call would cost more than it saves.
const NATIVE_MIN = 64;
const isUtf8 = (enc: unknown): boolean => enc === undefined || enc === "utf8" || enc === "utf-8" || (typeof enc === "string" && /^utf-?8$/i.test(enc));
const jsFrom = Buffer.from as (...args: unknown[]) => Buffer;
(Buffer as unknown as { from: unknown }).from = function from(this: unknown, value: unknown, enc?: unknown, length?: unknown): Buffer {
  if (typeof value === "string" && value.length >= NATIVE_MIN && isUtf8(enc)) return jsFrom.call(Buffer, host.utf8Encode(value));
  return jsFrom.call(this, value, enc, length);
};
const jsByteLength = Buffer.byteLength;
Buffer.byteLength = function byteLength(value: unknown, enc?: unknown): number {
  if (typeof value === "string" && value.length >= NATIVE_MIN && isUtf8(enc)) return host.utf8Length(value);
  return (jsByteLength as (...args: unknown[]) => number)(value, enc);
} as typeof Buffer.byteLength;
const jsToString = Buffer.prototype.toString;
Buffer.prototype.toString = function toString(this: Buffer, enc?: unknown, start?: unknown, end?: unknown): string {
  const len = this.length;
  const s = start === undefined ? 0 : Math.max(0, Math.min(len, Number(start) | 0));
  const e = end === undefined ? len : Math.max(s, Math.min(len, Number(end) | 0));
  const n = e - s;
  // native only when the slice is a good part of its ArrayBuffer: the host copies all of it
  if (n >= NATIVE_MIN && n * 4 >= this.buffer.byteLength && isUtf8(enc)) return host.utf8Decode(this.buffer, this.byteOffset + s, n);
  return (jsToString as (...args: unknown[]) => string).call(this, enc, start, end);
} as typeof Buffer.prototype.toString;

const started = Date.now();

class Process extends EventEmitter {
  readonly title = "wasock";
  readonly version = "v20.0.0";
  readonly versions = { node: "20.0.0", wasock: "0.1.0" };
  readonly platform = "linux";
  readonly arch = "wasm32";
  readonly release = { name: "wasock" };
  readonly pid = 1;
  readonly ppid = 0;
  readonly browser = false;
  readonly argv = config.argv;
  readonly argv0 = "wasock";
  readonly execArgv: string[] = [];
  readonly env: Record<string, string> = config.env;
  readonly stdout = new Output(1);
  readonly stderr = new Output(2);
  exitCode: number | undefined = undefined;
  readonly hrtime = Object.assign(
    (prev?: [number, number]): [number, number] => {
      const ns = BigInt(Math.round(performanceNow() * 1e6));
      let s = Number(ns / 1_000_000_000n);
      let n = Number(ns % 1_000_000_000n);
      if (prev) {
        s -= prev[0];
        n -= prev[1];
        if (n < 0) {
          s--;
          n += 1e9;
        }
      }
      return [s, n];
    },
    { bigint: (): bigint => BigInt(Math.round(performanceNow() * 1e6)) },
  );
  /**
   * nextTick(fn, ...args): up to two arguments are queued in place and read
   * from `arguments`, so neither nextTick(fn) nor readable-stream's
   * nextTick(fn, stream, state) makes an array.
   */
  nextTick(fn: (...args: unknown[]) => unknown, a?: unknown, b?: unknown): void {
    const n = arguments.length;
    if (n <= 3) {
      loop.queueTick(fn, n === 0 ? 0 : n - 1, a, b);
      return;
    }
    const args: unknown[] = [];
    for (let i = 1; i < n; i++) args.push(arguments[i]);
    loop.queueTick(fn, ARGS_ARRAY, args, undefined);
  }
  cwd(): string {
    return config.cwd;
  }
  uptime(): number {
    return (Date.now() - started) / 1000;
  }
  exit(code?: number): never {
    const c = code ?? this.exitCode ?? 0;
    if (!exiting) {
      exiting = true;
      try {
        this.emit("exit", c);
      } catch {
        // exit listeners cannot stop the exit
      }
      host.exit(typeof c === "number" ? c : 1);
    }
    throw new ProcessExit("process.exit");
  }
  emitWarning(warning: unknown, type?: unknown): void {
    const name = typeof type === "string" ? type : warning instanceof Error ? warning.name : "Warning";
    const message = warning instanceof Error ? warning.message : String(warning);
    host.print(2, `(wasock) ${name}: ${message}\n`);
  }
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number } {
    return { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  }
}

function performanceNow(): number {
  return host.now();
}

const performance = {
  timeOrigin: Date.now(),
  now: performanceNow,
  toJSON: () => ({ timeOrigin: performance.timeOrigin }),
};

export const process = new Process();

class TextEncoderImpl {
  readonly encoding = "utf-8";
  encode(input = ""): Uint8Array {
    return new Uint8Array(host.utf8Encode(String(input)));
  }
  encodeInto(input: string, dest: Uint8Array): { read: number; written: number } {
    const b = Buffer.from(String(input), "utf8");
    let n = Math.min(b.length, dest.length);
    // never split a UTF-8 sequence
    while (n > 0 && n < b.length && (b[n]! & 0xc0) === 0x80) n--;
    dest.set(b.subarray(0, n));
    return { read: b.subarray(0, n).toString("utf8").length, written: n };
  }
}

class TextDecoderImpl {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  #pending: Buffer | null = null;
  constructor(label = "utf-8", options: { fatal?: boolean; ignoreBOM?: boolean } = {}) {
    const l = String(label).trim().toLowerCase();
    if (l !== "utf-8" && l !== "utf8" && l !== "unicode-1-1-utf-8") {
      const err = new RangeError(`The "${label}" encoding is not supported`);
      (err as { code?: string }).code = "ERR_ENCODING_NOT_SUPPORTED";
      throw err;
    }
    this.encoding = "utf-8";
    this.fatal = options.fatal === true;
    this.ignoreBOM = options.ignoreBOM === true;
  }
  decode(input?: ArrayBufferView | ArrayBuffer, options: { stream?: boolean } = {}): string {
    let b =
      input === undefined
        ? Buffer.alloc(0)
        : ArrayBuffer.isView(input)
          ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
          : Buffer.from(input);
    if (this.#pending) {
      b = Buffer.concat([this.#pending, b]);
      this.#pending = null;
    }
    if (options.stream) {
      // keep an incomplete trailing sequence for the next call
      let cut = b.length;
      for (let i = Math.max(0, b.length - 3); i < b.length; i++) {
        const x = b[i]!;
        const need = x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : x >= 0xc0 ? 2 : 1;
        if (need > 1 && i + need > b.length) {
          cut = i;
          break;
        }
      }
      if (cut < b.length) {
        this.#pending = Buffer.from(b.subarray(cut));
        b = b.subarray(0, cut);
      }
    }
    let s = b.toString("utf8");
    if (!this.ignoreBOM && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    if (this.fatal && s.includes("\ufffd") && !b.includes(Buffer.from("\ufffd"))) {
      const err = new TypeError("The encoded data was not valid for encoding utf-8");
      (err as { code?: string }).code = "ERR_ENCODING_INVALID_ENCODED_DATA";
      throw err;
    }
    return s;
  }
}

// Node 20 has Symbol.dispose and Symbol.asyncDispose (used by net.Server); QuickJS does not.
for (const name of ["dispose", "asyncDispose"] as const) {
  if (!(name in Symbol)) Object.defineProperty(Symbol, name, { value: Symbol(`Symbol.${name}`) });
}

function define(name: string, value: unknown): void {
  Object.defineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
}

define("process", process);
define("Buffer", Buffer);
define("console", createConsole((fd, text) => host.print(fd, text)));
define("setTimeout", loop.setTimeout.bind(loop));
define("setInterval", loop.setInterval.bind(loop));
define("setImmediate", loop.setImmediate.bind(loop));
define("clearTimeout", loop.clearTimeout.bind(loop));
define("clearInterval", loop.clearInterval.bind(loop));
define("clearImmediate", loop.clearImmediate.bind(loop));
define("queueMicrotask", loop.queueMicrotask.bind(loop));
define("TextEncoder", TextEncoderImpl);
define("TextDecoder", TextDecoderImpl);
define("performance", performance);
define("AbortController", AbortController);
define("AbortSignal", AbortSignal);
if (g.global === undefined) define("global", globalThis);
