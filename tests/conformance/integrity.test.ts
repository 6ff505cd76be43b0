/**
 * Integrity: 256 MiB in random chunk sizes, with random pause/resume on the
 * reading side, through an echo. SHA-256 and byte counts are compared on
 * the sender, on the echo peer and on the receiver: nothing lost, duplicated
 * or reordered. The net under test is wasock/node (node:net with
 * WASOCK_CONFORMANCE_SELF=1).
 *
 * - against a node:net echo in a child process (only the client is ours);
 * - against an echo server of the same net, in process (both ends are ours),
 *   over TCP and over a Unix socket.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server, Socket } from "node:net";
import { checkLeaks, leakBaseline, once, wasockNet, type Net } from "./harness.ts";

beforeAll(leakBaseline);
afterAll(checkLeaks);

const PEER = fileURLToPath(new URL("./peer.mjs", import.meta.url));
const H = "127.0.0.1";

/** xorshift32: reproducible randomness (the seed is printed on failure). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

interface Result {
  sent: number;
  sentSha: string;
  received: number;
  receivedSha: string;
  pauses: number;
}

/**
 * Send `total` bytes in random chunk sizes (1 B .. 256 KiB) cut from a random
 * pool at random offsets, honouring backpressure, while the read side is
 * paused and resumed at random.
 */
async function pump(c: Socket, total: number, seed: number): Promise<Result> {
  const rand = rng(seed);
  const pool = Buffer.alloc(1 << 20);
  for (let i = 0; i < pool.length; i += 4) pool.writeUInt32LE(Math.floor(rand() * 0x1_0000_0000), i);
  const sentHash = createHash("sha256");
  const recvHash = createHash("sha256");
  let received = 0;
  let pauses = 0;
  c.on("data", (d: Buffer) => {
    recvHash.update(d);
    received += d.length;
    if (rand() < 0.02) {
      c.pause();
      pauses++;
      setTimeout(() => c.resume(), Math.floor(rand() * 4));
    }
  });
  const ended = once(c, "end", 120_000);
  let sent = 0;
  while (sent < total) {
    const want = rand() < 0.1 ? 1 + Math.floor(rand() * 64) : 1 + Math.floor(rand() * 256 * 1024);
    const len = Math.min(want, total - sent);
    const off = Math.floor(rand() * (pool.length - len));
    const chunk = pool.subarray(off, off + len);
    sentHash.update(chunk);
    sent += len;
    if (!c.write(chunk)) await once(c, "drain", 60_000);
  }
  c.end();
  await ended;
  return { sent, sentSha: sentHash.digest("hex"), received, receivedSha: recvHash.digest("hex"), pauses };
}

const MiB = 1 << 20;

describe("integrity", () => {
  it("256 MiB through a node:net echo in a child process", async () => {
    const net: Net = await wasockNet();
    const child = spawn(process.execPath, [PEER, "echo"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const lines: string[] = [];
      let buf = "";
      child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      while (lines.length === 0) await new Promise((r) => setTimeout(r, 5));
      const { port } = JSON.parse(lines[0]);
      const c = net.connect(port, H);
      await once(c, "connect");
      const seed = 0x5eed_0001;
      const r = await pump(c, 256 * MiB, seed);
      await once(c, "close");
      while (lines.length < 2) await new Promise((r2) => setTimeout(r2, 5));
      const peer = JSON.parse(lines[1]) as { received: number; sha256: string };
      expect({ seed, ...r, peer }).toMatchObject({ sent: 256 * MiB, received: 256 * MiB, receivedSha: r.sentSha, peer: { received: 256 * MiB, sha256: r.sentSha } });
      expect(r.pauses).toBeGreaterThan(0);
      expect(c.bytesWritten).toBe(256 * MiB);
      expect(c.bytesRead).toBe(256 * MiB);
    } finally {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
    }
  }, 90_000);

  for (const transport of ["tcp", "ipc"] as const) {
    it(`64 MiB through an echo server of the same net over ${transport} (both ends under test)`, async () => {
      const net: Net = await wasockNet();
      const dir = mkdtempSync(join(tmpdir(), "wsk-int-"));
      const peerHash = createHash("sha256");
      let peerBytes = 0;
      let conn: Socket | undefined;
      const srv: Server = net.createServer((s) => {
        conn = s;
        const rand = rng(7);
        s.on("data", (d: Buffer) => {
          peerHash.update(d);
          peerBytes += d.length;
          if (!s.write(d)) {
            s.pause();
            s.once("drain", () => s.resume());
          }
          if (rand() < 0.01) {
            s.pause();
            setTimeout(() => s.resume(), 1);
          }
        });
        s.on("end", () => s.end());
      });
      if (transport === "tcp") srv.listen(0, H);
      else srv.listen(join(dir, "echo.sock"));
      await once(srv, "listening");
      try {
        const c = transport === "tcp" ? net.connect((srv.address() as { port: number }).port, H) : net.connect(join(dir, "echo.sock"));
        await once(c, "connect");
        const r = await pump(c, 64 * MiB, 0x5eed_0002);
        await once(c, "close");
        expect(r.received).toBe(64 * MiB);
        expect(r.receivedSha).toBe(r.sentSha);
        expect(peerBytes).toBe(64 * MiB);
        expect(peerHash.digest("hex")).toBe(r.sentSha);
        expect(conn?.bytesRead).toBe(64 * MiB);
        expect(conn?.bytesWritten).toBe(64 * MiB);
      } finally {
        conn?.destroy();
        await new Promise((r) => srv.close(() => r(undefined)));
        rmSync(dir, { recursive: true, force: true });
      }
    }, 90_000);
  }
});
