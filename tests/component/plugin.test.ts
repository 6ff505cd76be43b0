// The componentize-qjs plugin (examples/plugin) linked to the core component with
// `jco transpile --map`, run on Node with preview2-shim in a child process (Node 20
// needs --experimental-wasm-extended-const for componentize-qjs output).
import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { loadCore, startPeer, DIST } from "./harness.ts";

const root = join(DIST, "..", "..");

function runPlugin(...args: string[]) {
  const r = spawnSync(process.execPath,
    ["--experimental-wasm-extended-const", join(root, "examples", "plugin", "run.mjs"), ...args],
    { encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("the QuickJS plugin over the core component", () => {
  it("runs an echo server and a client, and sees ECONNREFUSED with Node's fields", async () => {
    await loadCore(); // builds dist/component (and the plugin) when missing
    expect(existsSync(join(DIST, "plugin", "js", "plugin.js")), "plugin not built: see build output").toBe(true);
    const dead = await startPeer("hold");
    await dead.stop();
    const report = runPlugin(String(dead.port));
    expect(report.uncaught).toEqual([]);
    expect(report.echo).toBe("hello from a QuickJS plugin");
    expect(report.order).toEqual(["listening", "connect", "end", "close", "server-close"]);
    expect(report.refused).toEqual({
      code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: dead.port,
      message: `connect ECONNREFUSED 127.0.0.1:${dead.port}`,
    });
    expect(report.live).toBe(0);
  });

  it("the embedder's policy (config interface) denies the plugin's connect inside the core", async () => {
    await loadCore();
    const dead = await startPeer("hold");
    await dead.stop();
    const report = runPlugin(String(dead.port), "--deny");
    expect(report.echo).toBe("hello from a QuickJS plugin"); // other ports stay allowed
    expect(report.refused.code).toBe("ERR_ACCESS_DENIED");
    expect(report.refused.port).toBe(dead.port);
    expect(report.live).toBe(0);
  });

  it("the plugin imports wasock:core/sockets only: it cannot reach the policy", async () => {
    await loadCore();
    const jcoBin = join(root, "node_modules", "@bytecodealliance", "jco", "dist", "jco.js");
    const r = spawnSync(process.execPath, [jcoBin, "wit", join(DIST, "plugin", "plugin.wasm")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("import wasock:core/sockets@0.1.0;");
    expect(r.stdout).not.toContain("wasock:core/config");
    expect(r.stdout).toContain("export run: func(refused-port: u16) -> string;");
  });
});
