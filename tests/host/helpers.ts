/**
 * Helpers for the loopback tests of the Node driver and wasock/node.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const STATS = Symbol.for("wasock.stats");

export interface Stats {
  liveHandles: number;
  sockets: number;
  servers: number;
  bufferedBytes: number;
  bytesRead: number;
  bytesWritten: number;
}

export function statsOf(net: object): Stats {
  return (net as Record<symbol, () => Stats>)[STATS]();
}

export function once<T = unknown>(em: { once(ev: string, fn: (...a: any[]) => void): unknown }, ev: string): Promise<T> {
  return new Promise((resolve) => em.once(ev, (v: T) => resolve(v)));
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits (a few loop turns at most) until the core table of `net` is empty. */
export async function expectNoLeaks(net: object): Promise<Stats> {
  let s = statsOf(net);
  for (let i = 0; i < 100 && (s.liveHandles !== 0 || s.sockets !== 0 || s.servers !== 0); i++) {
    await delay(10);
    s = statsOf(net);
  }
  return s;
}

export function sha256(chunks: Buffer[]): string {
  const h = createHash("sha256");
  for (const c of chunks) h.update(c);
  return h.digest("hex");
}

/** A fresh temporary directory for Unix socket paths; `cleanup` removes it. */
export function tmpDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "wasock-host-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
