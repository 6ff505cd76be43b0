import { afterAll, beforeAll, describe, expect } from "vitest";
import { checkLeaks, diff, leakBaseline, names, once } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

describe("smoke", () => {
  diff("echo once", async (net, ctx) => {
    const srv = net.createServer((c) => {
      ctx.watch("server", c, { snap: true });
      c.pipe(c);
    });
    const port = await ctx.listen(srv);
    const c = ctx.watch("client", net.connect(port, "127.0.0.1"), { snap: true });
    ctx.snap("client", "sync", c);
    c.end("hello");
    await once(c, "close");
    await once(srv.close(), "close");
  }, (t) => expect(names(t, "client")).toContain("close"));
});
