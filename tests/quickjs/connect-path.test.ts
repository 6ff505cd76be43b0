/**
 * net.connect()'s direct path to the socket's connect (no re-normalizing, no
 * Socket options for a port or a path): what a script can see stays node:net's.
 */
import { expect, test } from "vitest";
import { expectOk, LOOPBACK } from "./helpers.ts";

test("net.connect calls a replaced Socket.prototype.connect with normalizeArgs' array", async () => {
  const r = await expectOk(`
    import net from "net";
    const orig = net.Socket.prototype.connect;
    const seen = [];
    net.Socket.prototype.connect = function (...args) {
      seen.push([args.length, Array.isArray(args[0]), args[0][0], typeof args[0][1]]);
      return orig.apply(this, args);
    };
    const server = net.createServer((s) => s.end());
    server.listen(0, "127.0.0.1", () => {
      const port = server.address().port;
      const cb = () => {};
      const a = net.connect(port, "127.0.0.1", cb);
      const b = net.connect({ port, host: "127.0.0.1" });
      net.Socket.prototype.connect = orig;
      let closed = 0;
      for (const s of [a, b]) s.on("close", () => { if (++closed === 2) server.close(); });
      console.log(JSON.stringify(seen));
      console.log(JSON.stringify([a.allowHalfOpen, a.writableHighWaterMark, a.readableObjectMode, b.allowHalfOpen]));
    });
  `, LOOPBACK);
  expect(JSON.parse(r.lines[0]!)).toEqual([
    [1, true, { port: expect.any(Number), host: "127.0.0.1" }, "function"],
    [1, true, { port: expect.any(Number), host: "127.0.0.1" }, "object"],
  ]);
  expect(JSON.parse(r.lines[1]!)).toEqual([false, 16384, false, false]);
});

test("net.connect without a port or a path throws ERR_MISSING_ARGS; Socket options still apply", async () => {
  const r = await expectOk(`
    import net from "net";
    let code;
    try { net.connect({ host: "127.0.0.1" }); } catch (e) { code = e.code; }
    let code2;
    try { net.connect(); } catch (e) { code2 = e.code; }
    let code3;
    try { new net.Socket({ objectMode: true }); } catch (e) { code3 = e.code; }
    const s = new net.Socket({ allowHalfOpen: 1 });
    const n = new net.Socket(null);
    console.log(JSON.stringify([code, code2, code3, s.allowHalfOpen, n.allowHalfOpen]));
  `, LOOPBACK);
  expect(JSON.parse(r.lines[0]!)).toEqual(["ERR_MISSING_ARGS", "ERR_MISSING_ARGS", "ERR_INVALID_ARG_VALUE", true, false]);
});
