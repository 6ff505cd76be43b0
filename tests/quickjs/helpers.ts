// Shared test helpers: run a guest script in a fresh sandbox, capture its
// output, and always dispose the sandbox (which fails if a QuickJS handle leaked).
import { expect } from "vitest";
import { createSandbox, type Sandbox, type SandboxOptions, type SandboxStats } from "../../host/quickjs/index.ts";

export interface GuestRun {
  ok: boolean;
  exitCode?: number;
  error?: Error & Record<string, unknown>;
  stdout: string;
  stderr: string;
  /** stats right after run() settled, before dispose() */
  stats: SandboxStats;
  /** stdout lines */
  lines: string[];
}

export async function runGuest(source: string | URL | { source: string; filename?: string }, options: SandboxOptions = {}): Promise<GuestRun> {
  let stdout = "";
  let stderr = "";
  const sandbox = await createSandbox({
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    ...options,
  });
  let run: GuestRun;
  try {
    const r = await sandbox.run(source).then(
      (v) => ({ ok: true as const, exitCode: v.exitCode }),
      (e) => ({ ok: false as const, error: e as Error & Record<string, unknown> }),
    );
    run = { ...r, stdout, stderr, stats: sandbox.stats(), lines: stdout.split("\n").filter((l) => l !== "") };
  } finally {
    disposeChecked(sandbox);
  }
  return run;
}

/** dispose() frees the QuickJS runtime, which throws if any QuickJS value leaked */
export function disposeChecked(sandbox: Sandbox): void {
  expect(() => sandbox.dispose()).not.toThrow();
}

/** a run that must succeed: returns stdout lines, shows stderr/error on failure */
export async function expectOk(source: string | URL | { source: string; filename?: string }, options: SandboxOptions = {}): Promise<GuestRun> {
  const r = await runGuest(source, options);
  if (!r.ok) throw new Error(`guest failed: ${r.error?.stack}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  expect(r.stats.sockets).toBe(0);
  expect(r.stats.servers).toBe(0);
  expect(r.stats.liveHandles).toBe(0);
  expect(r.stats.guestHandles).toBe(0);
  return r;
}

export const LOOPBACK: SandboxOptions = { allowNet: ["127.0.0.1:*", "localhost:*", "[::1]:*"] };
