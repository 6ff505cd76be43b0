// Child script for ref.test.ts: does the event loop stay alive?
// argv: <module: "node:net" or a path to the wasock/node bundle> <case>
// Prints lines; the parent compares them and whether the process exited.
const [mod, which] = process.argv.slice(2);
const imported = await import(mod === "node:net" ? "node:net" : new URL(`file://${mod}`).href);
const net = imported.default ?? imported;
const say = (s) => process.stdout.write(s + "\n");
const H = "127.0.0.1";

function listen(srv) {
  return new Promise((r) => srv.listen(0, H, () => r(srv.address().port)));
}

switch (which) {
  case "server-unref": {
    const srv = net.createServer();
    await listen(srv);
    say(`unref returns this: ${srv.unref() === srv}`);
    break; // should exit
  }
  case "server-ref": {
    const srv = net.createServer();
    await listen(srv);
    srv.unref();
    srv.ref();
    say("ref again");
    break; // should stay alive
  }
  case "server-unref-before-listen": {
    const srv = net.createServer();
    srv.unref();
    await listen(srv);
    say("listening");
    break; // should exit
  }
  case "socket-unref": {
    const srv = net.createServer((c) => c.on("error", () => {}).unref());
    const port = await listen(srv);
    srv.unref();
    const c = net.connect(port, H, () => {
      say("connected");
      c.unref();
    });
    break; // both unref'd: should exit
  }
  case "socket-ref": {
    const srv = net.createServer((c) => c.on("error", () => {}).unref());
    const port = await listen(srv);
    srv.unref();
    const c = net.connect(port, H, () => say("connected"));
    break; // the client keeps the loop alive
  }
  case "socket-unref-before-connect": {
    const srv = net.createServer((c) => c.on("error", () => {}).unref());
    const port = await listen(srv);
    srv.unref();
    const c = new net.Socket();
    c.unref();
    c.connect(port, H, () => say("connected"));
    break; // should exit (possibly before or after 'connected')
  }
  case "socket-timeout-unref": {
    const srv = net.createServer((c) => c.on("error", () => {}).unref());
    const port = await listen(srv);
    srv.unref();
    const c = net.connect(port, H, () => {
      c.setTimeout(10_000);
      c.unref();
      say("connected");
    });
    break; // the idle timer must not keep it alive
  }
  case "connecting-unref": {
    // connecting to a closed port with an unref'd socket
    const c = net.connect(1, H);
    c.on("error", (e) => say(`error ${e.code}`));
    c.unref();
    break;
  }
  case "unhandled-error": {
    // no 'error' listener: the process dies with the error
    net.connect(1, H);
    break;
  }
  case "unhandled-server-error": {
    const a = net.createServer();
    const port = await listen(a);
    const b = net.createServer();
    b.listen(port, H);
    break;
  }
  case "error-presentation": {
    // stack and util.inspect first lines, outside vitest (which rewrites stacks)
    const { inspect } = await import("node:util");
    const show = (label, e) => say(`${label} | ${String(e.stack).split("\n")[0]} | ${inspect(e).split("\n")[0]}`);
    const tries = [
      ["connect(-1)", () => new net.Socket().connect(-1, H)],
      ["setTimeout('x')", () => new net.Socket().setTimeout("x")],
      ["addSubnet(33)", () => new net.BlockList().addSubnet("1.0.0.0", 33)],
      ["write(1)", () => new net.Socket().write(1)],
    ];
    for (const [label, fn] of tries) {
      try {
        fn();
        say(`${label} | did not throw`);
      } catch (e) {
        show(label, e);
      }
    }
    await new Promise((r) => net.createServer().close((e) => (show("close()", e), r())));
    const c = net.connect(1, H);
    await new Promise((r) => c.on("error", (e) => (show("ECONNREFUSED", e), r())));
    process.exit(0);
  }
  default:
    throw new Error(`unknown case ${which}`);
}
