// onread: reads into the script's buffer, stops when the callback returns false,
// a buffer function, and 256 KiB through a 1000-byte buffer with every byte in order.
import net from "net";

const TOTAL = 256 * 1024;
const big = Buffer.alloc(TOTAL);
for (let i = 0; i < TOTAL; i++) big[i] = (i * 7 + (i >> 8) * 13) & 0xff;

const payloads = ["0123456789", "abcdefghijkl", big];
let k = 0;
const srv = net.createServer((s) => s.end(payloads[k++]));

function small(port, done) {
  const buf = Buffer.alloc(4);
  let calls = 0;
  const c = net.connect({
    port, host: "127.0.0.1",
    onread: {
      buffer: buf,
      callback(n, b) {
        console.log(`onread ${n} ${b === buf} ${b.toString("utf8", 0, n)}`);
        return ++calls !== 1;
      },
    },
  });
  c.on("data", () => console.log("data (never)"));
  c.on("resume", () => console.log("resume"));
  c.on("end", () => console.log("end"));
  c.on("connect", () => setTimeout(() => {
    console.log(`stopped calls=${calls} isPaused=${c.isPaused()} ended=${c.readableEnded}`);
    c.resume();
  }, 50));
  c.on("close", done);
}

function generated(port, done) {
  let gens = 0;
  let last = null;
  const c = net.connect({
    port, host: "127.0.0.1",
    onread: {
      buffer: () => (gens++, last = new Uint8Array(5)),
      callback: (n, b) => console.log(`gen onread ${n} ${b === last} gens=${gens}`),
    },
  });
  console.log(`after connect() gens=${gens}`);
  c.on("end", () => console.log(`gen end gens=${gens}`));
  c.on("close", done);
}

function bulk(port, done) {
  let total = 0;
  let reads = 0;
  let bad = 0;
  const c = net.connect({
    port, host: "127.0.0.1",
    onread: {
      buffer: Buffer.alloc(1000),
      callback(n, b) {
        if (n > 1000) bad++;
        for (let i = 0; i < n; i++) if (b[i] !== big[total + i]) bad++;
        total += n;
        if (++reads % 50 !== 0) return true;
        setImmediate(() => c.resume());
        return false;
      },
    },
  });
  c.on("end", () => console.log(`bulk got ${total} of ${TOTAL}, ${bad} wrong`));
  c.on("close", done);
}

srv.listen(0, "127.0.0.1", () => {
  const port = srv.address().port;
  small(port, () => generated(port, () => bulk(port, () => srv.close())));
});
