// readable-stream requires the `process` package; the plugin uses its own object.
require("./loop.ts");
module.exports = globalThis.process;
