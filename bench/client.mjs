// Client half of a benchmark run on Node, in its own process (forked by bench/run.mjs).
//   node bench/client.mjs <impl> <workload> <port> <params-json>
// Reports over IPC: { type: "result", result } or { type: "error", message }.
// fanout asks the parent to sample the server: -> { type: "mark", expect }, <- { type: "marked" }.
import { performance } from "node:perf_hooks";
import { clients } from "./clients.mjs";
import { loadNet } from "./impls.mjs";
import { WORKLOADS } from "./workloads.mjs";

const [impl, workload, port, paramsJson] = process.argv.slice(2);

// the runner went away (interrupted): do not linger
process.on("disconnect", () => process.exit(1));

function finish(msg) {
  process.send(msg, () => process.exit(msg.type === "error" ? 1 : 0));
}

let markResolve = null;
process.on("message", (msg) => {
  if (msg.type === "marked" && markResolve) {
    const res = markResolve;
    markResolve = null;
    res();
  }
});

const hooks = {
  mark() {
    return new Promise((res) => {
      markResolve = res;
      process.send({ type: "mark" });
    });
  },
};

try {
  const spec = WORKLOADS.find((w) => w.name === workload);
  if (!spec) throw new Error(`unknown workload '${workload}'`);
  const net = await loadNet(impl);
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const result = await clients[spec.client](net, Number(port), JSON.parse(paramsJson), () => performance.now(), hooks);
  // the client process's CPU over the workload (µs, every thread, user and kernel),
  // and the share of the time its event loop was not waiting for I/O
  result.cpu = process.cpuUsage(cpu0);
  result.loopBusy = performance.eventLoopUtilization(elu0).utilization;
  finish({ type: "result", result });
} catch (err) {
  finish({ type: "error", message: String(err?.stack ?? err) });
}
