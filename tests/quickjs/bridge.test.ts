// Event arguments across the bridge: objects as JSON text (parsed back by the
// guest backend), absent JSON slots as null, bytes as ArrayBuffers.
import { newQuickJSWASMModule, RELEASE_SYNC } from "quickjs-emscripten";
import { describe, expect, test } from "vitest";
import { BEv } from "../../host/backend.ts";
import { NetBridge, release, type SandboxDriver } from "../../host/quickjs/bridge.ts";
import { GuestBackend, type NetHost } from "../../ts-api/guest.ts";

/** the handles the host would pass for (h, ev, ...args), as the guest receives them */
async function crossing(ev: BEv, args: unknown[]): Promise<unknown[]> {
  const wasm = await newQuickJSWASMModule(RELEASE_SYNC);
  const rt = wasm.newRuntime();
  const ctx = rt.newContext();
  try {
    const bridge = new NetBridge(ctx, {} as SandboxDriver);
    const hs = bridge.eventArgs(5, ev, args);
    // numbers cross as themselves (the sandbox writes them as int slots or makes them guest numbers)
    const out = hs.map((h) => (typeof h === "number" ? h : ctx.typeof(h) === "object" && h !== ctx.null ? new Uint8Array(ctx.getArrayBuffer(h).value) : ctx.dump(h)));
    release(ctx, hs);
    return out;
  } finally {
    ctx.dispose();
    rt.dispose();
  }
}

function delivered(ev: BEv, crossed: unknown[]): unknown[] {
  let got: unknown[] = [];
  const backend = new GuestBackend({} as NetHost);
  backend.setDispatch((...a) => {
    got = a;
  });
  backend.deliver(crossed[0] as number, crossed[1] as BEv, ...crossed.slice(2));
  return got;
}

describe("bridge event arguments", () => {
  test("Resolved: the address list arrives as an array, the name as a string", async () => {
    const list = [
      { address: "::1", family: 6 },
      { address: "127.0.0.1", family: 4 },
    ];
    const crossed = await crossing(BEv.Resolved, [list, "localhost"]);
    expect(typeof crossed[2]).toBe("string");
    expect(delivered(BEv.Resolved, crossed)).toEqual([5, BEv.Resolved, list, "localhost", undefined, undefined]);
  });

  test("an absent JSON argument arrives as null; other objects as parsed JSON", async () => {
    expect(await crossing(BEv.Connect, [])).toEqual([5, BEv.Connect, null]);
    expect(delivered(BEv.Connect, [5, BEv.Connect, null])).toEqual([5, BEv.Connect, null, undefined, undefined, undefined]);
    const info = { code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 1 };
    const crossed = await crossing(BEv.Error, [info]);
    expect(delivered(BEv.Error, crossed)[2]).toEqual(info);
  });

  test("Data arrives as a Buffer over the crossed bytes", async () => {
    const crossed = await crossing(BEv.Data, [new Uint8Array([1, 2, 3])]);
    const ab = (crossed[2] as Uint8Array).slice().buffer;
    const got = delivered(BEv.Data, [5, BEv.Data, ab]);
    const { Buffer } = await import("node:buffer");
    expect(Buffer.isBuffer(got[2])).toBe(true);
    expect([...(got[2] as Uint8Array)]).toEqual([1, 2, 3]);
  });
});
