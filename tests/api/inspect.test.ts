/**
 * ts-api/inspect.ts against util.inspect on random values (fast-check's
 * `anything`: nested objects and arrays, sparse arrays, null prototypes,
 * boxed values, Map, Set, typed arrays, Dates, bigints, odd keys).
 * The hand-picked cases are in errors.test.ts.
 */
import fc from "fast-check";
import { inspect as nodeInspect } from "node:util";
import { describe, expect, it } from "vitest";
import { inspect } from "../../ts-api/inspect.ts";

const anything = fc.anything({
  withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true,
  withNullPrototype: true, withSparseArray: true, withBoxedValues: true, maxDepth: 4,
});

describe("inspect", () => {
  it("matches util.inspect on 2000 random values", () => {
    fc.assert(fc.property(anything, (v) => {
      expect(inspect(v)).toBe(nodeInspect(v));
    }), { numRuns: 2000 });
  });

  it("matches util.inspect at depth 0 and -1 on 500 random values", () => {
    fc.assert(fc.property(anything, (v) => {
      expect(inspect(v, { depth: 0 })).toBe(nodeInspect(v, { depth: 0 }));
      expect(inspect(v, { depth: -1 })).toBe(nodeInspect(v, { depth: -1 }));
    }), { numRuns: 500 });
  });
});
