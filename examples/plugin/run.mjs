// Runs the plugin (a componentize-qjs component) linked to the core component, on
// Node with preview2-shim. Node 20 needs --experimental-wasm-extended-const:
//   npm run build
//   node --experimental-wasm-extended-const examples/plugin/run.mjs [refused-port] [--deny]
// Prints the plugin's JSON report. With --deny, the embedder's policy (set here,
// through the core's `config` interface, which the plugin does not import) denies
// connects to 127.0.0.1:<refused-port>; the plugin then sees ERR_ACCESS_DENIED.
import { config } from "../../dist/component/js/wasock-core.js";
import { run } from "../../dist/component/plugin/js/plugin.js";

const port = Number(process.argv[2] ?? 1);
if (process.argv.includes("--deny")) {
  config.policyAddCidr("connect", true, { tag: "ipv4", val: [127, 0, 0, 1] }, 32, port, port);
}
process.stdout.write(run(port) + "\n");
