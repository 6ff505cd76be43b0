// Runs the plugin (a componentize-qjs component) linked to the core component, on
// Node with preview2-shim. Needs `--experimental-wasm-extended-const` on Node 20:
//   npm run build && node --experimental-wasm-extended-const examples/plugin/run.mjs [refused-port]
// Prints the plugin's JSON report.
import { run } from "../../dist/component/plugin/js/plugin.js";

const port = Number(process.argv[2] ?? 1);
process.stdout.write(run(port) + "\n");
