// 4 MiB through an echo server, in odd-sized writes; counts and a checksum.
import net from "net";

const TOTAL = 4 * 1024 * 1024;
function pattern(i, n) {
  const b = Buffer.alloc(n);
  for (let k = 0; k < n; k++) b[k] = (i + k * 31) & 0xff;
  return b;
}
function sum(acc, chunk) {
  for (let k = 0; k < chunk.length; k++) acc = (acc * 33 + chunk[k]) >>> 0;
  return acc;
}
const srv = net.createServer((s) => s.pipe(s));
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect(srv.address().port, "127.0.0.1");
  let sent = 0;
  let sentSum = 5381;
  let got = 0;
  let gotSum = 5381;
  let writes = 0;
  let drains = 0;
  function pump() {
    while (sent < TOTAL) {
      const n = Math.min(TOTAL - sent, 1000 + ((writes * 7919) % 60000));
      const chunk = pattern(sent, n);
      sentSum = sum(sentSum, chunk);
      sent += n;
      writes++;
      if (!c.write(chunk)) {
        drains++;
        c.once("drain", pump);
        return;
      }
    }
    c.end();
  }
  c.on("connect", pump);
  c.on("data", (d) => {
    got += d.length;
    gotSum = sum(gotSum, d);
  });
  c.on("end", () => {
    console.log(`sent ${sent} got ${got} same=${sentSum === gotSum}`);
    console.log(`bytesWritten=${c.bytesWritten} bytesRead=${c.bytesRead}`);
    srv.close();
  });
});
