// Error codes: refused connect, address in use, write after end, bad arguments.
import net from "net";

function show(e) {
  return JSON.stringify({ name: e.name, code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port === undefined ? undefined : e.port > 0, message: e.message.replace(/:\d+$/, ":<port>").replace(/port \d+/, "port <port>") });
}

for (const bad of [-1, 65536, "x"]) {
  try {
    net.connect({ port: bad, host: "127.0.0.1" });
    console.log("no throw", bad);
  } catch (e) {
    console.log("connect", JSON.stringify(bad), e.name, e.code);
  }
}
try {
  net.createServer().listen({ port: 1.5 });
} catch (e) {
  console.log("listen 1.5", e.name, e.code);
}

const probe = net.createServer();
probe.listen(0, "127.0.0.1", () => {
  const port = probe.address().port;
  probe.close(() => {
    const c = net.connect(port, "127.0.0.1");
    c.on("connectionAttempt", (address, p, family) => console.log("attempt", address, p === port, family));
    c.on("connectionAttemptFailed", (address, p, family, e) => console.log("attempt failed", address, p === port, family, e.code, c.connecting));
    c.on("error", (e) => console.log("refused", show(e)));
    c.on("close", (hadError) => {
      console.log("close", hadError);
      inUse();
    });
  });
});

function inUse() {
  const a = net.createServer();
  a.listen(0, "127.0.0.1", () => {
    const b = net.createServer();
    b.on("error", (e) => {
      console.log("in use", show(e));
      a.close(afterEnd);
    });
    b.listen(a.address().port, "127.0.0.1");
  });
}

function afterEnd() {
  const srv = net.createServer((s) => s.resume());
  srv.listen(0, "127.0.0.1", () => {
    const c = net.connect(srv.address().port, "127.0.0.1", () => {
      c.end();
      c.write("late", (e) => console.log("write cb", e && e.code));
      c.on("error", (e) => console.log("error event", e.code));
      c.on("close", () => srv.close(() => console.log("done")));
    });
  });
}
