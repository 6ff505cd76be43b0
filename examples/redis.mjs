// A Redis client speaking RESP to redis-server: SET, GET, a pipeline, pub/sub.
//   redis-server --port 6379 &
//   wasock run examples/redis.mjs --allow-net=127.0.0.1:6379 -- 6379 [pipelineSize]
import { RespClient } from "./resp.mjs";

const port = Number(process.argv[2] ?? 6379);
const pipelineSize = Number(process.argv[3] ?? 10000);

const client = await RespClient.connect(port);
console.log("PING ->", await client.call("PING"));
console.log("SET greeting ->", await client.call("SET", "wasock:greeting", "hello from QuickJS"));
console.log("GET greeting ->", await client.call("GET", "wasock:greeting"));

const commands = [];
for (let i = 0; i < pipelineSize; i++) commands.push(["SET", `wasock:key:${i}`, `value-${i}`]);
const t0 = Date.now();
const setReplies = await client.pipeline(commands);
const getReplies = await client.pipeline(commands.map(([, key]) => ["GET", key]));
const ok = setReplies.every((r) => r === "OK") && getReplies.every((r, i) => r === `value-${i}`);
console.log(`pipeline of ${pipelineSize} SET + ${pipelineSize} GET -> ${ok ? "all correct" : "WRONG"} in ${Date.now() - t0} ms`);
if (!ok) process.exitCode = 1;

// pub/sub: a second connection subscribes, the first publishes
const subscriber = await RespClient.connect(port);
const received = [];
const done = new Promise((resolve) => {
  subscriber.onMessage = (channel, message) => {
    received.push(`${channel}: ${message}`);
    if (received.length === 3) resolve();
  };
});
console.log("SUBSCRIBE ->", JSON.stringify(await subscriber.call("SUBSCRIBE", "wasock:news")));
for (const m of ["one", "two", "three"]) await client.call("PUBLISH", "wasock:news", m);
await done;
console.log("received:", received.join(", "));

await client.call("DEL", "wasock:greeting");
await client.quit();
subscriber.call("UNSUBSCRIBE").catch(() => {});
await subscriber.quit().catch(() => {});
console.log("done");
