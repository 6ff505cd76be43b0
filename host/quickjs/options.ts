/**
 * Sandbox options, with their defaults and validation.
 */
import type { Policy, Quotas } from "../core/api.ts";

/** Where guest output goes: a function, or anything with `write(text)` (a stream). */
export type Output = ((text: string) => unknown) | { write(text: string): unknown };

export interface SandboxOptions {
  /**
   * Rules that allow connect and listen (`127.0.0.1:*`, `10.0.0.0/8`,
   * `localhost:6379`, `[::1]:8000-9000`, `unix:/tmp/`, `*`), as an array or a
   * comma-separated string; `true` allows everything. Default: nothing.
   */
  allowNet?: string | string[] | boolean;
  /** rules that deny, winning over allowNet */
  denyNet?: string | string[];
  /** a ready-made policy instead of allowNet/denyNet */
  policy?: Policy;
  /** sockets and servers alive at once */
  maxSockets?: number;
  /** bytes buffered over all sockets of the sandbox (host side) */
  maxBufferedBytes?: number;
  /** bytes buffered per socket: queued writes + paused reads */
  maxBufferedBytesPerSocket?: number;
  /** the guest heap limit in bytes (default 64 MiB) */
  memoryLimit?: number;
  /** the guest stack limit in bytes (default 1 MiB) */
  maxStackSize?: number;
  /** CPU time one callback (with its microtasks) may take, in ms (default 1000) */
  cpuBudgetMs?: number;
  /** relative imports resolve here, and nothing outside it loads (default: process.cwd()) */
  root?: string;
  stdout?: Output;
  stderr?: Output;
  /** the guest's process.argv after `wasock` and the script (default []) */
  args?: string[];
  /** the guest's process.env (default {}) */
  env?: Record<string, string>;
}

export interface ResolvedOptions {
  policyInput: { allowNet: string[]; denyNet: string[]; defaultAllow: boolean } | Policy;
  quotas: Quotas;
  memoryLimit: number;
  maxStackSize: number;
  cpuBudgetMs: number;
  root: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  args: string[];
  env: Record<string, string>;
}

function rules(v: string | string[] | undefined, name: string): string[] {
  if (v === undefined) return [];
  const list = typeof v === "string" ? v.split(",") : v;
  if (!Array.isArray(list) || list.some((r) => typeof r !== "string")) {
    throw new TypeError(`The "${name}" option must be a string or an array of strings`);
  }
  return list.map((r) => r.trim()).filter((r) => r.length > 0);
}

function positive(v: number | undefined, name: string, dflt: number | undefined): number | undefined {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new RangeError(`The "${name}" option must be a positive number. Received ${String(v)}`);
  return v;
}

function output(o: Output | undefined, fallback: NodeJS.WritableStream): (text: string) => void {
  if (o === undefined) return (t) => void fallback.write(t);
  if (typeof o === "function") return (t) => void o(t);
  if (typeof o === "object" && o !== null && typeof o.write === "function") return (t) => void o.write(t);
  throw new TypeError("The stdout/stderr options must be a function or have a write() method");
}

export function resolveOptions(o: SandboxOptions = {}): ResolvedOptions {
  let policyInput: ResolvedOptions["policyInput"];
  if (o.policy !== undefined) {
    policyInput = o.policy;
  } else if (o.allowNet === true) {
    policyInput = { allowNet: [], denyNet: rules(o.denyNet, "denyNet"), defaultAllow: true };
  } else {
    const allow = o.allowNet === false || o.allowNet === undefined ? [] : rules(o.allowNet, "allowNet");
    policyInput = { allowNet: allow, denyNet: rules(o.denyNet, "denyNet"), defaultAllow: false };
  }
  const quotas: Quotas = {};
  const maxSockets = positive(o.maxSockets, "maxSockets", undefined);
  if (maxSockets !== undefined) quotas.maxSockets = Math.floor(maxSockets);
  const total = positive(o.maxBufferedBytes, "maxBufferedBytes", undefined);
  if (total !== undefined) quotas.maxBufferedBytesTotal = Math.floor(total);
  const per = positive(o.maxBufferedBytesPerSocket, "maxBufferedBytesPerSocket", undefined);
  if (per !== undefined) quotas.maxBufferedBytesPerSocket = Math.floor(per);
  return {
    policyInput,
    quotas,
    memoryLimit: positive(o.memoryLimit, "memoryLimit", 64 * 1024 * 1024)!,
    maxStackSize: positive(o.maxStackSize, "maxStackSize", 1024 * 1024)!,
    cpuBudgetMs: positive(o.cpuBudgetMs, "cpuBudgetMs", 1000)!,
    root: o.root ?? process.cwd(),
    stdout: output(o.stdout, process.stdout),
    stderr: output(o.stderr, process.stderr),
    args: o.args ?? [],
    env: o.env ?? {},
  };
}
