// socket.setTimeout: 'timeout' after idleness, reset by activity, cleared by 0.
import net from "net";

const srv = net.createServer((s) => {
  s.on("data", () => {});
  s.on("end", () => s.end());
});
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect({ port: srv.address().port, host: "127.0.0.1", timeout: 80 });
  const t0 = Date.now();
  let timeouts = 0;
  c.on("timeout", () => {
    timeouts++;
    const waited = Date.now() - t0;
    console.log(`timeout ${timeouts} after >= 70ms: ${waited >= 70} timeout=${c.timeout}`);
    if (timeouts === 1) {
      c.setTimeout(0);
      console.log(`cleared: timeout=${c.timeout}`);
      setTimeout(() => {
        console.log(`no second timeout: ${timeouts === 1}`);
        c.setTimeout(30, () => {
          console.log("callback timeout");
          c.destroy();
        });
      }, 150);
    }
  });
  c.on("close", () => srv.close(() => console.log("closed")));
});
