// An HTTP/1.1 GET over net.Socket, printing the status, headers and body size.
//   wasock run examples/http-get.mjs --allow-net=127.0.0.1:8080 -- 127.0.0.1 8080 /
import net from "node:net";

const [host = "127.0.0.1", port = "80", path = "/"] = process.argv.slice(2);

const socket = net.connect({ host, port: Number(port) });
const chunks = [];
socket.on("connect", () => {
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: wasock\r\nAccept: */*\r\nConnection: close\r\n\r\n`);
});
socket.on("data", (chunk) => chunks.push(chunk));
socket.on("end", () => {
  const raw = Buffer.concat(chunks);
  const split = raw.indexOf("\r\n\r\n");
  const head = raw.subarray(0, split).toString("latin1").split("\r\n");
  let body = raw.subarray(split + 4);
  const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
  if (headers["transfer-encoding"] === "chunked") body = dechunk(body);
  console.log(head[0]);
  for (const [k, v] of Object.entries(headers)) console.log(`${k}: ${v}`);
  console.log(`body: ${body.length} bytes`);
  console.log(body.toString("utf8"));
});

function dechunk(buf) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf("\r\n", at);
    const size = parseInt(buf.toString("latin1", at, eol), 16);
    if (!size) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
