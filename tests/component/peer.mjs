// A peer for component tests, in its own process: preview2-shim's TCP blocks Node's
// main thread, so the other end of a connection must not live in the test process.
//   node peer.mjs echo     -> prints the port, echoes every connection, exits on stdin EOF
//   node peer.mjs hold     -> listens and prints the port, accepts nothing useful
import net from "node:net";

const mode = process.argv[2] ?? "echo";
const server = net.createServer((s) => {
  if (mode === "echo") s.pipe(s);
  else s.resume();
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
