#!/usr/bin/env node
// `npm run bench`: node:net, wasock/node and the QuickJS guest on the same
// workloads, in the same run, alternating round by round, with the ratio taken
// pair by pair against the node:net run of the same round.
//
//   node bench/run.mjs [--quick] [--only=pingpong,churn-1] [--runs=N] [--impls=node,wasock,guest]
//   --wasock-capacity=N builds wasock/node with createNet({ capacity: N }) instead of the default export.
//   --profile writes V8 CPU profiles of every process to .bench-out/prof/ (see bench/prof-top.mjs).
//   --impls=node,aa runs node:net against itself (A/A) to show the harness's own noise;
//   --impls=node,wasock-client,wasock-server puts wasock/node on one side only.
//
// Every run forks a fresh server process and a fresh client process on
// 127.0.0.1. Rows:
//   node:net       client node:net    server node:net   (the baseline)
//   wasock/node    client wasock/node server wasock/node (issue 3)
//   QuickJS guest  client in a sandbox server node:net   (issue 4)
// Results go to stdout as tables and to .bench-out/ as JSON.
import { execFileSync, fork } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem, loadavg } from "node:os";
import { join } from "node:path";
import { DIST, LABEL, ROOT, SIDES, TARGET_OF, isBuilt } from "./impls.mjs";
import { WORKLOADS } from "./workloads.mjs";

const args = parseArgs(process.argv.slice(2));
const quick = args.quick === true;
const runs = Number(args.runs ?? (quick ? 1 : 5));
const only = typeof args.only === "string" ? args.only.split(",") : null;
const wantedImpls = typeof args.impls === "string" ? args.impls.split(",") : ["node", "wasock", "guest"];

for (const name of only ?? []) {
  if (!WORKLOADS.some((w) => w.name === name)) {
    console.error(`unknown workload '${name}'; known: ${WORKLOADS.map((w) => w.name).join(", ")}`);
    process.exit(2);
  }
}
if (!Number.isInteger(runs) || runs < 1) {
  console.error("--runs must be a positive integer");
  process.exit(2);
}
for (const impl of wantedImpls) {
  if (!(impl in LABEL)) {
    console.error(`unknown implementation '${impl}'; known: ${Object.keys(LABEL).join(", ")}`);
    process.exit(2);
  }
}

if (args["wasock-capacity"] !== undefined) {
  if (!(Number(args["wasock-capacity"]) > 0)) {
    console.error("--wasock-capacity must be a positive number");
    process.exit(2);
  }
  process.env.WASOCK_BENCH_CAPACITY = String(args["wasock-capacity"]);
}
const workloads = WORKLOADS.filter((w) => !only || only.includes(w.name));
const built = Object.fromEntries(Object.keys(LABEL).map((impl) => [impl, isBuilt(impl)]));

function parseArgs(argv) {
  const out = {};
  for (const a of argv) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`bad argument '${a}'`);
      process.exit(2);
    }
    out[m[1]] = m[2] ?? true;
  }
  return out;
}

/** How long one client run may take before it counts as hung. */
function timeoutFor(w) {
  return quick ? 60_000 : w.name.startsWith("bulk") ? 240_000 : 180_000;
}

/** Forks a process with IPC; collects its stderr for error reports. */
function spawn(script, argv, execArgv, label) {
  const prof = args.profile
    ? ["--cpu-prof", `--cpu-prof-dir=${join(ROOT, ".bench-out", "prof")}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`]
    : [];
  const child = fork(join(ROOT, "bench", script), argv, {
    execArgv: [...execArgv, ...prof],
    stdio: ["ignore", "inherit", "pipe", "ipc"],
    serialization: "json",
  });
  child.stderrText = "";
  child.stderr.on("data", (d) => {
    child.stderrText = (child.stderrText + d).slice(-4000);
  });
  child.exited = new Promise((res) => child.on("exit", (code, sig) => res({ code, sig })));
  return child;
}

function firstMessage(child, type, ms, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no '${type}' within ${ms} ms`)), ms);
    const onMsg = (msg) => {
      if (msg.type === type || msg.type === "error") {
        clearTimeout(timer);
        child.off("message", onMsg);
        child.off("exit", onExit);
        if (msg.type === "error") reject(new Error(`${what}: ${msg.message}`));
        else resolve(msg);
      }
    };
    const onExit = (code, sig) => {
      clearTimeout(timer);
      child.off("message", onMsg);
      reject(new Error(`${what} exited (${code ?? sig}) before '${type}': ${child.stderrText.trim().slice(-1500)}`));
    };
    child.on("message", onMsg);
    child.on("exit", onExit);
  });
}

/** Asks a child to finish (a message, or nothing: it exits by itself), then kills it after a grace period. */
async function stop(child, graceful) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (graceful && child.connected) child.send(graceful);
  const killer = setTimeout(() => child.kill("SIGKILL"), 4000);
  await child.exited;
  clearTimeout(killer);
}

/** One client/server pair on one workload. Resolves to the compared figure and details. */
async function runOnce(impl, w, params) {
  const { client: clientImpl, server: serverImpl } = SIDES[impl];
  const server = spawn("server.mjs", [serverImpl, w.name], ["--expose-gc"], `${w.name}-${impl}-row-server`);
  let client = null;
  try {
    const { port } = await firstMessage(server, "listening", 30_000, `${serverImpl} server`);
    const argv = [w.name, String(port), JSON.stringify(params)];
    const label = `${w.name}-${impl}-row-client`;
    client = clientImpl === "guest" ? spawn("guest-client.mjs", argv, [], label) : spawn("client.mjs", [clientImpl, ...argv], [], label);
    const marks = [];
    const expects = w.name === "fanout" ? [params.first, params.first + params.more] : [];
    client.on("message", (msg) => {
      if (msg.type !== "mark") return;
      const expect = expects[marks.length];
      firstMessage(server, "mark", 60_000, "server mark").then(
        (m) => {
          marks.push(m);
          client.send({ type: "marked" });
        },
        (err) => client.kill("SIGKILL") && console.error(String(err)),
      );
      server.send({ type: "mark", expect });
    });
    // a server that dies mid-run ends the run at once instead of at the timeout
    const serverDied = server.exited.then(({ code, sig }) => {
      throw new Error(`${serverImpl} server exited (${code ?? sig}) during the run: ${server.stderrText.trim().slice(-1500)}`);
    });
    const { result } = await Promise.race([firstMessage(client, "result", timeoutFor(w), `${LABEL[impl]} client`), serverDied]);
    serverDied.catch(() => {});
    if (w.name === "fanout") {
      if (marks.length !== 2) throw new Error("fanout: server did not report two RSS samples");
      const per = (k) => Math.round((marks[1][k] - marks[0][k]) / params.more);
      result.value = (marks[1].rss - marks[0].rss) / params.more;
      // where the RSS goes: JS heap and off-heap (external includes wasm memories and buffers)
      result.heapPerConn = per("heapUsed");
      result.externalPerConn = per("external");
      result.samples = marks;
    }
    return result;
  } finally {
    // a client exits on its own once it reported; one that did not is killed after the grace period
    if (client) await stop(client, null);
    await stop(server, { type: "close" });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** Which implementations take part in a workload (node:net always, as the baseline). */
function implsFor(w) {
  return wantedImpls.filter((impl) => impl === "node" || (impl === "guest" ? w.guest !== false : true));
}

async function main() {
  const started = new Date();
  console.log(`wasock bench ${quick ? "(quick) " : ""}- ${started.toISOString()}`);
  console.log(
    `node ${process.version}, ${cpus().length} cpus (${cpus()[0]?.model ?? "?"}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`,
  );
  for (const impl of ["wasock", "guest"]) {
    if (wantedImpls.includes(impl) && !built[impl]) console.log(`${LABEL[impl]}: n/a (not built: ${DIST[impl]} missing)`);
  }
  checkFdLimit();
  if (process.env.WASOCK_BENCH_CAPACITY) {
    console.log(`wasock/node: createNet({ capacity: ${process.env.WASOCK_BENCH_CAPACITY} }) instead of the default export`);
  }
  console.log(`${runs} round(s) per workload; order rotates each round\n`);

  const results = {};
  for (const w of workloads) {
    const params = quick ? w.quick : w.full;
    const impls = implsFor(w).filter((impl) => built[impl]);
    const rec = Object.fromEntries(impls.map((impl) => [impl, { values: [], details: [], error: null, failures: 0 }]));
    results[w.name] = { params, unit: w.unit, better: w.better, target: w.target, rounds: rec };
    for (let r = 0; r < runs; r++) {
      const order = impls.map((_, i) => impls[(i + r) % impls.length]);
      for (const impl of order) {
        const slot = rec[impl];
        // an intermittent failure costs one round; a second one means it is not going to work
        if (slot.failures >= 2) {
          slot.values.push(null);
          continue;
        }
        const t0 = Date.now();
        try {
          const res = await runOnce(impl, w, params);
          slot.values.push(res.value);
          slot.details.push(res);
          process.stdout.write(
            `  ${w.name.padEnd(9)} round ${r + 1}/${runs} ${LABEL[impl].padEnd(13)} ${fmt(res.value, w.unit)} ${w.unit}` +
              (res.heapPerConn !== undefined ? ` (JS heap ${res.heapPerConn}, external ${res.externalPerConn})` : "") +
              cpuNote(res, w) +
              `  (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
          );
        } catch (err) {
          slot.failures++;
          slot.error = String(err?.message ?? err).split("\n").slice(0, 6).join("\n");
          slot.values.push(null);
          process.stdout.write(`  ${w.name.padEnd(9)} round ${r + 1}/${runs} ${LABEL[impl].padEnd(13)} ERROR ${slot.error.split("\n")[0]}\n`);
        }
      }
    }
    summarise(w, results[w.name]);
  }

  console.log("");
  if (wantedImpls.includes("wasock")) printTable("wasock/node vs node:net (issue 3; client and server both on the implementation)", "wasock", results);
  if (wantedImpls.includes("guest")) printTable("QuickJS guest vs node:net (issue 4; guest client, node:net server)", "guest", results);
  if (wantedImpls.includes("aa")) printTable("A/A: node:net vs node:net (harness noise)", "aa", results);
  if (wantedImpls.includes("wasock-client")) printTable("wasock/node client, node:net server (diagnostic)", "wasock-client", results);
  if (wantedImpls.includes("wasock-server")) printTable("node:net client, wasock/node server (diagnostic)", "wasock-server", results);

  const outDir = join(ROOT, ".bench-out");
  mkdirSync(outDir, { recursive: true });
  const report = {
    date: started.toISOString(),
    quick,
    runs,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    built,
    results,
  };
  const stamp = started.toISOString().replace(/[:.]/g, "-");
  const file = join(outDir, `bench-${quick ? "quick-" : ""}${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));
  writeFileSync(join(outDir, "latest.json"), JSON.stringify(report, null, 2));
  console.log(`\nJSON: ${file}`);
}

/** fanout holds every connection open in both processes: each needs that many descriptors. */
function checkFdLimit() {
  const w = workloads.find((x) => x.name === "fanout");
  if (!w) return;
  const p = quick ? w.quick : w.full;
  const need = p.first + p.more + 100;
  let limit = NaN;
  try {
    limit = Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim());
  } catch {}
  if (Number.isFinite(limit) && limit < need) {
    console.log(`warning: ulimit -n is ${limit}; fanout needs ${need} descriptors per process (raise it: ulimit -n ${need})`);
  }
}

/** Medians, and the ratio against node:net taken round by round. */
function summarise(w, res) {
  const base = res.rounds.node?.values ?? [];
  for (const [impl, slot] of Object.entries(res.rounds)) {
    const ok = slot.values.filter((v) => v !== null);
    slot.median = ok.length ? median(ok) : null;
    if (impl === "node") continue;
    const ratios = slot.values.map((v, i) => (v !== null && base[i] != null && base[i] !== 0 ? v / base[i] : null)).filter((x) => x !== null);
    slot.ratios = ratios;
    slot.ratio = ratios.length ? median(ratios) : null;
    const t = w.target?.[TARGET_OF[impl]];
    slot.status = t == null || slot.ratio === null ? null : (w.better === "lower" ? slot.ratio <= t : slot.ratio >= t) ? "pass" : "miss";
  }
}

/**
 * The client process's CPU per unit of work (µs per connection, round trip or MB),
 * from the `cpu` a client reports; null for fanout, or a client that sent none.
 */
function cpuPerOp(res, w) {
  if (!res?.cpu || w.better !== "higher" || !(res.value > 0) || !(res.ms > 0)) return null;
  const ops = (res.value * res.ms) / 1000;
  return { total: (res.cpu.user + res.cpu.system) / ops, user: res.cpu.user / ops, busy: (res.cpu.user + res.cpu.system) / 1000 / res.ms };
}

function cpuNote(res, w) {
  const c = cpuPerOp(res, w);
  if (c === null) return "";
  const loop = typeof res.loopBusy === "number" ? `, event loop ${Math.round(res.loopBusy * 100)}% busy` : "";
  return `  [client CPU ${c.total.toFixed(c.total >= 100 ? 0 : 1)} µs/${w.unit.split("/")[0]}, ${Math.round(c.user / c.total * 100)}% user, ${Math.round(c.busy * 100)}% of a core${loop}]`;
}

/** median client CPU per unit over a slot's rounds, as text */
function cpuMedian(slot, w) {
  const xs = (slot?.details ?? []).map((d) => cpuPerOp(d, w)?.total).filter((x) => x != null);
  if (xs.length === 0) return "-";
  const m = median(xs);
  return m.toFixed(m >= 100 ? 0 : 1);
}

function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  if (unit === "B/conn") return Math.round(v).toString();
  return v >= 100 ? Math.round(v).toString() : v.toFixed(1);
}

function printTable(title, impl, results) {
  const rows = [];
  for (const w of workloads) {
    const res = results[w.name];
    const base = res.rounds.node;
    const t = w.target?.[TARGET_OF[impl]];
    const targetStr = t == null ? "-" : `${w.better === "lower" ? "<=" : ">="}${t.toFixed(2)}`;
    const baseStr = base?.error ? "error" : fmt(base?.median, w.unit);
    let val, ratio, range, status;
    if (impl === "guest" && w.guest === false) {
      [val, ratio, range, status] = ["n/a (server-side metric)", "-", "", "-"];
    } else if (!wantedImpls.includes(impl)) {
      [val, ratio, range, status] = ["(not requested)", "-", "", "-"];
    } else if (!built[impl]) {
      [val, ratio, range, status] = ["n/a (not built)", "-", "", "-"];
    } else {
      const slot = res.rounds[impl];
      if (slot.error && slot.median === null) {
        [val, ratio, range, status] = ["error", "-", "", "error"];
      } else {
        val = fmt(slot.median, w.unit);
        ratio = slot.ratio === null ? "-" : slot.ratio.toFixed(2);
        range = slot.ratios.length > 1 ? `${Math.min(...slot.ratios).toFixed(2)}-${Math.max(...slot.ratios).toFixed(2)}` : "";
        status = slot.status ?? (t == null ? "(no target)" : "-");
        if (slot.error) status += ` (${slot.failures} failed round${slot.failures > 1 ? "s" : ""})`;
      }
    }
    const cpu = w.better === "higher" && wantedImpls.includes(impl) ? `${cpuMedian(base, w)} / ${cpuMedian(res.rounds[impl], w)}` : "";
    rows.push([w.name, w.unit, baseStr, val, ratio, range, targetStr, status, cpu]);
  }
  const head = ["workload", "unit", "node:net", LABEL[impl], "ratio", "range", "target", "status", "client CPU µs/unit"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i >= 2 && i <= 4 ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join("  ");
  console.log(title);
  console.log(line(head));
  console.log(widths.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
  const errors = workloads
    .map((w) => [w.name, results[w.name].rounds[impl]?.error, results[w.name].rounds.node?.error])
    .filter(([, e, b]) => e || b);
  for (const [name, e, b] of errors) {
    if (b) console.log(`  ${name}: node:net error: ${b.split("\n")[0]}`);
    if (e) console.log(`  ${name}: ${LABEL[impl]} error: ${e.split("\n")[0]}`);
  }
  console.log(
    `  ratio = median over rounds of (${LABEL[impl]} / node:net of the same round); range = min-max of those ratios.\n` +
      `  client CPU = the client process's user+kernel CPU per unit (connection, round trip, MB), median: node:net / ${LABEL[impl]}.` +
      (workloads.some((w) => w.better === "lower") ? " fanout: lower is better." : "") +
      "\n",
  );
}

await main();
