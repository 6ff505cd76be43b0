// The fast guest -> host call path (host/quickjs/host-calls.ts): it must be
// installed with the pinned quickjs-emscripten (a silent fallback would cost
// about 8 µs per host call), and behave as the library's path: arguments in,
// a result or a guest exception with `code` out, nothing leaked.
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle } from "quickjs-emscripten";
import { describe, expect, test } from "vitest";
import { guestErrorHandle, HostCallError } from "../../host/quickjs/bridge.ts";
import { defineHostFunction, installFastHostCalls } from "../../host/quickjs/host-calls.ts";
import { EntryCaller } from "../../host/quickjs/entry-calls.ts";
import { GuestHeap } from "../../host/quickjs/heap.ts";
import { LOOPBACK, runGuest } from "./helpers.ts";

type CFn = (...a: number[]) => number;

async function withContext(body: (ctx: QuickJSContext, slowCalls: () => number) => void): Promise<void> {
  const wasm = await newQuickJSWASMModule(RELEASE_SYNC);
  const rt = wasm.newRuntime();
  const ctx = rt.newContext();
  // count the calls that reach the library's own callback
  const cb = (ctx as unknown as { cToHostCallbacks: { callFunction: CFn } }).cToHostCallbacks;
  const lib = cb.callFunction;
  let slow = 0;
  cb.callFunction = (...a) => {
    slow++;
    return lib(...a);
  };
  try {
    body(ctx, () => slow);
  } finally {
    ctx.dispose();
    rt.dispose(); // aborts on a leaked value
  }
}

function evalString(ctx: QuickJSContext, code: string): string {
  const r = ctx.evalCode(code);
  if (r.error) {
    const e = ctx.dump(r.error);
    r.error.dispose();
    throw new Error(JSON.stringify(e));
  }
  const s = String(ctx.dump(r.value));
  r.value.dispose();
  return s;
}

describe("fast host calls", () => {
  test("are installed, and calls with results, errors and fallbacks behave as the library's", async () => {
    await withContext((ctx, slowCalls) => {
      expect(installFastHostCalls(ctx, (e) => guestErrorHandle(ctx, e))).toBe(true);
      const host = ctx.newObject();
      defineHostFunction(ctx, host, "add", ([a, b]) => ctx.newNumber(ctx.getNumber(a!) + ctx.getNumber(b!)), (e) => guestErrorHandle(ctx, e));
      defineHostFunction(ctx, host, "nothing", () => undefined, (e) => guestErrorHandle(ctx, e));
      defineHostFunction(ctx, host, "refuse", () => {
        throw new HostCallError("ERR_INVALID_HANDLE", "no such handle");
      }, (e) => guestErrorHandle(ctx, e));
      let kept: QuickJSHandle | null = null;
      defineHostFunction(ctx, host, "keep", ([f]) => {
        kept = f!.dup();
        return undefined;
      }, (e) => guestErrorHandle(ctx, e));
      // a function made by the library itself still takes the library's path
      const plain = ctx.newFunction("plain", () => ctx.newString("plain"));
      ctx.setProp(host, "plain", plain);
      plain.dispose();
      ctx.setProp(ctx.global, "host", host);
      host.dispose();

      expect(evalString(ctx, "String(host.add(2, 40))")).toBe("42");
      expect(evalString(ctx, "String(host.nothing())")).toBe("undefined");
      expect(evalString(ctx, "try { host.refuse(); 'no' } catch (e) { e.code + ' ' + e.message + ' ' + (e instanceof Error) }")).toBe(
        "ERR_INVALID_HANDLE no such handle true",
      );
      evalString(ctx, "host.keep(function () { return 7; })");
      expect(slowCalls()).toBe(0);
      const r = ctx.callFunction(kept!, ctx.undefined);
      expect(ctx.getNumber(ctx.unwrapResult(r))).toBe(7);
      ctx.unwrapResult(r).dispose();
      (kept as QuickJSHandle | null)?.dispose();
      expect(evalString(ctx, "host.plain()")).toBe("plain");
      expect(slowCalls()).toBe(1);
      // many calls leave nothing behind (the runtime's dispose checks)
      expect(evalString(ctx, "let s = 0; for (let i = 0; i < 10000; i++) s += host.add(i, 1); String(s)")).toBe(String(50005000));
    });
  });
});

describe("entry calls (host -> guest)", () => {
  test("pass int slots and handles, return ints, hand back what the guest threw, and leak nothing", async () => {
    await withContext((ctx) => {
      const caller = EntryCaller.create(ctx, GuestHeap.calibrate(ctx));
      expect(caller).not.toBeNull();
      const fn = ctx.unwrapResult(ctx.evalCode(`(function (a, b, s) {
        if (a === -7) throw Object.assign(new RangeError("no " + b), { code: "ERR_X" });
        if (s !== undefined) return s.length * 1000 + a + b;
        return a === 0 ? 1.5 : a + b;
      })`));
      const text = ctx.newString("hello");
      try {
        expect(caller!.call(fn, [40, 2])).toBe(42);
        expect(caller!.call(fn, [-2147483648, 0])).toBe(-2147483648);
        expect(caller!.call(fn, [1, 2, text])).toBe(5003);
        // a result that is not an int32 reads as 0, as the sandbox's entries expect
        expect(caller!.call(fn, [0, 0])).toBe(0);
        const r = caller!.call(fn, [-7, 9]);
        expect(typeof r).toBe("object");
        const err = (r as { error: QuickJSHandle }).error;
        expect(ctx.dump(err)).toMatchObject({ name: "RangeError", message: "no 9" });
        expect(ctx.getProp(err, "code").consume((c) => ctx.getString(c))).toBe("ERR_X");
        err.dispose();
        let sum = 0;
        for (let i = 0; i < 20000; i++) sum += caller!.call(fn, [i, 1]) as number;
        // i = 0 returns 1.5, which reads as 0
        expect(sum).toBe(200009999);
      } finally {
        text.dispose();
        fn.dispose();
        caller!.dispose();
      }
    });
  });

  test("a sandbox delivers its events through them, not through the library's callFunction", async () => {
    const probe = (await newQuickJSWASMModule(RELEASE_SYNC)).newContext();
    const proto = Object.getPrototypeOf(probe) as { callFunction: (...a: unknown[]) => unknown };
    probe.dispose();
    const lib = proto.callFunction;
    let libraryCalls = 0;
    proto.callFunction = function (this: unknown, ...a: unknown[]) {
      libraryCalls++;
      return lib.apply(this, a);
    };
    try {
      const r = await runGuest(`import net from "net";
        const srv = net.createServer((s) => s.end("pong"));
        srv.listen(0, "127.0.0.1", () => {
          const c = net.connect(srv.address().port, "127.0.0.1");
          c.setEncoding("utf8");
          c.on("data", (d) => console.log(d));
          c.on("close", () => { srv.close(); setTimeout(() => console.log("timer"), 1); setImmediate(() => console.log("immediate")); });
        });`, LOOPBACK);
      expect(r.ok).toBe(true);
      expect(r.lines).toEqual(["pong", "immediate", "timer"]);
      expect(libraryCalls).toBe(0);
    } finally {
      proto.callFunction = lib;
    }
  });
});
