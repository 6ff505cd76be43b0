"use strict";
// url, tls, dns, crypto: not available in the sandbox; any use throws.
module.exports = new Proxy(
  {},
  {
    get(_target, name) {
      if (name === "__esModule" || typeof name === "symbol") return undefined;
      return () => {
        const err = new Error(`${String(name)}() is not supported in the wasock sandbox`);
        err.code = "ERR_NOT_SUPPORTED";
        throw err;
      };
    },
  },
);
