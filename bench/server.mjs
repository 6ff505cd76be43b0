// Server half of a benchmark run, in its own process (forked by bench/run.mjs).
//   node --expose-gc bench/server.mjs <impl> <workload>
// Listens on 127.0.0.1, port 0, and talks to the parent over IPC:
//   -> { type: "listening", port }
//   <- { type: "mark", expect }   (fanout) -> { type: "mark", rss, heapUsed, external, arrayBuffers, connections }
//   <- { type: "close" }          closes everything and exits
import { loadNet } from "./impls.mjs";

const [impl, workload] = process.argv.slice(2);

function fail(err) {
  process.send({ type: "error", message: String(err?.stack ?? err) }, () => process.exit(1));
}

const net = await loadNet(impl).catch(fail);
const sockets = new Set();
let connections = 0;
let waiting = null;

function echo(sock) {
  sock.on("data", (d) => {
    if (!sock.write(d)) sock.pause();
  });
  sock.on("drain", () => sock.resume());
  sock.on("end", () => sock.end());
}

const HANDLERS = {
  "bulk-sink"(sock) {
    let count = 0;
    sock.on("data", (d) => {
      count += d.length;
    });
    sock.on("end", () => sock.end(String(count)));
  },
  "bulk-echo": echo,
  pingpong(sock) {
    sock.setNoDelay(true);
    echo(sock);
  },
  "churn-1"(sock) {
    sock.on("data", (d) => sock.end(d));
  },
  "churn-50"(sock) {
    sock.on("data", (d) => sock.end(d));
  },
  fanout() {},
};

const handle = HANDLERS[workload];
if (!handle) fail(new Error(`unknown workload '${workload}'`));

const server = net.createServer((sock) => {
  connections++;
  sockets.add(sock);
  // the client closes abruptly at the end of some workloads: not a failure here
  sock.on("error", () => {});
  sock.on("close", () => sockets.delete(sock));
  handle(sock);
  if (waiting && connections >= waiting.expect) waiting.done();
});
server.on("error", fail);
server.listen(0, "127.0.0.1", () => {
  process.send({ type: "listening", port: server.address().port });
});

function sampleMemory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, external, arrayBuffers };
}

process.on("message", (msg) => {
  if (msg.type === "mark") {
    const reply = () => {
      waiting = null;
      process.send({ type: "mark", ...sampleMemory(), connections });
    };
    if (connections >= msg.expect) reply();
    else waiting = { expect: msg.expect, done: reply };
  } else if (msg.type === "close") {
    for (const s of sockets) s.destroy();
    server.close(() => process.exit(0));
    // a server whose close never completes must not hang the run
    setTimeout(() => process.exit(0), 2000).unref();
  }
});
process.on("disconnect", () => process.exit(0));
