// Real servers for the tests: redis-server and a Node HTTP server, each in a
// child process on a free loopback port, killed after. A missing binary is a
// skip with the reason, or a failure when WASOCK_REQUIRE_SERVERS=1.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { createInterface } from "node:readline";

export const REQUIRE_SERVERS = process.env.WASOCK_REQUIRE_SERVERS === "1";

export function findBinary(name: string): string | null {
  const r = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = r.stdout.trim();
  return r.status === 0 && path ? path : null;
}

/** null (skip) or a reason to fail, for a binary the tests need */
export function missing(name: string): string | null {
  if (findBinary(name) !== null) return null;
  const reason = `${name} is not installed (apt-get install ${name})`;
  if (REQUIRE_SERVERS) throw new Error(`WASOCK_REQUIRE_SERVERS=1 but ${reason}`);
  return reason;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.on("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Running {
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
    });
}

export async function startRedis(): Promise<Running> {
  const port = await freePort();
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
    { stdio: "ignore" },
  );
  try {
    await waitForPort(port, child);
  } catch (e) {
    await stopper(child)();
    throw e;
  }
  return { port, stop: stopper(child) };
}

/** Node's own HTTP server, in a child process: GET /hello, GET /chunked, GET /big */
export async function startHttp(): Promise<Running> {
  const code = `
    const http = require("node:http");
    const srv = http.createServer((req, res) => {
      if (req.url === "/chunked") { res.write("part one, "); setTimeout(() => res.end("part two"), 10); return; }
      if (req.url === "/big") { res.end(Buffer.alloc(1024 * 1024, "a")); return; }
      res.setHeader("Content-Type", "text/plain");
      res.end("hello " + req.method + " " + req.url + " from " + req.headers["user-agent"]);
    });
    srv.listen(0, "127.0.0.1", () => console.log(srv.address().port));
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (l) => resolve(Number(l)));
    child.once("exit", (c) => reject(new Error(`http server exited with ${c}`)));
  });
  return { port, stop: stopper(child) };
}

/** one RESP command from the host side (to check what the guest did) */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    let buf = "";
    s.on("connect", () => s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`));
    s.on("data", (d) => {
      buf += d;
      if (buf.endsWith("\r\n") && (buf[0] !== "$" || buf.split("\r\n").length >= 3 || buf.startsWith("$-1"))) {
        s.end();
        resolve(buf);
      }
    });
    s.on("error", reject);
  });
}
