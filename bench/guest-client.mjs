// Client half of a benchmark run inside a QuickJS sandbox (issue 4), in its own
// process (forked by bench/run.mjs).
//   node bench/guest-client.mjs <workload> <port> <params-json>
// The guest script is bench/clients.mjs itself plus a few lines that run one
// workload against the guest's `net` and print the result on a marked line.
// Reports over IPC like bench/client.mjs.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, ROOT } from "./impls.mjs";
import { WORKLOADS } from "./workloads.mjs";

const [workload, port, paramsJson] = process.argv.slice(2);
const MARK_OK = "@@bench-result ";
const MARK_ERR = "@@bench-error ";

// the runner went away (interrupted): do not linger
process.on("disconnect", () => process.exit(1));

function finish(msg) {
  process.send(msg, () => process.exit(msg.type === "error" ? 1 : 0));
}

/** The guest module: clients.mjs with its export turned into a local, then the runner. */
export function guestSource(clientName, port, params) {
  const clients = readFileSync(join(ROOT, "bench", "clients.mjs"), "utf8").replace(
    /^export const clients =/m,
    "const clients =",
  );
  return [
    'import net from "net";',
    clients,
    "const now = typeof performance === 'object' && performance && typeof performance.now === 'function'",
    "  ? () => performance.now() : () => Date.now();",
    `clients[${JSON.stringify(clientName)}](net, ${Number(port)}, ${JSON.stringify(params)}, now, null).then(`,
    `  (r) => console.log(${JSON.stringify(MARK_OK)} + JSON.stringify(r)),`,
    // QuickJS's stack has no "name: message" header: print it first
    `  (e) => console.log(${JSON.stringify(MARK_ERR)} + (e && e.name) + ": " + (e && e.message) + " (code " + (e && e.code) + ", syscall " + (e && e.syscall) + ")" + String.fromCharCode(10) + String(e && e.stack)),`,
    ");",
  ].join("\n");
}

/** Collects whatever the sandbox's console writes, whether it hands us strings, chunks or arguments. */
function sink(lines) {
  let partial = "";
  const take = (text) => {
    partial += text;
    const parts = partial.split("\n");
    partial = parts.pop();
    lines.push(...parts);
  };
  const fn = (...args) => take(args.map(String).join(" ") + (args.length === 1 && String(args[0]).endsWith("\n") ? "" : "\n"));
  // usable both as a callback and as a writable-like object
  fn.write = (chunk, _enc, cb) => {
    take(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    if (typeof cb === "function") cb();
    return true;
  };
  fn.flush = () => {
    if (partial) lines.push(partial);
    partial = "";
  };
  return fn;
}

async function main() {
  const spec = WORKLOADS.find((w) => w.name === workload);
  if (!spec) throw new Error(`unknown workload '${workload}'`);
  const mod = await import(pathToFileURL(DIST.guest).href);
  const createSandbox = mod.createSandbox ?? mod.default?.createSandbox;
  if (typeof createSandbox !== "function") throw new Error(`${DIST.guest} does not export createSandbox`);
  const out = [];
  let cpu = null;
  let loopBusy = null;
  const err = [];
  const stdout = sink(out);
  const stderr = sink(err);
  const root = join(ROOT, "bench");
  const sandbox = await createSandbox({ allowNet: ["127.0.0.1:*"], stdout, stderr, root });
  try {
    const source = guestSource(spec.client, port, JSON.parse(paramsJson));
    const cpu0 = process.cpuUsage();
    const elu0 = performance.eventLoopUtilization();
    await sandbox.run({ source, filename: join(root, "guest-bench.mjs") });
    cpu = process.cpuUsage(cpu0);
    loopBusy = performance.eventLoopUtilization(elu0).utilization;
  } finally {
    await sandbox.dispose();
  }
  stdout.flush();
  stderr.flush();
  const ok = out.find((l) => l.startsWith(MARK_OK));
  // the client process's CPU over run(): the workload, plus evaluating the script
  if (ok) return { ...JSON.parse(ok.slice(MARK_OK.length)), cpu, loopBusy };
  const bad = out.find((l) => l.startsWith(MARK_ERR));
  throw new Error(bad ? bad.slice(MARK_ERR.length) : `guest printed no result; stdout: ${out.join("\n").slice(-800)} stderr: ${err.join("\n").slice(-800)}`);
}

if (process.send) {
  main().then(
    (result) => finish({ type: "result", result }),
    (e) => finish({ type: "error", message: `${e?.name}: ${e?.message} (code ${e?.code}, syscall ${e?.syscall})\n${e?.stack ?? e}` }),
  );
}
