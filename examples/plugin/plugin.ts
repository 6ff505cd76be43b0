/**
 * The plugin: JavaScript that uses Node's `net` (ts-api) inside a componentize-qjs
 * component, over the wasock core component it imports (wasock:core/sockets).
 * Built by examples/plugin/build.mjs; run by examples/plugin/run.mjs.
 */
import { runTicks, ticksPending, uncaught } from "./loop.ts";
// @ts-ignore: the import is the component's own, resolved by componentize-qjs
import sockets from "wasock:core/sockets@0.1.0";
import { createNetModule } from "../../ts-api/net.ts";
import { ComponentBackend, type CoreSockets } from "./backend.ts";

const backend = new ComponentBackend(sockets as CoreSockets);
const net = createNetModule(backend);

/** Turns the loop until nothing is ref'ed and no callback waits (or `maxTurns`). */
function loop(maxTurns: number): number {
  let turns = 0;
  runTicks();
  while (turns < maxTurns && (ticksPending() || backend.hasRefs())) {
    backend.pump(ticksPending() ? 0 : 50);
    runTicks();
    turns++;
  }
  return turns;
}

interface Report {
  echo?: string;
  order: string[];
  refused?: Record<string, unknown>;
  live?: number;
  turns?: number;
  uncaught: string[];
}

export function run(refusedPort: number): string {
  const report: Report = { order: [], uncaught: [] };
  const server = net.createServer((s) => s.pipe(s));
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    report.order.push("listening");
    let got = "";
    const c = net.connect(port, "127.0.0.1", () => {
      report.order.push("connect");
      c.end("hello from a QuickJS plugin");
    });
    c.on("data", (d: Uint8Array) => { got += String.fromCharCode(...d); });
    c.on("end", () => report.order.push("end"));
    c.on("close", () => {
      report.echo = got;
      report.order.push("close");
      server.close(() => report.order.push("server-close"));
    });
  });

  const bad = net.connect(refusedPort, "127.0.0.1");
  bad.on("error", (e: Error & Record<string, unknown>) => {
    report.refused = {
      code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port, message: e.message,
    };
  });

  report.turns = loop(2000);
  report.live = sockets.liveHandles();
  report.uncaught = uncaught.map((e) => String((e as Error)?.stack ?? e));
  return JSON.stringify(report);
}
