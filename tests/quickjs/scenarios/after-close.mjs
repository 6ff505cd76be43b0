// Properties after 'close' (cached by ts-api; the guest's handle is gone by then).
import net from "net";

const srv = net.createServer((s) => s.end("hi"));
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect(srv.address().port, "127.0.0.1");
  c.resume();
  c.on("close", () =>
    setTimeout(() => {
      console.log(JSON.stringify([c.bytesRead, c.bytesWritten, c.bufferSize, c.remoteAddress, c.remotePort, c.localAddress, c.readyState, c.destroyed, c.writableLength]));
      c.destroy();
      c.end();
      c.write("late", (err) => console.log("write after close:", err && err.code));
      srv.close(() => setTimeout(() => console.log(JSON.stringify([srv.address(), srv.listening])), 5));
    }, 10),
  );
  c.on("error", (e) => console.log("error", e.code));
});
