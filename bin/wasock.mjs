#!/usr/bin/env node
// wasock run <script> [flags] [-- args]: run a script in a QuickJS sandbox that
// has Node's `net` under a Deno-style network policy. Exit code: the script's
// (process.exitCode / process.exit), 1 on an uncaught error or a policy
// violation nobody handled, 2 on bad usage.
import { existsSync, realpathSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const USAGE = `Usage: wasock run <script> [flags] [-- script args]

Flags:
  --allow-net[=rules]     allow connect/listen; without rules, allow everything.
                          rules are comma-separated: 127.0.0.1:*, 10.0.0.0/8,
                          localhost:6379, [::1]:8000-9000, unix:/tmp/
  --deny-net=rules        deny these, even when allowed
  --max-sockets=N         sockets and servers open at once
  --max-buffered=BYTES    bytes buffered on the host side, over all sockets
  --memory-limit=BYTES    the guest heap limit (default 64m)
  --cpu-budget=MS         CPU time one callback may take (default 1000)
  -h, --help              this text

BYTES take a k, m or g suffix (KiB, MiB, GiB). Without --allow-net every
connect and listen is denied.`;

class UsageError extends Error {}

function bytes(name, v) {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)i?b?$/i.exec(v ?? "");
  if (!m) throw new UsageError(`${name} takes a size in bytes (e.g. 65536, 64k, 16m), not '${v ?? ""}'`);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase()];
  const n = Math.floor(Number(m[1]) * mult);
  if (n <= 0) throw new UsageError(`${name} must be positive`);
  return n;
}

function count(name, v) {
  if (!/^\d+$/.test(v ?? "") || Number(v) <= 0) throw new UsageError(`${name} takes a positive integer, not '${v ?? ""}'`);
  return Number(v);
}

export function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help" || command === undefined) return { help: true };
  if (command !== "run") throw new UsageError(`unknown command '${command}'`);
  const options = {};
  let script;
  const args = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (script !== undefined && !arg.startsWith("--")) {
      args.push(...rest.slice(i));
      break;
    }
    if (arg === "--") {
      args.push(...rest.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") return { help: true };
    if (!arg.startsWith("-")) {
      script = arg;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? undefined : arg.slice(eq + 1);
    switch (flag) {
      case "--allow-net":
        if (value === undefined || value === "") options.allowNet = true;
        else if (options.allowNet !== true) options.allowNet = [...(options.allowNet ?? []), ...value.split(",")];
        break;
      case "--deny-net":
        if (!value) throw new UsageError("--deny-net takes rules: --deny-net=10.0.0.0/8");
        options.denyNet = [...(options.denyNet ?? []), ...value.split(",")];
        break;
      case "--max-sockets":
        options.maxSockets = count(flag, value);
        break;
      case "--max-buffered":
        options.maxBufferedBytes = bytes(flag, value);
        break;
      case "--memory-limit":
        options.memoryLimit = bytes(flag, value);
        break;
      case "--cpu-budget":
        options.cpuBudgetMs = count(flag, value);
        break;
      default:
        throw new UsageError(`unknown flag '${flag}'`);
    }
  }
  if (script === undefined) throw new UsageError("run: which script?");
  return { script, options, args };
}

async function loadApi() {
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = join(here, "..", "dist", "quickjs", "index.mjs");
  if (!existsSync(dist)) throw new Error(`wasock: ${dist} is missing; run \`npm run build\` first`);
  return import(pathToFileURL(dist).href);
}

function hint(err, allowFlagFor) {
  if (err?.code !== "ERR_ACCESS_DENIED") return "";
  // a listen on port 0 takes any port: suggest the wildcard
  const port = err.syscall === "listen" && err.port === 0 ? undefined : err.port;
  const target = { hostname: err.hostname, address: err.address, port, path: err.path };
  return `\nwasock: ${err.syscall ?? "connect"} ${err.syscall === "listen" ? "on" : "to"} ${err.resource ?? err.address ?? err.path ?? "an address"} was denied by the sandbox's network policy; to allow it, run with ${allowFlagFor(target)}`;
}

export async function main(argv, io = { stdout: process.stdout, stderr: process.stderr }) {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`wasock: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const script = resolve(parsed.script);
  if (!existsSync(script)) {
    io.stderr.write(`wasock: cannot find '${parsed.script}'\n`);
    return 2;
  }
  const api = await loadApi();
  let sandbox;
  try {
    sandbox = await api.createSandbox({
      ...parsed.options,
      root: dirname(script),
      args: parsed.args,
      env: {},
      stdout: io.stdout,
      stderr: io.stderr,
    });
  } catch (e) {
    io.stderr.write(`wasock: ${e.message}\n`);
    return 2;
  }
  try {
    const { exitCode } = await sandbox.run(script);
    return exitCode;
  } catch (err) {
    io.stderr.write(`Uncaught ${err?.stack ?? err}${err?.code ? ` {\n  code: '${err.code}'\n}` : ""}${hint(err, api.allowFlagFor)}\n`);
    return 1;
  } finally {
    sandbox.dispose();
  }
}

if (process.argv[1] && realpathSync(resolve(process.argv[1])) === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`wasock: ${err?.stack ?? err}\n`);
      process.exitCode = 1;
    },
  );
}
