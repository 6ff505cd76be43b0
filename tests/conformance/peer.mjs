// A node:net peer in its own process, for fault tests (kill, full backlog)
// and the integrity echo. Prints {"port":N} on stdout once listening.
// Modes:
//   echo     echo every byte back, end after the client ends; prints
//            {"received":N,"sha256":"..."} for each connection when it ends
//   send     write 64 KiB chunks forever (until killed)
//   hold     accept and keep connections open without reading; prints
//            {"accepted":N} for each connection
//   blocked  listen with backlog 1 and never accept (the event loop blocks
//            after 'listening'), so the accept queue fills up
import net from "node:net";
import { createHash } from "node:crypto";

const mode = process.argv[2] ?? "echo";
const host = "127.0.0.1";
const held = [];

const srv = net.createServer({ pauseOnConnect: mode === "hold" }, (c) => {
  c.on("error", () => {});
  if (mode === "echo") {
    const h = createHash("sha256");
    let n = 0;
    c.on("data", (d) => {
      h.update(d);
      n += d.length;
    });
    c.on("end", () => process.stdout.write(JSON.stringify({ received: n, sha256: h.digest("hex") }) + "\n"));
    c.pipe(c);
  } else if (mode === "send") {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    const pump = () => {
      while (c.write(chunk));
    };
    c.on("drain", pump);
    pump();
  } else {
    held.push(c);
    process.stdout.write(JSON.stringify({ accepted: held.length }) + "\n");
  }
});
srv.listen({ port: 0, host, backlog: mode === "blocked" ? 1 : 511 }, () => {
  process.stdout.write(JSON.stringify({ port: srv.address().port }) + "\n");
  if (mode === "blocked") {
    // Block the loop at once (stdout to a pipe is synchronous on Linux):
    // nothing is ever accepted. The parent kills us.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
    process.exit(0);
  }
});
// never outlive the parent
process.on("disconnect", () => process.exit(0));
setTimeout(() => process.exit(0), 120_000).unref();
