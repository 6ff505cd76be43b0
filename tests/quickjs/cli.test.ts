// The `wasock run` command: exit codes, flags, and the policy hint.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const cli = join(root, "bin", "wasock.mjs");
const tmp = mkdtempSync(join(tmpdir(), "wasock-cli-"));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function wasock(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd: root, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

function script(name: string, source: string): string {
  const file = join(tmp, name);
  writeFileSync(file, source);
  return file;
}

beforeAll(async () => {
  // the CLI runs the built package; build it when running this file alone
  if (!existsSync(join(root, "dist", "quickjs", "index.mjs"))) {
    for (const part of ["guest", "quickjs"]) {
      const mod = (await import(pathToFileURL(join(root, "scripts", `build-${part}.mjs`)).href)) as { default: () => Promise<void> };
      await mod.default();
    }
  }
}, 120_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("wasock run", () => {
  test("npm start's command: the echo example exits 0 and prints the exchange", async () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe("node bin/wasock.mjs run examples/echo.mjs --allow-net=127.0.0.1:*");
    const r = await wasock(["run", "examples/echo.mjs", "--allow-net=127.0.0.1:*"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('client: echoed "from inside QuickJS"');
    expect(r.stdout).toContain("client: closed after 27 bytes out, 27 bytes in");
    expect(r.stdout.trim().split("\n").at(-1)).toBe("server: closed");
  });

  test("without --allow-net the listen is denied: exit 1, naming the address and the flag", async () => {
    const r = await wasock(["run", "examples/echo.mjs"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERR_ACCESS_DENIED");
    expect(r.stderr).toContain("listen on 127.0.0.1:0");
    expect(r.stderr).toContain("--allow-net=127.0.0.1:*");
  });

  test("a denied connect names the host:port and the exact flag", async () => {
    const srv = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    let accepted = 0;
    srv.on("connection", () => accepted++);
    const file = script("connect.mjs", `import net from "net"; net.connect(${port}, "localhost");`);
    const r = await wasock(["run", file, "--allow-net=10.0.0.0/8", "--deny-net=192.168.0.0/16"]);
    await new Promise((r2) => srv.close(r2));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--allow-net=localhost:${port}`);
    expect(accepted).toBe(0);
  });

  test("the script's exit code and uncaught errors", async () => {
    expect((await wasock(["run", script("code.mjs", "process.exitCode = 4;")])).code).toBe(4);
    const thrown = await wasock(["run", script("throw.mjs", "function f() { throw new TypeError('bad thing'); }\nsetTimeout(f, 1);")]);
    expect(thrown.code).toBe(1);
    expect(thrown.stderr).toMatch(/^Uncaught TypeError: bad thing\n.*at f/s);
  });

  test("script arguments reach process.argv", async () => {
    const r = await wasock(["run", script("argv.mjs", "console.log(process.argv.slice(2).join('|'));"), "--", "a", "--b"]);
    expect(r.stdout).toBe("a|--b\n");
  });

  test("--cpu-budget and --memory-limit stop a runaway script", async () => {
    const spin = await wasock(["run", script("spin.mjs", "for (;;) {}"), "--cpu-budget=100"]);
    expect(spin.code).toBe(1);
    expect(spin.stderr).toContain("ERR_CPU_BUDGET_EXCEEDED");
    const hog = await wasock(["run", script("hog.mjs", "const a = []; for (;;) a.push(new Uint8Array(1 << 20));"), "--memory-limit=16m"]);
    expect(hog.code).toBe(1);
    expect(hog.stderr).toContain("out of memory");
  });

  test("--max-sockets is a quota", async () => {
    const r = await wasock(["run", script("sockets.mjs", `
      import net from "net";
      const a = net.createServer().listen(0, "127.0.0.1");
      const b = net.createServer();
      b.on("error", (e) => { console.log(e.code); a.close(); });
      b.listen(0, "127.0.0.1");
    `), "--allow-net=127.0.0.1:*", "--max-sockets=1"]);
    expect(r.stdout).toBe("ERR_QUOTA_EXCEEDED\n");
    expect(r.code).toBe(0);
  });

  test("bad usage exits 2 with the usage text", async () => {
    const r = await wasock(["run", "examples/echo.mjs", "--max-sockets=lots"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--max-sockets takes a positive integer");
    expect(r.stderr).toContain("Usage: wasock run");
    expect((await wasock(["frobnicate"])).code).toBe(2);
    expect((await wasock(["run", "no/such/file.mjs"])).code).toBe(2);
    const help = await wasock(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--allow-net[=rules]");
  });
});
