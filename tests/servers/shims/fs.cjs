"use strict";
function enoent(path) {
  const err = new Error(`ENOENT: no such file or directory, open '${path}'`);
  err.code = "ENOENT";
  return err;
}
exports.promises = { readFile: async (path) => Promise.reject(enoent(path)) };
exports.readFileSync = (path) => {
  throw enoent(path);
};
