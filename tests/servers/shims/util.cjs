"use strict";
exports.deprecate = (fn) => fn;
exports.inherits = (ctor, superCtor) => {
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  Object.setPrototypeOf(ctor, superCtor);
};
exports.inspect = (v) => {
  try {
    return typeof v === "string" ? v : JSON.stringify(v);
  } catch {
    return String(v);
  }
};
exports.format = (...args) => args.map((a) => exports.inspect(a)).join(" ");
exports.debuglog = () => () => {};
exports.promisify = (fn) => (...args) => new Promise((resolve, reject) => fn(...args, (err, v) => (err ? reject(err) : resolve(v))));
