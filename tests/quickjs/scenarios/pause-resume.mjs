// pause(): no data while paused, everything after resume().
import net from "net";

const TOTAL = 512 * 1024;
const srv = net.createServer((s) => {
  s.end(Buffer.alloc(TOTAL, 7));
});
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect(srv.address().port, "127.0.0.1");
  c.pause();
  let got = 0;
  let whilePaused = 0;
  let paused = true;
  c.on("data", (d) => {
    if (paused) whilePaused += d.length;
    got += d.length;
  });
  c.on("connect", () => {
    setTimeout(() => {
      console.log(`isPaused=${c.isPaused()} dataWhilePaused=${whilePaused}`);
      paused = false;
      c.resume();
      console.log(`isPaused=${c.isPaused()}`);
    }, 100);
  });
  c.on("end", () => {
    console.log(`got ${got} of ${TOTAL}`);
    srv.close();
  });
});
