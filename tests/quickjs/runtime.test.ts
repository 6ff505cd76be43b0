// The sandbox runtime without sockets: loop order, timers, globals, modules,
// exit codes and uncaught errors.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, test } from "vitest";
import { createSandbox } from "../../host/quickjs/index.ts";
import { disposeChecked, expectOk, runGuest } from "./helpers.ts";

describe("event loop", () => {
  test("runs nextTick, microtasks, immediates and timers in Node's order", async () => {
    const r = await expectOk(`
      const log = [];
      // 25 ms, not less: Node counts each timer from the time of its own call, so a
      // slow guest (a loaded machine) could reach the next line after a short one expired
      setTimeout(() => log.push("timeout 25"), 25);
      setTimeout(() => { log.push("timeout 0"); process.nextTick(() => log.push("tick in timeout")); Promise.resolve().then(() => log.push("micro in timeout")); }, 0);
      setImmediate(() => log.push("immediate"));
      Promise.resolve().then(() => { log.push("micro"); process.nextTick(() => log.push("tick from micro")); });
      process.nextTick(() => log.push("tick"));
      queueMicrotask(() => log.push("queueMicrotask"));
      log.push("sync");
      setTimeout(() => console.log(JSON.stringify(log)), 60);
    `);
    const log = JSON.parse(r.lines[0]!) as string[];
    expect(log.slice(0, 5)).toEqual(["sync", "micro", "queueMicrotask", "tick", "tick from micro"]);
    expect(log).toContain("immediate");
    expect(log.indexOf("tick in timeout")).toBe(log.indexOf("timeout 0") + 1);
    expect(log.indexOf("micro in timeout")).toBe(log.indexOf("timeout 0") + 2);
    expect(log.indexOf("timeout 25")).toBeGreaterThan(log.indexOf("timeout 0"));
  });

  test("timers fire in deadline order; clearTimeout and clearInterval work", async () => {
    const r = await expectOk(`
      const out = [];
      setTimeout(() => out.push("c"), 30);
      setTimeout(() => out.push("a"), 10);
      const cancelled = setTimeout(() => out.push("never"), 15);
      clearTimeout(cancelled);
      setTimeout(() => out.push("b"), 20, "arg");
      let n = 0;
      let ended = 0;
      const end = () => { if (++ended === 2) console.log(out.join(",")); };
      const iv = setInterval(() => { out.push("i" + ++n); if (n === 3) { clearInterval(iv); end(); } }, 5);
      setTimeout(end, 31);
    `);
    const out = r.lines[0]!.split(",");
    expect(out.filter((x) => !x.startsWith("i"))).toEqual(["a", "b", "c"]);
    expect(out.filter((x) => x.startsWith("i"))).toEqual(["i1", "i2", "i3"]);
  });

  test("timer arguments, refresh, hasRef, and a number id for clearTimeout", async () => {
    const r = await expectOk(`
      const t = setTimeout((a, b) => console.log("args", a, b), 5, 1, "two");
      console.log(typeof t.ref, t.hasRef(), typeof +t);
      const u = setTimeout(() => console.log("never"), 5);
      clearTimeout(+u);
    `);
    expect(r.lines).toEqual(["function true number", "args 1 two"]);
  });

  test("the loop ends when only unref'ed timers are left", async () => {
    const t0 = Date.now();
    const r = await expectOk(`
      setTimeout(() => console.log("never"), 5000).unref();
      setInterval(() => console.log("never"), 10).unref();
      console.log("done");
    `);
    expect(r.lines).toEqual(["done"]);
    expect(Date.now() - t0).toBeLessThan(4000);
  });

  test("clearImmediate cancels an immediate", async () => {
    const r = await expectOk(`
      const im = setImmediate(() => console.log("never"));
      setImmediate(() => console.log("second"));
      clearImmediate(im);
    `);
    expect(r.lines).toEqual(["second"]);
  });

  test("setTimeout without a function throws ERR_INVALID_ARG_TYPE", async () => {
    const r = await expectOk(`
      try { setTimeout("code", 1); } catch (e) { console.log(e.code, e instanceof TypeError); }
    `);
    expect(r.lines).toEqual(["ERR_INVALID_ARG_TYPE true"]);
  });
});

describe("globals", () => {
  test("console formats like Node and goes to stdout/stderr", async () => {
    const r = await expectOk(`
      console.log("%s is %d years and %i days, %j", "x", 4.5, 3.9, { a: [1, "b"] });
      console.log({ a: 1, b: "two", c: [1, 2, { d: null }] }, [undefined], 5n);
      console.log(Buffer.from("hi"), new Map([[1, 2]]), new Set(["s"]));
      console.error("to stderr", 1);
      console.warn("warn");
    `);
    expect(r.lines).toEqual([
      'x is 4.5 years and 3 days, {"a":[1,"b"]}',
      "{ a: 1, b: 'two', c: [ 1, 2, { d: null } ] } [ undefined ] 5n",
      "<Buffer 68 69> Map(1) { 1 => 2 } Set(1) { 's' }",
    ]);
    expect(r.stderr).toBe("to stderr 1\nwarn\n");
  });

  test("TextEncoder, TextDecoder (streaming), Buffer, AbortController", async () => {
    const r = await expectOk(`
      const bytes = new TextEncoder().encode("héllo €");
      console.log(bytes.length, bytes instanceof Uint8Array);
      const d = new TextDecoder();
      console.log(d.decode(bytes.subarray(0, 8), { stream: true }) + "|" + d.decode(bytes.subarray(8)));
      console.log(Buffer.from("aGk=", "base64").toString(), Buffer.concat([Buffer.from("a"), Buffer.from("b")]).toString("hex"));
      const ac = new AbortController(); ac.abort(); console.log(ac.signal.aborted);
      try { new TextDecoder("latin2"); } catch (e) { console.log(e.code); }
    `);
    expect(r.lines).toEqual(["10 true", "héllo |€", "hi 6162", "true", "ERR_ENCODING_NOT_SUPPORTED"]);
  });

  test("performance.now() is sub-millisecond and monotonic", async () => {
    const r = await expectOk(`
      const a = performance.now(); let b = a; while (b === a) b = performance.now();
      console.log(typeof a, b > a, b - a < 5, Number.isInteger(a) && Number.isInteger(b) ? "integers" : "fractional");
    `);
    expect(r.lines).toEqual(["number true true fractional"]);
  });

  test("a minimal process: argv, env, nextTick, exitCode, hrtime, uptime", async () => {
    const r = await expectOk(`
      console.log(process.argv.slice(2).join(","), JSON.stringify(process.env), typeof process.hrtime.bigint(), process.uptime() >= 0, process.platform);
    `, { args: ["a", "b"], env: { K: "v" } });
    expect(r.lines).toEqual(['a,b {"K":"v"} bigint true linux']);
  });
});

describe("modules", () => {
  const root = mkdtempSync(join(tmpdir(), "wasock-mod-"));
  mkdirSync(join(root, "lib"));
  writeFileSync(join(root, "lib", "util.mjs"), `export const twice = (x) => x * 2; export default "util";`);
  writeFileSync(join(root, "data.json"), `{"n": 21}`);
  writeFileSync(join(root, "main.mjs"), `import u, { twice } from "./lib/util.mjs"; import data from "./data.json"; console.log(u, twice(data.n));`);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("built-ins as default and named imports, with and without node:", async () => {
    const r = await expectOk(`
      import net, { Socket, createServer, isIP } from "net";
      import * as nodeNet from "node:net";
      import EventEmitter, { once } from "events";
      import { Buffer as B } from "node:buffer";
      import { Duplex, Readable, PassThrough } from "stream";
      import { StringDecoder } from "node:string_decoder";
      console.log(net.Socket === Socket, nodeNet.default === net, typeof createServer, isIP("::1"));
      console.log(typeof EventEmitter, typeof once, B === Buffer, typeof Duplex, typeof Readable, typeof PassThrough);
      console.log(new StringDecoder("utf8").write(Buffer.from([0xe2, 0x82, 0xac])));
      console.log(new Socket() instanceof Duplex, require("node:net") === net);
    `);
    expect(r.lines).toEqual(["true true function 6", "function function true function function function", "€", "true true"]);
  });

  test("relative imports and JSON under the module root", async () => {
    const r = await expectOk(join(root, "main.mjs"), { root });
    expect(r.lines).toEqual(["util 42"]);
  });

  test("run() takes a file URL; a missing script file is an error, not source", async () => {
    const r = await expectOk(pathToFileURL(join(root, "main.mjs")), { root });
    expect(r.lines).toEqual(["util 42"]);
    const missing = await runGuest("nope/missing.mjs", { root });
    expect(missing.ok).toBe(false);
    expect(missing.error!.code).toBe("ERR_MODULE_NOT_FOUND");
  });

  test("imports outside the root and unknown packages are refused", async () => {
    const outside = await runGuest(`import x from "../../etc/passwd.mjs";`, { root });
    expect(outside.ok).toBe(false);
    expect(outside.error!.message).toMatch(/outside the module root/);
    const pkg = await runGuest(`import fs from "fs";`, { root });
    expect(pkg.ok).toBe(false);
    expect(pkg.error!.message).toMatch(/Cannot find package 'fs'/);
    const req = await runGuest(`require("child_process");`, { root });
    expect(req.ok).toBe(false);
    expect(req.error!.code).toBe("MODULE_NOT_FOUND");
  });
});

describe("exit and errors", () => {
  test("process.exitCode and process.exit(code) give the exit code", async () => {
    expect((await runGuest(`process.exitCode = 3;`)).exitCode).toBe(3);
    const r = await runGuest(`setTimeout(() => console.log("never"), 1000); process.on("exit", (c) => console.log("exit", c)); console.log("before"); process.exit(7); console.log("after");`);
    expect(r.exitCode).toBe(7);
    expect(r.lines).toEqual(["before", "exit 7"]);
  });

  test("'beforeExit' can schedule more work; 'exit' comes last with the exit code", async () => {
    const r = await expectOk(`
      let rounds = 0;
      process.on("beforeExit", (code) => { console.log("beforeExit", code, rounds); if (rounds++ < 2) setTimeout(() => console.log("more work"), 1); });
      process.on("exit", (code) => console.log("exit", code));
      process.exitCode = 5;
    `);
    expect(r.lines).toEqual(["beforeExit 5 0", "more work", "beforeExit 5 1", "more work", "beforeExit 5 2", "exit 5"]);
    expect(r.exitCode).toBe(5);
  });

  test("an uncaught error rejects run() with the guest's message, stack and code", async () => {
    const r = await runGuest(`
      function inner() { const e = new RangeError("boom"); e.code = "ERR_BOOM"; throw e; }
      setTimeout(function outer() { inner(); }, 1);
      setTimeout(() => console.log("never"), 50);
    `);
    expect(r.ok).toBe(false);
    expect(r.error!.name).toBe("RangeError");
    expect(r.error!.message).toBe("boom");
    expect(r.error!.code).toBe("ERR_BOOM");
    expect(r.error!.stack).toMatch(/inner/);
    expect(r.error!.stack).toMatch(/outer/);
    expect(r.lines).toEqual([]);
  });

  test("a top-level throw and a top-level await rejection reject run()", async () => {
    const a = await runGuest(`throw new TypeError("top");`);
    expect(a.error!.name).toBe("TypeError");
    const b = await runGuest(`await new Promise((_, rej) => setTimeout(() => rej(new Error("later")), 5));`);
    expect(b.error!.message).toBe("later");
  });

  test("a long chain of nextTicks in one callback holds no memory for the ticks already run", async () => {
    // each tick carries 2 KiB to the next one: 60k of them kept would be about
    // 120 MiB, past the 32 MiB limit; freed as they run, they need a few KiB
    const r = await expectOk(`
      let n = 0;
      function step(junk) {
        if (junk.length !== 256) throw new Error("bad junk");
        if (++n < 60000) process.nextTick(step, new Array(256).fill(n));
        else console.log("ticks", n);
      }
      process.nextTick(step, new Array(256).fill(0));
    `, { memoryLimit: 32 * 1024 * 1024, cpuBudgetMs: 60_000 });
    expect(r.lines).toEqual(["ticks 60000"]);
  }, 60_000);

  test("nextTick passes exactly the arguments given, with no this, in order", async () => {
    // up to two arguments are queued in place, more as an array: both paths
    const r = await expectOk(`
      "use strict";
      function show() { console.log(String(this), arguments.length, JSON.stringify([...arguments])); }
      process.nextTick(show);
      process.nextTick(show, undefined);
      process.nextTick(show, "a", 2);
      process.nextTick(show, 1, 2, 3, 4);
      process.nextTick(show, null, undefined, "x");
    `);
    expect(r.lines).toEqual([
      "undefined 0 []",
      "undefined 1 [null]",
      'undefined 2 ["a",2]',
      "undefined 4 [1,2,3,4]",
      'undefined 3 [null,null,"x"]',
    ]);
  });

  test("an error thrown in a nextTick or a microtask is uncaught", async () => {
    const a = await runGuest(`process.nextTick(() => { throw new Error("in tick"); });`);
    expect(a.error!.message).toBe("in tick");
    const b = await runGuest(`queueMicrotask(() => { throw new Error("in microtask"); });`);
    expect(b.error!.message).toBe("in microtask");
  });

  test("'uncaughtException' listeners catch uncaught errors", async () => {
    const r = await expectOk(`
      process.on("uncaughtException", (e) => console.log("caught", e.message));
      setTimeout(() => { throw new Error("x"); }, 1);
      setTimeout(() => console.log("still running"), 10);
    `);
    expect(r.lines).toEqual(["caught x", "still running"]);
  });

  test("memory growth inside promise jobs leaves nothing behind (see host/quickjs/jobs.ts)", async () => {
    // each job allocates enough to grow the wasm memory while the jobs run
    const r = await expectOk(`
      const keep = [];
      for (let i = 0; i < 6; i++) await Promise.resolve().then(() => keep.push(new Uint8Array(4 * 1024 * 1024)));
      console.log(keep.length);
    `, { memoryLimit: 128 * 1024 * 1024 });
    expect(r.lines).toEqual(["6"]);
  });

  test("a thrown non-Error value is reported", async () => {
    const r = await runGuest(`throw "plain string";`);
    expect(r.error!.message).toMatch(/plain string/);
  });

  test("run() once per sandbox; dispose() rejects a pending run", async () => {
    const sandbox = await createSandbox({ stdout: () => {}, stderr: () => {} });
    const pending = sandbox.run(`setTimeout(() => {}, 10000);`);
    await expect(sandbox.run(`1`)).rejects.toThrow(/one script/);
    disposeChecked(sandbox);
    await expect(pending).rejects.toMatchObject({ code: "ERR_SANDBOX_DISPOSED" });
  });
});
