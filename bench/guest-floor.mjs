#!/usr/bin/env node
// What one connection's stream work costs with no sockets and no host at all:
// the floor under the QuickJS guest's churn figure.
//
//   node bench/guest-floor.mjs [--count=N]
//
// The same script runs on Node (node:stream, V8) and inside a sandbox
// (readable-stream, QuickJS's interpreter): a bare Duplex goes through the
// steps a churn-1 connection's socket goes through ('connect', a 1-byte write,
// a 1-byte push, the peer's end, the write side's final, destroy, 'close'),
// each step a process.nextTick after the last, so the whole run is one host
// callback. No backend, no bridge, no event delivery: only readable-stream,
// events and buffer, which a guest Socket must run because it is a real
// Duplex. Compare the guest figure with node:net's whole churn-1 connection
// (`npm run bench -- --only=churn-1`).
import { fileURLToPath, pathToFileURL } from "node:url";
import { DIST, isBuilt } from "./impls.mjs";

if (!isBuilt("guest")) {
  console.error(`${DIST.guest} is not built: run \`npm run build\` first`);
  process.exit(2);
}

const count = Number(/^--count=(\d+)$/.exec(process.argv[2] ?? "")?.[1] ?? 5000);

/** The lifecycle loop; its text runs on both sides. `done` gets µs per lifecycle. */
function lifecycles(Duplex, n, done) {
  const one = Buffer.from([1]);
  let i = 0;
  let t0 = 0;
  const next = () => {
    if (i === 200) t0 = performance.now(); // the first 200 warm up
    if (i++ === n + 200) {
      done(((performance.now() - t0) * 1000) / n);
      return;
    }
    const d = new Duplex({
      allowHalfOpen: false,
      emitClose: false,
      autoDestroy: true,
      decodeStrings: false,
      read() {},
      write(_chunk, _enc, cb) {
        cb();
      },
      final(cb) {
        process.nextTick(cb);
      },
      destroy(err, cb) {
        cb(err);
        process.nextTick(() => d.emit("close"));
      },
    });
    let got = 0;
    d.on("error", (err) => {
      throw err;
    });
    d.on("connect", () => d.write(one));
    d.on("data", (b) => {
      got += b.length;
    });
    d.on("close", () => {
      if (got !== 1) throw new Error(`floor: got ${got} bytes`);
      next();
    });
    process.nextTick(() => {
      d.emit("connect");
      process.nextTick(() => {
        d.push(Buffer.from([2]));
        process.nextTick(() => d.push(null));
      });
    });
  };
  next();
}

async function onNode() {
  const { Duplex } = await import("node:stream");
  return new Promise((resolve) => lifecycles(Duplex, count, resolve));
}

async function inGuest() {
  const { createSandbox } = await import(pathToFileURL(DIST.guest).href);
  let out = "";
  const sandbox = await createSandbox({ stdout: (t) => (out += t), cpuBudgetMs: 120_000 });
  try {
    await sandbox.run({
      source: `import { Duplex } from "stream";\n${lifecycles.toString()}\nlifecycles(Duplex, ${count}, (us) => console.log("@@floor " + us));`,
      filename: fileURLToPath(new URL("./guest-floor-script.mjs", import.meta.url)),
    });
  } finally {
    sandbox.dispose();
  }
  const m = /@@floor ([\d.]+)/.exec(out);
  if (!m) throw new Error(`the guest printed no result: ${out}`);
  return Number(m[1]);
}

const node = await onNode();
const guest = await inGuest();
console.log(`stream work of one churn-1 connection, ${count} lifecycles (no sockets, no host):`);
console.log(`  node:stream on V8           ${node.toFixed(1).padStart(7)} µs`);
console.log(`  readable-stream in QuickJS  ${guest.toFixed(1).padStart(7)} µs  (${(guest / node).toFixed(1)}x)`);
