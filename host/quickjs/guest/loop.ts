/**
 * The guest half of the event loop: timers, immediates, process.nextTick and
 * queueMicrotask, run by the host one callback at a time.
 *
 * The host owns the real clock and the real timers. The guest keeps its own
 * timer list and tells the host only when the earliest deadline (or whether
 * anything is ref'ed) changes (`setTimer`, `setImmediates`). The host then
 * calls `runTimer(now)` / `runImmediate()` once per callback and runs QuickJS's
 * pending jobs after each, so microtasks run between callbacks as in Node.
 *
 * Order after each callback, as in Node: the nextTick queue, then microtasks
 * (promise jobs, run by the host). A nextTick queued from a microtask is run by
 * a microtask scheduled for that purpose.
 */
import type { RuntimeHost } from "./host.ts";

type Fn = (...args: unknown[]) => unknown;

export interface Loop {
  setTimeout(fn: Fn, ms?: number, ...args: unknown[]): Timeout;
  setInterval(fn: Fn, ms?: number, ...args: unknown[]): Timeout;
  setImmediate(fn: Fn, ...args: unknown[]): Immediate;
  clearTimeout(t: unknown): void;
  clearInterval(t: unknown): void;
  clearImmediate(t: unknown): void;
  queueMicrotask(fn: () => void): void;
  /**
   * process.nextTick's queue (globals.ts), the arguments spelled out: `argc` is
   * 0, 1 or 2 with the arguments in `a` and `b`, or ARGS_ARRAY with all of them
   * as an array in `a`.
   */
  queueTick(fn: Fn, argc: number, a: unknown, b: unknown): void;
  /** run `fn` as one host callback: errors go to `uncaught`, then the tick queue is drained */
  enter(fn: () => void): void;
  /**
   * enter() for one host event: `sink.deliver(h, ev, a, b, c, d)`, without the
   * closure per event that enter() would take (about 0.5 µs in QuickJS)
   */
  event(sink: EventSink, h: number, ev: number, a: unknown, b: unknown, c: unknown, d: unknown): void;
  /** run the earliest timer due at `now`; 1 when another one is due */
  runTimer(now: number): number;
  /** run one immediate of the current batch; 1 when the batch has more */
  runImmediate(): number;
  /** drain the nextTick queue (the host calls this after microtasks queued ticks) */
  runTicks(): void;
}

/** where event() delivers (the guest's net backend) */
export interface EventSink {
  deliver(h: number, ev: number, a: unknown, b: unknown, c: unknown, d: unknown): void;
}

let nextId = 1;

function noop(): void {}

/** queueTick's `argc` when the arguments are an array in `a` */
export const ARGS_ARRAY = -1;

/** slots per tick in the queue: fn, argc, a, b */
const TICK = 4;

/** slots run before the tick queue drops its run prefix */
const DRAIN_COMPACT = 4096;

export class Timeout {
  readonly #loop: LoopImpl;
  readonly id = nextId++;
  when = 0;
  /** `_idleTimeout` in Node; -1 once cleared */
  ms: number;
  readonly repeat: boolean;
  readonly fn: Fn;
  readonly args: unknown[];
  refed = true;

  constructor(loop: LoopImpl, fn: Fn, ms: number, repeat: boolean, args: unknown[]) {
    this.#loop = loop;
    this.fn = fn;
    this.ms = ms;
    this.repeat = repeat;
    this.args = args;
  }
  ref(): this {
    this.refed = true;
    this.#loop.sync();
    return this;
  }
  unref(): this {
    this.refed = false;
    this.#loop.sync();
    return this;
  }
  hasRef(): boolean {
    return this.refed;
  }
  refresh(): this {
    if (this.#loop.timers.has(this.id)) {
      this.when = Date.now() + this.ms;
      this.#loop.sync();
    }
    return this;
  }
  close(): this {
    this.#loop.clear(this);
    return this;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

export class Immediate {
  readonly fn: Fn;
  readonly args: unknown[];
  refed = true;
  cleared = false;
  readonly #loop: LoopImpl;
  constructor(loop: LoopImpl, fn: Fn, args: unknown[]) {
    this.#loop = loop;
    this.fn = fn;
    this.args = args;
  }
  ref(): this {
    this.refed = true;
    this.#loop.syncImmediates();
    return this;
  }
  unref(): this {
    this.refed = false;
    this.#loop.syncImmediates();
    return this;
  }
  hasRef(): boolean {
    return this.refed;
  }
}

function checkCallback(fn: unknown): asserts fn is Fn {
  if (typeof fn !== "function") {
    const err = new TypeError(`The "callback" argument must be of type function. Received ${describe(fn)}`);
    (err as { code?: string }).code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "object") return "an instance of " + ((v as object).constructor?.name ?? "Object");
  return `type ${typeof v} (${String(v)})`;
}

/** Node clamps delays outside 1..2^31-1 to 1 */
function delay(ms: unknown): number {
  const n = Number(ms);
  return n >= 1 && n <= 0x7fffffff ? Math.trunc(n) : 1;
}

class LoopImpl implements Loop {
  readonly timers = new Map<number, Timeout>();
  readonly #host: RuntimeHost;
  readonly #uncaught: (err: unknown) => void;
  #reportedDeadline = -1;
  #reportedRef = false;
  #immediates: Immediate[] = [];
  #batch = 0;
  #reportedImm = false;
  #reportedImmRef = false;
  /**
   * TICK slots per tick: fn, argc, a, b. Flat, with up to two arguments in
   * place, because nextTick is on every hot path of readable-stream (most of
   * its calls pass one or two arguments) and QuickJS pays for every array.
   */
  #ticks: unknown[] = [];
  #inEntry = false;
  #ticksReported = false;

  constructor(host: RuntimeHost, uncaught: (err: unknown) => void) {
    this.#host = host;
    this.#uncaught = uncaught;
  }

  // ---- timers ----------------------------------------------------------------

  #add(fn: unknown, ms: unknown, repeat: boolean, args: unknown[]): Timeout {
    checkCallback(fn);
    const t = new Timeout(this, fn, delay(ms), repeat, args);
    t.when = Date.now() + t.ms;
    this.timers.set(t.id, t);
    this.sync();
    return t;
  }
  setTimeout(fn: Fn, ms?: number, ...args: unknown[]): Timeout {
    return this.#add(fn, ms, false, args);
  }
  setInterval(fn: Fn, ms?: number, ...args: unknown[]): Timeout {
    return this.#add(fn, ms, true, args);
  }
  clear(t: unknown): void {
    const id = t instanceof Timeout ? t.id : typeof t === "number" || typeof t === "string" ? Number(t) : NaN;
    const timer = this.timers.get(id);
    if (timer === undefined) return;
    this.timers.delete(id);
    timer.ms = -1;
    this.sync();
  }
  clearTimeout(t: unknown): void {
    this.clear(t);
  }
  clearInterval(t: unknown): void {
    this.clear(t);
  }

  /** tell the host when the earliest deadline or the ref state changed */
  sync(): void {
    let deadline = -1;
    let refed = false;
    for (const t of this.timers.values()) {
      if (deadline < 0 || t.when < deadline) deadline = t.when;
      if (t.refed) refed = true;
    }
    if (deadline !== this.#reportedDeadline || refed !== this.#reportedRef) {
      this.#reportedDeadline = deadline;
      this.#reportedRef = refed;
      this.#host.setTimer(deadline, refed);
    }
  }

  runTimer(now: number): number {
    let due: Timeout | undefined;
    for (const t of this.timers.values()) {
      if (t.when <= now && (due === undefined || t.when < due.when)) due = t;
    }
    if (due === undefined) {
      this.sync();
      return 0;
    }
    const t = due;
    if (t.repeat) t.when = Math.max(now, t.when) + t.ms;
    else this.timers.delete(t.id);
    this.enter(() => {
      t.fn.apply(t, t.args);
    });
    for (const other of this.timers.values()) {
      if (other.when <= now) return 1;
    }
    this.sync();
    return 0;
  }

  // ---- immediates ------------------------------------------------------------

  setImmediate(fn: Fn, ...args: unknown[]): Immediate {
    checkCallback(fn);
    const im = new Immediate(this, fn, args);
    this.#immediates.push(im);
    this.syncImmediates();
    return im;
  }
  clearImmediate(im: unknown): void {
    if (!(im instanceof Immediate) || im.cleared) return;
    im.cleared = true;
    const i = this.#immediates.indexOf(im);
    if (i >= 0) {
      this.#immediates.splice(i, 1);
      if (i < this.#batch) this.#batch--;
    }
    this.syncImmediates();
  }
  syncImmediates(): void {
    const pending = this.#immediates.length > 0;
    const refed = this.#immediates.some((im) => im.refed);
    if (pending !== this.#reportedImm || refed !== this.#reportedImmRef) {
      this.#reportedImm = pending;
      this.#reportedImmRef = refed;
      this.#host.setImmediates(pending, refed);
    }
  }
  runImmediate(): number {
    if (this.#batch === 0) this.#batch = this.#immediates.length;
    const im = this.#immediates.shift();
    if (im === undefined) {
      this.#batch = 0;
      this.syncImmediates();
      return 0;
    }
    this.#batch--;
    im.cleared = true;
    this.enter(() => {
      im.fn.apply(undefined, im.args);
    });
    this.syncImmediates();
    return this.#batch > 0 ? 1 : 0;
  }

  // ---- ticks and microtasks --------------------------------------------------

  queueMicrotask(fn: () => void): void {
    checkCallback(fn);
    Promise.resolve().then(() => {
      try {
        fn();
      } catch (err) {
        this.#uncaught(err);
      }
    });
  }

  queueTick(fn: Fn, argc: number, a: unknown, b: unknown): void {
    checkCallback(fn);
    this.#ticks.push(fn, argc, a, b);
    // Outside a callback (top-level code, a microtask), the host drains the
    // queue once the microtasks ran, as Node does after an ES module's body.
    if (!this.#inEntry && !this.#ticksReported) {
      this.#ticksReported = true;
      this.#host.ticksPending();
    }
  }

  runTicks(): void {
    this.#ticksReported = false;
    this.enter(noop);
  }

  #drainTicks(): void {
    // index walk: ticks queued while draining run in the same pass. A run entry
    // is cleared at once, and the run prefix dropped every DRAIN_COMPACT entries,
    // so a long chain of ticks (each queueing the next) holds no memory for the
    // ticks already run.
    let i = 0;
    const q = this.#ticks;
    while (i < q.length) {
      const fn = q[i] as Fn;
      const argc = q[i + 1] as number;
      const a = q[i + 2];
      const b = q[i + 3];
      q[i] = undefined;
      q[i + 2] = undefined;
      q[i + 3] = undefined;
      i += TICK;
      if (i >= DRAIN_COMPACT) {
        q.splice(0, i);
        i = 0;
      }
      try {
        // as Node's tick runner: no `this`, and exactly the arguments given
        if (argc === 0) fn();
        else if (argc === 1) fn(a);
        else if (argc === 2) fn(a, b);
        else fn.apply(undefined, a as unknown[]);
      } catch (err) {
        this.#uncaught(err);
      }
    }
    q.length = 0;
  }

  event(sink: EventSink, h: number, ev: number, a: unknown, b: unknown, c: unknown, d: unknown): void {
    const outer = this.#inEntry;
    this.#inEntry = true;
    try {
      sink.deliver(h, ev, a, b, c, d);
    } catch (err) {
      this.#uncaught(err);
    }
    if (!outer) {
      this.#drainTicks();
      this.#inEntry = false;
    }
  }

  enter(fn: () => void): void {
    const outer = this.#inEntry;
    this.#inEntry = true;
    try {
      fn();
    } catch (err) {
      this.#uncaught(err);
    }
    if (!outer) {
      this.#drainTicks();
      this.#inEntry = false;
    }
  }
}

export function createLoop(host: RuntimeHost, uncaught: (err: unknown) => void): Loop {
  return new LoopImpl(host, uncaught);
}
