// ioredis, unmodified, bundled with esbuild and run inside a sandbox against a
// real redis-server. Its Node built-ins: the sandbox's own net, events, buffer,
// stream, string_decoder and timers; small shims for the rest (see shims/README.md).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectOk } from "../quickjs/helpers.ts";
import { missing, redisCommand, startRedis, type Running } from "./servers.ts";

const skip = missing("redis-server");
const dir = mkdtempSync(join(tmpdir(), "wasock-ioredis-"));
const shims = join(import.meta.dirname, "shims");
let redis: Running | null = null;

const GUEST_BUILTINS = ["net", "events", "buffer", "stream", "string_decoder", "timers", "process"];

async function bundleIoredis(): Promise<void> {
  const esbuild = await import("esbuild");
  const entry = join(dir, "entry.mjs");
  writeFileSync(entry, `export { default } from "ioredis";\n`);
  await esbuild.build({
    entryPoints: [entry],
    outfile: join(dir, "ioredis.mjs"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    nodePaths: [join(import.meta.dirname, "..", "..", "node_modules")],
    external: [...GUEST_BUILTINS, ...GUEST_BUILTINS.map((m) => `node:${m}`)],
    alias: {
      assert: join(shims, "assert.cjs"),
      util: join(shims, "util.cjs"),
      fs: join(shims, "fs.cjs"),
      path: join(shims, "path.cjs"),
      url: join(shims, "unsupported.cjs"),
      tls: join(shims, "unsupported.cjs"),
      dns: join(shims, "unsupported.cjs"),
      crypto: join(shims, "unsupported.cjs"),
    },
    logLevel: "error",
  });
}

beforeAll(async () => {
  if (skip !== null) return;
  await bundleIoredis();
  redis = await startRedis();
}, 60_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("ioredis in a sandbox", () => {
  test("SET/GET, a pipeline, MULTI and pub/sub against redis-server", async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const port = redis!.port;
    writeFileSync(
      join(dir, "main.mjs"),
      `
      import Redis from "./ioredis.mjs";
      const opts = { host: "127.0.0.1", port: ${port}, retryStrategy: () => null, maxRetriesPerRequest: 0 };
      const redis = new Redis(opts);
      console.log("set", await redis.set("io:greeting", "hello from ioredis in QuickJS"));
      console.log("get", await redis.get("io:greeting"));
      const p = redis.pipeline();
      for (let i = 0; i < 1000; i++) p.set("io:k" + i, "v" + i);
      const results = await p.exec();
      console.log("pipeline", results.length, results.every(([err, r]) => err === null && r === "OK"));
      console.log("multi", JSON.stringify(await redis.multi().incr("io:n").incr("io:n").exec()));
      const sub = new Redis(opts);
      const got = new Promise((resolve) => sub.on("message", (channel, message) => resolve(channel + " " + message)));
      await sub.subscribe("io:chan");
      await redis.publish("io:chan", "published");
      console.log("message", await got);
      try { await redis.call("NOSUCHCOMMAND"); } catch (e) { console.log("error", e.name, e.message.split(" ")[0]); }
      await sub.quit();
      await redis.quit();
      console.log("done");
      `,
    );
    const r = await expectOk(join(dir, "main.mjs"), { root: dir, allowNet: [`127.0.0.1:${port}`], cpuBudgetMs: 10_000 });
    expect(r.lines).toEqual([
      "set OK",
      "get hello from ioredis in QuickJS",
      "pipeline 1000 true",
      'multi [[null,1],[null,2]]',
      "message io:chan published",
      "error ReplyError ERR",
      "done",
    ]);
    expect(await redisCommand(port, "GET", "io:k999")).toBe("$4\r\nv999\r\n");
  });
});
