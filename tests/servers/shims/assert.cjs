"use strict";
function fail(message, fallback) {
  const err = new Error(message || fallback);
  err.code = "ERR_ASSERTION";
  throw err;
}
function assert(value, message) {
  if (!value) fail(message, "The expression evaluated to a falsy value");
}
assert.ok = assert;
assert.equal = (a, b, m) => a == b || fail(m, `${a} == ${b}`);
assert.strictEqual = (a, b, m) => Object.is(a, b) || fail(m, `Expected values to be strictly equal: ${a} !== ${b}`);
assert.notStrictEqual = (a, b, m) => !Object.is(a, b) || fail(m, `Expected "actual" to be strictly unequal to: ${b}`);
module.exports = assert;
