// An echo server and a client talking to each other inside one sandbox, on
// 127.0.0.1. Run it with: wasock run examples/echo.mjs --allow-net=127.0.0.1:*
import net from "node:net";

const messages = ["hello", "from inside QuickJS", "bye"];

const server = net.createServer((socket) => {
  console.log(`server: connection from ${socket.remoteAddress}:${socket.remotePort}`);
  socket.on("data", (chunk) => {
    console.log(`server: got ${JSON.stringify(chunk.toString())}, echoing`);
    socket.write(chunk);
  });
  socket.on("end", () => {
    console.log("server: client ended; closing");
    socket.end();
  });
});

server.listen(0, "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`server: listening on ${address}:${port}`);
  const client = net.connect({ host: address, port }, () => {
    console.log(`client: connected from ${client.localAddress}:${client.localPort}`);
    send();
  });
  let i = 0;
  let pending = "";
  function send() {
    console.log(`client: sending ${JSON.stringify(messages[i])}`);
    client.write(messages[i]);
  }
  client.on("data", (chunk) => {
    pending += chunk.toString();
    if (pending.length < messages[i].length) return;
    console.log(`client: echoed ${JSON.stringify(pending)}`);
    pending = "";
    i += 1;
    if (i < messages.length) send();
    else client.end();
  });
  client.on("close", () => {
    console.log(`client: closed after ${client.bytesWritten} bytes out, ${client.bytesRead} bytes in`);
    server.close(() => console.log("server: closed"));
  });
});
