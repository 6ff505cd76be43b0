// allowHalfOpen: the client ends first and still receives the server's reply.
import net from "net";

const log = [];
const srv = net.createServer({ allowHalfOpen: true }, (s) => {
  let got = "";
  s.on("data", (d) => (got += d));
  s.on("end", () => {
    log.push(`server end after ${JSON.stringify(got)} writable=${s.writable} readyState=${s.readyState}`);
    setTimeout(() => {
      s.write("reply after your FIN");
      s.end();
    }, 20);
  });
  s.on("close", () => srv.close(() => console.log(log.join("\n"))));
});
srv.listen(0, "127.0.0.1", () => {
  const c = net.connect({ port: srv.address().port, host: "127.0.0.1", allowHalfOpen: true }, () => {
    c.end("request");
    log.push(`client ended: readyState=${c.readyState} writable=${c.writable}`);
  });
  let got = "";
  c.on("data", (d) => (got += d));
  c.on("end", () => log.push(`client end with ${JSON.stringify(got)}`));
  c.on("close", (hadError) => log.push(`client close ${hadError}`));
});
