// write()'s return value and 'drain', as Node decides them: a write the kernel
// takes at once returns true (Node reads the buffered length after _write) and
// brings no 'drain'; against a peer that does not read, a write returns false,
// and one 'drain' follows once the peer reads.
import net from "net";

const CHUNK = 64 * 1024;
const chunk = Buffer.alloc(CHUNK, 7);
let peer = null;
const srv = net.createServer((s) => {
  s.pause();
  peer = s;
});
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect(srv.address().port, "127.0.0.1", () => {
    let drains = 0;
    c.on("drain", () => drains++);
    console.log(`a first 64 KiB write returns ${c.write(chunk)}`);
    setTimeout(() => {
      console.log(`'drain' events after it: ${drains}`);
      let writes = 1;
      let ok = true;
      while (ok && writes < 2000) {
        ok = c.write(chunk);
        writes++;
      }
      console.log(`against a peer that does not read, a write returns ${ok}`);
      c.once("drain", () => {
        console.log(`'drain' once the peer reads (${drains} before)`);
        c.end();
      });
      let got = 0;
      peer.on("data", (d) => (got += d.length));
      peer.on("end", () => {
        console.log(`the peer got every byte: ${got === writes * CHUNK}`);
        peer.end();
        srv.close();
      });
      peer.resume();
    }, 50);
  });
});
