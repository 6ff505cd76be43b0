/**
 * The guest bundle's entry (built by scripts/build-guest.mjs): installs the
 * globals, builds `net` over the host functions, registers the entry points
 * the host calls, and publishes the built-in modules for the module loader
 * (`import net from "net"`) and for `require("net")` in bundled CommonJS code.
 */
import { host, loop, process } from "./globals.ts";
import * as bufferModule from "node:buffer";
import events from "node:events";
import stream from "node:stream";
import * as stringDecoder from "node:string_decoder";
import { createGuestNet } from "../../../ts-api/guest.ts";
import { MODULES_KEY } from "./host.ts";

const { net, backend } = createGuestNet(host);

const timers = {
  setTimeout,
  setInterval,
  setImmediate,
  clearTimeout,
  clearInterval,
  clearImmediate,
};

const modules: Record<string, unknown> = {
  net,
  events,
  buffer: bufferModule,
  stream,
  string_decoder: stringDecoder,
  timers,
  process,
};

Object.defineProperty(globalThis, Symbol.for(MODULES_KEY), { value: modules, enumerable: false });

function require(name: string): unknown {
  const key = String(name).replace(/^node:/, "");
  if (Object.prototype.hasOwnProperty.call(modules, key)) return modules[key];
  const err = new Error(`Cannot find module '${name}'`);
  (err as { code?: string }).code = "MODULE_NOT_FOUND";
  throw err;
}
Object.defineProperty(globalThis, "require", { value: require, writable: true, configurable: true, enumerable: false });

host.register(
  (h: number, ev: number, a?: unknown, b?: unknown, c?: unknown, d?: unknown) => {
    loop.event(backend, h, ev, a, b, c, d);
  },
  (now: number) => loop.runTimer(now),
  () => loop.runImmediate(),
  () => loop.runTicks(),
);
