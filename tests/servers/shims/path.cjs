"use strict";
exports.join = (...parts) => parts.join("/").replace(/\/+/g, "/");
exports.resolve = (...parts) => "/" + exports.join(...parts).replace(/^\/+/, "");
exports.sep = "/";
