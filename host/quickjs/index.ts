/**
 * wasock/quickjs: run scripts inside QuickJS sandboxes that get Node's `net`
 * under the embedder's policy. See docs/quickjs.md.
 */
import { DEBUG_SYNC, newQuickJSWASMModule, newVariant, RELEASE_SYNC, type CustomizeVariantOptions } from "quickjs-emscripten";
import { Core } from "../core/core.ts";
import { NodeDriver } from "../node/driver.ts";
import { policyFrom } from "../policy.ts";
import type { SandboxDriver } from "./bridge.ts";
import { resolveOptions, type ResolvedOptions, type SandboxOptions } from "./options.ts";
import { Sandbox } from "./sandbox.ts";
import { ChunkPool } from "./chunks.ts";

export { Sandbox } from "./sandbox.ts";
export type { RunInput, RunResult, SandboxStats } from "./sandbox.ts";
export type { Output, SandboxOptions } from "./options.ts";
export { GuestError } from "./guest-error.ts";

function createDriver(o: ResolvedOptions, chunks: ChunkPool): SandboxDriver {
  const p = o.policyInput;
  const policy = "connect" in p ? p : policyFrom(p);
  const core = Core.create({ policy, quotas: o.quotas });
  return new NodeDriver({ core, releaseChunk: (c) => chunks.release(c) }) as unknown as SandboxDriver;
}

/**
 * A new sandbox with its own QuickJS runtime (in its own wasm instance, so
 * memories are separate and a QuickJS abort stays inside it) and its own
 * socket core, policy and quotas. Everything is denied unless `allowNet` says
 * otherwise.
 */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const opts = resolveOptions(options);
  // Emscripten's own messages (an abort while freeing the runtime) go to the
  // sandbox, not to the process's stderr.
  const diagnostics: string[] = [];
  const base = process.env.WASOCK_QUICKJS_DEBUG === "1" ? DEBUG_SYNC : RELEASE_SYNC;
  // print/printErr are Emscripten Module options that the loader passes on verbatim
  const emscriptenModule = { printErr: (text: string) => void diagnostics.push(text), print: (text: string) => void diagnostics.push(text) };
  const variant = newVariant(base, { emscriptenModule: emscriptenModule as unknown as CustomizeVariantOptions["emscriptenModule"] });
  const wasm = await newQuickJSWASMModule(variant);
  const chunks = new ChunkPool();
  return new Sandbox(wasm, opts, createDriver(opts, chunks), diagnostics, chunks);
}
export { allowFlagFor, ruleFor } from "../policy.ts";
