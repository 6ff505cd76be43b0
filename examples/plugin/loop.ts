/**
 * The plugin's event loop pieces: a `process` object with `nextTick`, and a
 * `queueMicrotask` that uses the same queue. A componentize-qjs component has
 * neither, and the QuickJS runtime runs its own job queue only between export
 * calls, so the plugin drains this queue itself between polls (`runTicks`).
 * No timers: ts-api needs none (the core keeps the idle timers).
 */
type Fn = (...args: unknown[]) => unknown;

const queue: Array<[Fn, unknown[]]> = [];
/** errors thrown by callbacks, reported by the plugin instead of trapping */
export const uncaught: unknown[] = [];

export const processShim = {
  nextTick(fn: Fn, ...args: unknown[]): void {
    queue.push([fn, args]);
  },
  env: {} as Record<string, string>,
  argv: [] as string[],
  version: "v20.0.0",
  versions: {} as Record<string, string>,
  platform: "wasi",
  browser: false,
  emitWarning(): void {},
  cwd: () => "/",
};

const g = globalThis as Record<string, unknown>;
if (g.process === undefined) g.process = processShim;
g.queueMicrotask = (fn: () => void) => queue.push([fn, []]);

/** Runs queued callbacks until the queue is empty. */
export function runTicks(): void {
  while (queue.length > 0) {
    const [fn, args] = queue.shift()!;
    try {
      fn(...args);
    } catch (err) {
      uncaught.push(err);
    }
  }
}

export function ticksPending(): boolean {
  return queue.length > 0;
}
