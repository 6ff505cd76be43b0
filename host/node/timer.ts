/**
 * The core's clock on Node: one unref'ed Node timer kept at or before the
 * core's `nextDeadline()` (Node's socket timeouts do not keep the loop alive
 * either). `used` stays false until some socket asks for a timeout, so a
 * driver without timeouts never reads the deadline.
 */
import type { CoreApi } from "../core/api.ts";

export const now = (): number => Math.floor(performance.now());

export class CoreTimer {
  readonly #core: CoreApi;
  readonly #fired: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #armedAt = Infinity;
  #disposed = false;
  /** some socket asked for a timeout: follow the core's deadline after each pump */
  used = false;

  /** `fired` runs after `core.tick(now)`, to drain what the tick produced. */
  constructor(core: CoreApi, fired: () => void) {
    this.#core = core;
    this.#fired = fired;
  }

  arm(): void {
    if (!this.used || this.#disposed) return;
    const d = this.#core.nextDeadline();
    if (d < 0 || d >= this.#armedAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#armedAt = d;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, d - now()));
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    this.#armedAt = Infinity;
    if (this.#disposed) return;
    this.#core.tick(now());
    this.#fired();
  };

  dispose(): void {
    this.#disposed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
