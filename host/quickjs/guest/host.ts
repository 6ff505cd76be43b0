/**
 * The runtime host functions a sandbox installs in its guest, as the guest sees
 * them. The net functions are in ts-api/guest.ts (`NetHost`).
 *
 * The sandbox puts one object with both sets on the guest's global object under
 * `Symbol.for("wasock.host")` before the guest bundle runs. Every function
 * validates its arguments on the host side: a guest that calls them directly
 * with forged values gets an exception, never another sandbox's socket.
 */
import type { NetHost } from "../../../ts-api/guest.ts";

export interface RuntimeHost {
  /** GuestConfig as JSON */
  config(): string;
  /** write text to the sandbox's stdout (1) or stderr (2) */
  print(fd: number, text: string): void;
  /** the earliest guest timer (ms since epoch, -1 for none) and whether any is ref'ed */
  setTimer(deadline: number, refed: boolean): void;
  /** immediates are queued (and whether any is ref'ed) */
  setImmediates(pending: boolean, refed: boolean): void;
  /** nextTick was called outside a callback: drain the queue after the microtasks */
  ticksPending(): void;
  /** ms since the sandbox's time origin, sub-millisecond (performance.now()) */
  now(): number;
  /** UTF-8 in native code: the `buffer` package's JS codec is slow in QuickJS */
  utf8Encode(text: string): ArrayBuffer;
  utf8Decode(bytes: ArrayBufferLike, offset: number, length: number): string;
  utf8Length(text: string): number;
  /** process.exit(code): the host stops the loop after the current callback */
  exit(code: number): void;
  /** an uncaught guest error (no 'uncaughtException' listener): the host stops the loop */
  fail(err: unknown): void;
  /** the guest's entry points, accepted once */
  register(dispatch: unknown, runTimer: unknown, runImmediate: unknown, runTicks: unknown): void;
}

export interface GuestConfig {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
}

export type GuestHost = RuntimeHost & NetHost;

export const HOST_KEY = "wasock.host";
export const MODULES_KEY = "wasock.modules";
