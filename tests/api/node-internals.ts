/**
 * Runs a script in a child `node --expose-internals` so tests can build the
 * real Node errors (lib/internal/errors.js) with the same arguments as ours
 * and compare. The child is synchronous and exits before the call returns.
 */
import { execFileSync } from "node:child_process";

/** A JSON-safe description of an error: everything the tests compare. */
export interface ErrorShape {
  base: string;
  name: string;
  code: unknown;
  message: string;
  str: string;
  head: string;
  keys: string[];
  own: string[];
  props: Record<string, unknown>;
}

/**
 * The describer, written as plain JS source so the very same code runs in
 * the child and here.
 */
export const describeErrorSource = `(function describeError(e) {
  const bases = [TypeError, RangeError, SyntaxError, URIError, Error];
  const base = bases.find((b) => e instanceof b);
  const props = {};
  for (const k of Object.keys(e)) {
    const v = e[k];
    props[k] = typeof v === "bigint" ? String(v) + "n" : v === undefined ? "<undefined>" : v;
  }
  return {
    base: e.constructor === base ? base.name : "other:" + String(e.constructor && e.constructor.name),
    name: e.name,
    code: e.code,
    message: e.message,
    str: String(e),
    head: typeof e.stack === "string" ? e.stack.split("\\n")[0] : "",
    keys: Object.keys(e),
    own: Object.getOwnPropertyNames(e).sort(),
    props,
  };
})`;

// eslint-disable-next-line no-new-func
export const describeError = new Function(`return ${describeErrorSource}`)() as (e: unknown) => ErrorShape;

/**
 * Evaluates `body` (which must `return` a JSON-able value) in a child node
 * with --expose-internals and returns its result.
 */
export function runWithInternals<T>(body: string): T {
  const script = `
    const describeError = ${describeErrorSource};
    const result = (() => { ${body} })();
    process.stdout.write(JSON.stringify(result));
  `;
  const out = execFileSync(process.execPath, ["--expose-internals", "--no-warnings", "-e", script], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out) as T;
}
