/**
 * The driver's queue of script events: Backend events are never dispatched
 * from inside a Backend call. They are queued (6 slots each: h, ev, a..d) and
 * flushed at the end of the node:net callback that produced them, or on the
 * next tick; a dispatch that calls back into the driver only appends to the
 * queue being flushed. A listener that throws leaves the rest for the next tick.
 */
import { BEv } from "../backend.ts";
import type { Dispatch } from "../backend.ts";
import { noop } from "./handles.ts";

export class EventQueue {
  dispatch: Dispatch = noop;
  #q: unknown[] = [];
  #flushing = false;
  #flushScheduled = false;

  /** Forgets what is queued; dispatches nothing more. */
  clear(): void {
    this.#q.length = 0;
    this.dispatch = noop;
  }

  scheduleFlush(): void {
    if (this.#q.length !== 0 && !this.#flushing && !this.#flushScheduled) {
      this.#flushScheduled = true;
      process.nextTick(this.#flushTick);
    }
  }

  readonly #flushTick = (): void => {
    this.#flushScheduled = false;
    this.flush();
  };

  out(h: number, ev: BEv, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
    this.#q.push(h, ev, a, b, c, d);
  }

  /** Dispatches queued script events in order; events queued meanwhile are dispatched too. */
  flush(): void {
    if (this.#flushing) return;
    const q = this.#q;
    if (q.length === 0) return;
    this.#flushing = true;
    let i = 0;
    try {
      for (; i < q.length; i += 6) {
        this.dispatch(q[i] as number, q[i + 1] as BEv, q[i + 2], q[i + 3], q[i + 4], q[i + 5]);
      }
      q.length = 0;
    } finally {
      this.#flushing = false;
      if (q.length !== 0) {
        // A listener threw: keep what was not dispatched for the next tick.
        q.splice(0, i + 6);
        if (q.length !== 0 && !this.#flushScheduled) {
          this.#flushScheduled = true;
          process.nextTick(this.#flushTick);
        }
      }
    }
  }

  /** Dispatches one Data event now when nothing is queued ahead of it (the hot read path). */
  deliver(h: number, chunk: Buffer): void {
    if (this.#flushing || this.#q.length !== 0) {
      this.out(h, BEv.Data, chunk);
      this.flush();
      return;
    }
    this.#flushing = true;
    try {
      this.dispatch(h, BEv.Data, chunk);
    } finally {
      this.#flushing = false;
    }
    if (this.#q.length !== 0) this.flush();
  }
}
