/**
 * Random call sequences (fast-check, fixed seed): the same sequence of
 * socket calls runs against node:net and wasock/node, with an echo peer of
 * the same net, and the traces must match. Each sequence is its own test,
 * named by its calls, so a divergence is reproducible by name (50 sequences).
 */
import { afterAll, beforeAll, describe } from "vitest";
import fc from "fast-check";
import type { Socket } from "node:net";
import { checkLeaks, delay, diff, leakBaseline, once } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

type Op =
  | { k: "write"; text: string }
  | { k: "writeBuf"; n: number }
  | { k: "writeHex"; text: string }
  | { k: "cork" }
  | { k: "uncork" }
  | { k: "setEncoding"; enc: "utf8" | "hex" | "base64" | "latin1" }
  | { k: "pause" }
  | { k: "resume" }
  | { k: "setNoDelay"; on: boolean }
  | { k: "setKeepAlive"; on: boolean; ms: number }
  | { k: "setTimeout0" }
  | { k: "ref" }
  | { k: "unref" }
  | { k: "end"; text?: string }
  | { k: "destroy" }
  | { k: "destroySoon" }
  | { k: "serverEnd" }
  | { k: "serverDestroy" }
  | { k: "serverPause" }
  | { k: "serverResume" }
  | { k: "serverWrite"; n: number }
  | { k: "state" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }).map((text) => ({ k: "write" as const, text })) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70_000 }).map((n) => ({ k: "writeBuf" as const, n })) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength: 10 }).map((t) => ({ k: "writeHex" as const, text: t.length % 2 ? t.slice(1) : t })) },
  { weight: 1, arbitrary: fc.constant({ k: "cork" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "uncork" as const }) },
  { weight: 1, arbitrary: fc.constantFrom("utf8", "hex", "base64", "latin1").map((enc) => ({ k: "setEncoding" as const, enc: enc as "utf8" })) },
  { weight: 2, arbitrary: fc.constant({ k: "pause" as const }) },
  { weight: 2, arbitrary: fc.constant({ k: "resume" as const }) },
  { weight: 1, arbitrary: fc.boolean().map((on) => ({ k: "setNoDelay" as const, on })) },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5000 })).map(([on, ms]) => ({ k: "setKeepAlive" as const, on, ms })) },
  { weight: 1, arbitrary: fc.constant({ k: "setTimeout0" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "ref" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "unref" as const }) },
  { weight: 1, arbitrary: fc.option(fc.string({ maxLength: 5 }), { nil: undefined }).map((text) => ({ k: "end" as const, text })) },
  { weight: 1, arbitrary: fc.constant({ k: "destroy" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "destroySoon" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "serverEnd" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "serverDestroy" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "serverPause" as const }) },
  { weight: 1, arbitrary: fc.constant({ k: "serverResume" as const }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300_000 }).map((n) => ({ k: "serverWrite" as const, n })) },
  { weight: 2, arbitrary: fc.constant({ k: "state" as const }) },
);

const label = (op: Op): string => {
  const { k, ...rest } = op as Op & Record<string, unknown>;
  const args = Object.values(rest)
    .map((v) => (typeof v === "string" ? JSON.stringify(v.length > 6 ? v.slice(0, 6) + "…" : v) : String(v)))
    .join(",");
  return `${k}(${args})`;
};

const SEQS = fc.sample(fc.array(opArb, { minLength: 3, maxLength: 12 }), { seed: 20261122, numRuns: 50 });
const H = "127.0.0.1";
const STATE = ["readyState", "destroyed", "readable", "writable", "writableEnded", "writableLength", "bytesWritten", "readableFlowing", "isPaused"];

function apply(c: Socket, server: Socket, op: Op): unknown {
  switch (op.k) {
    case "write":
      return c.write(op.text);
    case "writeBuf":
      return c.write(Buffer.alloc(op.n, 0x61));
    case "writeHex":
      return c.write(op.text, "hex");
    case "cork":
      return c.cork();
    case "uncork":
      return c.uncork();
    case "setEncoding":
      return c.setEncoding(op.enc) === c;
    case "pause":
      return c.pause() === c;
    case "resume":
      return c.resume() === c;
    case "setNoDelay":
      return c.setNoDelay(op.on) === c;
    case "setKeepAlive":
      return c.setKeepAlive(op.on, op.ms) === c;
    case "setTimeout0":
      return c.setTimeout(0) === c;
    case "ref":
      return c.ref() === c;
    case "unref":
      return c.unref() === c;
    case "end":
      return (op.text === undefined ? c.end() : c.end(op.text)) === c;
    case "destroy":
      return c.destroy() === c;
    case "destroySoon":
      c.destroySoon();
      return undefined;
    case "serverEnd":
      return server.end("S") === server;
    case "serverDestroy":
      return server.destroy() === server;
    case "serverPause":
      return server.pause() === server;
    case "serverResume":
      return server.resume() === server;
    case "serverWrite":
      // the return value depends on how much the kernel takes at once: not compared
      server.write(Buffer.alloc(op.n, 0x62));
      return undefined;
    case "state":
      return Object.fromEntries(STATE.map((p) => [p, p === "isPaused" ? c.isPaused() : (c as unknown as Record<string, unknown>)[p]]));
  }
}

describe("random call sequences", () => {
  for (const seq of SEQS) {
    diff(seq.map(label).join(" "), async (net, ctx) => {
      let resolveConn!: (s: Socket) => void;
      const conn = new Promise<Socket>((r) => (resolveConn = r));
      const srv = net.createServer((s) => {
        ctx.watch("server", s, { events: ["data", "end", "error", "close"] });
        s.on("data", (d) => {
          if (!s.destroyed && s.writable) s.write(d);
        });
        resolveConn(s);
      });
      const port = await ctx.listen(srv);
      const c = ctx.watch("client", net.connect(port, H), { events: ["data", "end", "finish", "drain", "timeout", "error", "close"] });
      await once(c, "connect");
      const server = await conn;
      // quiescence: wait until neither end has seen an event for `ms`
      // (bounded), so machine load cannot change what a step observes
      let activity = 0;
      for (const s of [c, server]) for (const ev of ["data", "end", "finish", "close", "error", "drain", "timeout"]) s.on(ev, () => activity++);
      const settle = async (ms: number) => {
        for (let i = 0, last = -1; i < 100 && last !== activity; i++) {
          last = activity;
          await delay(ms);
        }
      };
      for (const op of seq) {
        ctx.value("calls", label(op), () => apply(c, server, op));
        await settle(12);
      }
      // settle: flow everything, then close both ends
      c.resume();
      await settle(60);
      ctx.value("calls", "final state", () => apply(c, server, { k: "state" }));
      c.destroy();
      server.destroy();
      await delay(5);
      await new Promise<void>((r) => srv.close(() => r()));
    });
  }
});
