// A RESP client (examples/redis.mjs) inside a sandbox against a real redis-server.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { expectOk } from "../quickjs/helpers.ts";
import { missing, redisCommand, startRedis, type Running } from "./servers.ts";

const examples = join(import.meta.dirname, "..", "..", "examples");
const skip = missing("redis-server");
let redis: Running | null = null;

beforeAll(async () => {
  if (skip === null) redis = await startRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

describe("redis-server", () => {
  test("SET, GET, a pipeline of 10k commands and pub/sub", async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const port = redis!.port;
    const r = await expectOk(join(examples, "redis.mjs"), { root: examples, allowNet: [`127.0.0.1:${port}`], args: [String(port), "10000"], cpuBudgetMs: 10_000 });
    expect(r.lines[0]).toBe("PING -> PONG");
    expect(r.lines[1]).toBe("SET greeting -> OK");
    expect(r.lines[2]).toBe("GET greeting -> hello from QuickJS");
    expect(r.lines[3]).toMatch(/^pipeline of 10000 SET \+ 10000 GET -> all correct in \d+ ms$/);
    expect(r.lines).toContain('SUBSCRIBE -> ["subscribe","wasock:news",1]');
    expect(r.lines).toContain("received: wasock:news: one, wasock:news: two, wasock:news: three");
    expect(r.lines.at(-1)).toBe("done");
    expect(r.exitCode).toBe(0);
    // the server really holds what the guest wrote
    expect(await redisCommand(port, "GET", "wasock:key:9999")).toBe("$10\r\nvalue-9999\r\n");
    expect(await redisCommand(port, "DBSIZE")).toBe(":10000\r\n");
  });

  test("the policy keeps the guest away from redis unless allowed", async (ctx) => {
    if (skip !== null) return ctx.skip(skip);
    const port = redis!.port;
    const before = await redisCommand(port, "INFO", "stats");
    const accepted = (s: string) => Number(/total_connections_received:(\d+)/.exec(s)![1]);
    const r = await expectOk(`
      import net from "net";
      const c = net.connect(${port}, "127.0.0.1");
      c.write("*1\\r\\n$8\\r\\nFLUSHALL\\r\\n");
      c.on("error", (e) => console.log(e.code));
    `, { allowNet: ["127.0.0.1:1-1000"] });
    expect(r.lines).toEqual(["ERR_ACCESS_DENIED"]);
    const after = await redisCommand(port, "INFO", "stats");
    // only our own INFO connection was added
    expect(accepted(after)).toBe(accepted(before) + 1);
    expect(await redisCommand(port, "DBSIZE")).not.toBe(":0\r\n");
  });
});
