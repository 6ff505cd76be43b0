// Events of a client and a server, in order, with salient properties.
import net from "net";

const client = [];
const server = [];
let pending = 2;
function done() {
  if (--pending === 0) console.log(JSON.stringify({ client, server }, null, 1));
}
const srv = net.createServer((s) => {
  server.push(`connection readyState=${s.readyState} remoteFamily=${s.remoteFamily}`);
  s.on("data", (d) => server.push(`data ${d}`));
  s.on("end", () => {
    server.push("end");
    s.end("bye");
  });
  s.on("finish", () => server.push("finish"));
  s.on("close", (hadError) => {
    server.push(`close hadError=${hadError}`);
    srv.close(() => {
      server.push("server close");
      done();
    });
  });
});
srv.on("listening", () => server.push("listening"));
srv.listen(0, "127.0.0.1", () => {
  const port = srv.address().port;
  const c = net.connect(port, "127.0.0.1");
  client.push(`connecting=${c.connecting} pending=${c.pending} readyState=${c.readyState}`);
  c.on("lookup", (err, address, family) => client.push(`lookup ${err} ${address} ${family}`));
  c.on("connectionAttempt", (address, p, family) => client.push(`connectionAttempt ${address} ${p === port} ${family} connecting=${c.connecting}`));
  c.on("connect", () => {
    client.push(`connect readyState=${c.readyState} remotePort=${c.remotePort === port} remoteAddress=${c.remoteAddress}`);
    c.write("hello", () => client.push("write cb"));
    c.end();
  });
  c.on("ready", () => client.push("ready"));
  c.on("data", (d) => client.push(`data ${d}`));
  c.on("end", () => client.push(`end readyState=${c.readyState}`));
  c.on("finish", () => client.push("finish"));
  c.on("close", (hadError) => {
    client.push(`close hadError=${hadError} destroyed=${c.destroyed} bytesRead=${c.bytesRead} bytesWritten=${c.bytesWritten}`);
    done();
  });
});
