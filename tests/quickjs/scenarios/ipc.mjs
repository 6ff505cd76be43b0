// A Unix domain socket server and client (the path is process.argv[2]).
import net from "net";

const path = process.argv[2];
const srv = net.createServer((s) => {
  s.on("data", (d) => s.write(`echo:${d}`));
  s.on("end", () => s.end());
});
srv.listen(path, () => {
  console.log(`address is the path: ${srv.address() === path}`);
  const c = net.connect(path, () => {
    console.log(`connected: remoteAddress=${c.remoteAddress} localAddress=${c.localAddress === "" || c.localAddress === undefined}`);
    c.end("ping");
  });
  let got = "";
  c.on("data", (d) => (got += d));
  c.on("end", () => console.log(`got ${got}`));
  c.on("close", () => srv.close(() => console.log("closed")));
});
