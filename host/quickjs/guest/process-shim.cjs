// readable-stream requires the `process` package; guests use their own process object.
module.exports = globalThis.process;
