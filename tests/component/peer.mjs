// A peer for component tests, in its own process: preview2-shim's TCP blocks Node's
// main thread, so the other end of a connection must not live in the test process.
//   node peer.mjs echo            -> prints the port, echoes every connection, exits on stdin EOF
//   node peer.mjs hold            -> listens and prints the port, accepts nothing useful
//   node peer.mjs client PORT MSG -> connects to 127.0.0.1:PORT, sends MSG, ends, then
//                                    prints `reply:<what came back>` and exits
import net from "node:net";

const mode = process.argv[2] ?? "echo";

function client(port, msg) {
  const chunks = [];
  const c = net.connect(port, "127.0.0.1", () => c.end(msg));
  c.on("data", (d) => chunks.push(d));
  c.on("close", () => {
    process.stdout.write(`reply:${Buffer.concat(chunks).toString()}\n`);
    process.exit(0);
  });
  c.on("error", (e) => {
    process.stdout.write(`error:${e.code}\n`);
    process.exit(1);
  });
}

function server() {
  const srv = net.createServer((s) => {
    if (mode === "echo") s.pipe(s);
    else s.resume();
  });
  srv.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${srv.address().port}\n`);
  });
  process.stdin.resume();
  process.stdin.on("end", () => process.exit(0));
}

if (mode === "client") client(Number(process.argv[3]), process.argv[4]);
else server();
