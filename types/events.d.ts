// Guest-script types for the `events` module of a wasock sandbox.
// The sandbox bundles the `events` npm package (v3), so this declares that package's
// surface, which is a subset of Node's node:events.

declare module "events" {
  /** A listener for an event that wasock does not type more precisely. */
  type Listener = (...args: any[]) => void;

  /**
   * Node's EventEmitter, as shipped by the `events` package. `net.Server` extends it
   * and `net.Socket` inherits it through `stream.Duplex`.
   */
  class EventEmitter {
    constructor();
    /** Listeners per emitter before a leak warning is printed (10). */
    static defaultMaxListeners: number;
    /** @deprecated Use `emitter.listenerCount(eventName)`. */
    static listenerCount(emitter: EventEmitter, eventName: string | symbol): number;
    /**
     * Resolves with the arguments of the next `eventName` event; rejects if `'error'`
     * comes first.
     */
    static once(emitter: EventEmitter, eventName: string | symbol): Promise<any[]>;

    /** Adds `listener` at the end of the listener list of `eventName`. */
    addListener(eventName: string | symbol, listener: Listener): this;
    /** Alias of `addListener`. */
    on(eventName: string | symbol, listener: Listener): this;
    /** Adds `listener` for the next `eventName` only. */
    once(eventName: string | symbol, listener: Listener): this;
    /** Adds `listener` at the start of the listener list. */
    prependListener(eventName: string | symbol, listener: Listener): this;
    /** Adds a one-time `listener` at the start of the listener list. */
    prependOnceListener(eventName: string | symbol, listener: Listener): this;
    /** Removes the most recently added instance of `listener`. */
    removeListener(eventName: string | symbol, listener: Listener): this;
    /** Alias of `removeListener`. */
    off(eventName: string | symbol, listener: Listener): this;
    /** Removes every listener, or every listener of `eventName`. */
    removeAllListeners(eventName?: string | symbol): this;
    /** Calls each listener of `eventName` synchronously; true if there was one. */
    emit(eventName: string | symbol, ...args: any[]): boolean;
    setMaxListeners(n: number): this;
    getMaxListeners(): number;
    /** A copy of the listeners of `eventName`. */
    listeners(eventName: string | symbol): Function[];
    /** As `listeners`, including the `once` wrappers. */
    rawListeners(eventName: string | symbol): Function[];
    listenerCount(eventName: string | symbol): number;
    /** The names of the events that have listeners. */
    eventNames(): Array<string | symbol>;
  }

  /** Resolves with the arguments of the next `eventName` event (see `EventEmitter.once`). */
  const once: typeof EventEmitter.once;
  /** See `EventEmitter.defaultMaxListeners`. */
  const defaultMaxListeners: number;
  /** @deprecated Use `emitter.listenerCount(eventName)`. */
  const listenerCount: typeof EventEmitter.listenerCount;

  export { EventEmitter, once, defaultMaxListeners, listenerCount };
  export default EventEmitter;
}

declare module "node:events" {
  export * from "events";
  export { default } from "events";
}
