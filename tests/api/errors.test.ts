/**
 * ts-api/errors.ts against Node's own errors.
 *
 * Table-driven (as nodejs/undici test/errors.js): every row builds our error
 * and, in a child `node --expose-internals`, Node's error from
 * lib/internal/errors.js with the same arguments; class, name, code,
 * message, toString(), stack header and own keys must be equal.
 */
import { createConnection } from "node:net";
import { getSystemErrorMap, inspect as nodeInspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as E from "../../ts-api/errors.ts";
import { describeError, runWithInternals, type ErrorShape } from "./node-internals.ts";

/** JS sources of values that error messages describe. */
const values = [
  "undefined", "null", "0", "-0", "1", "-1", "1.5", "NaN", "Infinity", "-Infinity", "2 ** 32 + 1",
  "-(2 ** 40)", "1e21", "65536", "10n", "-5n", "2n ** 40n", "true", "false", "''", "'abc'", "\"it's\"",
  "'a'.repeat(28)", "'a'.repeat(29)", "\"it's\".repeat(10)", "'a\\nb'", "'tab\\there'", "'\\x00\\x7f'",
  "'both \\' and \"'", "'all \\' \" `'", "'\\ud800 lone'", "Symbol('s')", "Symbol()", "function named() {}",
  "() => 1", "class Klass {}", "async function af() {}", "function* gen() {}", "{}", "{ a: 1 }",
  "{ a: 'x', b: [1, 2], c: { d: { e: { f: 1 } } } }", "Object.create(null)", "[]", "[1, 2, 3]",
  "[1, [2, [3, [4]]]]", "new Map([[1, 'a']])", "new Set([1])", "new Uint8Array(2)", "new Date(0)", "/re/g",
  "new (class Foo { constructor() { this.x = 1; } })()", "{ 'a-b': 1, [Symbol('k')]: 2 }",
  "{ long: 'x'.repeat(100) }", "'x'.repeat(200)", "Object.assign(Object.create(null), { a: 1 })",
  "[, 1]", "{ f() {} }", "new Array(3)", "{ get g() { return 1; } }",
  "{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10, k: 11, l: 12, m: 13, n: 14 }",
  "{ toString() { return 'custom'; } }", "new (class T { toString() { return 'T!'; } })()",
  "new Map()", "new Set()", "'line1\\nline2\\nline3 is a long line that goes on and on and on and on and on'",
];

type Row = [code: string, args: string, variant?: "range"];

const rows: Row[] = [];
for (const v of values) {
  rows.push(["ERR_INVALID_ARG_TYPE", `'port', 'number', ${v}`]);
  rows.push(["ERR_INVALID_ARG_TYPE", `'options.port', ['number', 'string'], ${v}`]);
  rows.push(["ERR_INVALID_ARG_VALUE", `'options.host', ${v}`]);
  rows.push(["ERR_INVALID_ARG_VALUE", `'family', ${v}, 'must be 4 or 6'`]);
  rows.push(["ERR_INVALID_ARG_VALUE", `'x', ${v}`, "range"]);
  rows.push(["ERR_OUT_OF_RANGE", `'timeout', '>= 0 && <= 2147483647', ${v}`]);
  rows.push(["ERR_SOCKET_BAD_PORT", `'Port', ${v}`]);
  rows.push(["ERR_SOCKET_BAD_PORT", `'options.port', ${v}, false`]);
  rows.push(["ERR_INVALID_IP_ADDRESS", v]);
  rows.push(["ERR_INVALID_FD_TYPE", v]);
}
rows.push(
  ["ERR_INVALID_ARG_TYPE", "'first argument', 'string', 1"],
  ["ERR_INVALID_ARG_TYPE", "'cb', 'Function', 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['Buffer', 'TypedArray', 'DataView'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['string', 'Buffer', 'Uint8Array'], null"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['object', 'Buffer'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['string', 'object', 'Buffer', 'a thing'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', 'a valid thing', 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['Object', 'null'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['a', 'b'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['string', 'number', 'boolean', 'symbol'], 1"],
  ["ERR_INVALID_ARG_TYPE", "'x', ['Function', 'bigint'], 1"],
  ["ERR_OUT_OF_RANGE", "'The message text.', 'x', 1, true"],
  ["ERR_OUT_OF_RANGE", "'n', 'an integer', 2 ** 33"],
  ["ERR_OUT_OF_RANGE", "'n', 'an integer', -(2 ** 53)"],
  ["ERR_OUT_OF_RANGE", "'n', 'an integer', 2n ** 32n"],
  ["ERR_OUT_OF_RANGE", "'n', 'an integer', 2n ** 32n + 1n"],
  ["ERR_OUT_OF_RANGE", "'n', 'an integer', -(2n ** 33n)"],
  ["ERR_MISSING_ARGS", "'a'"],
  ["ERR_MISSING_ARGS", "'a', 'b'"],
  ["ERR_MISSING_ARGS", "'a', 'b', 'c'"],
  ["ERR_MISSING_ARGS", "'a', 'b', 'c', 'd'"],
  ["ERR_MISSING_ARGS", "['a', 'b']"],
  ["ERR_MISSING_ARGS", "['a', 'b'], 'c'"],
  ["ERR_INVALID_ADDRESS_FAMILY", "7, 'localhost', 80"],
  ["ERR_INVALID_ADDRESS_FAMILY", "'IPv5', undefined, undefined"],
  ["ERR_INVALID_THIS", "'Socket'"],
  ["ERR_STREAM_DESTROYED", "'write'"],
  ["ERR_METHOD_NOT_IMPLEMENTED", "'_read()'"],
  ["ERR_SOCKET_CLOSED", ""],
  ["ERR_SOCKET_CLOSED_BEFORE_CONNECTION", ""],
  ["ERR_SERVER_ALREADY_LISTEN", ""],
  ["ERR_SERVER_NOT_RUNNING", ""],
  ["ERR_SOCKET_CONNECTION_TIMEOUT", ""],
  ["ERR_STREAM_WRITE_AFTER_END", ""],
  ["ERR_STREAM_PREMATURE_CLOSE", ""],
  ["ERR_MULTIPLE_CALLBACK", ""],
  ["ERR_INVALID_HANDLE_TYPE", ""],
  ["ERR_ILLEGAL_CONSTRUCTOR", ""],
);

type Outcome = ErrorShape | { threw: string };

const nodeOutcomes = runWithInternals<Outcome[]>(`
  const { codes } = require("internal/errors");
  const rows = ${JSON.stringify(rows)};
  return rows.map(([code, src, variant]) => {
    try {
      const args = eval("[" + src + "]");
      const C = variant === "range" ? codes[code].RangeError : codes[code];
      return describeError(new C(...args));
    } catch (e) {
      return { threw: String(e) };
    }
  });
`);

type Factory = (...args: unknown[]) => Error;
const factories = E as unknown as Record<string, Factory>;

function ours(code: string, src: string, variant?: string): Outcome {
  try {
    // eslint-disable-next-line no-new-func
    const args = new Function(`return [${src}]`)() as unknown[];
    const f = variant === "range" ? factories.ERR_INVALID_ARG_VALUE_RANGE : factories[code];
    return describeError(f(...args));
  } catch (e) {
    return { threw: String(e) };
  }
}

describe("ERR_* factories match Node v20", () => {
  it("has a row for every value and every factory", () => {
    expect(nodeOutcomes.length).toBe(rows.length);
    expect(rows.length).toBeGreaterThan(values.length * 10);
    // the child built real errors, not failures
    expect(nodeOutcomes.filter((o) => "threw" in o)).toEqual([]);
  });

  it.each(rows.map((r, i) => [i, ...r] as const))("row %i: %s(%s)", (i, code, src, variant) => {
    expect(ours(code, src, variant)).toEqual(nodeOutcomes[i]);
  });

  it("instanceof NodeError holds for every ERR_* error, whatever its base", () => {
    const errs = [E.ERR_INVALID_ARG_TYPE("a", "string", 1), E.ERR_SOCKET_BAD_PORT("Port", -1), E.ERR_SOCKET_CLOSED()];
    for (const e of errs) {
      expect(e).toBeInstanceOf(E.NodeError);
      expect(e).toBeInstanceOf(Error);
    }
    expect(E.ERR_INVALID_ARG_TYPE("a", "string", 1)).toBeInstanceOf(TypeError);
    expect(E.ERR_SOCKET_BAD_PORT("Port", -1)).toBeInstanceOf(RangeError);
    expect(new Error("plain")).not.toBeInstanceOf(E.NodeError);
    expect(Object.assign(new Error("x"), { code: "ERR_X" })).not.toBeInstanceOf(E.NodeError);
    expect(null).not.toBeInstanceOf(E.NodeError);
  });

  it("new NodeError(code, message) looks like Node's Error-based NodeError", () => {
    const e = new E.NodeError("ERR_SOMETHING", "went wrong");
    expect(describeError(e)).toMatchObject({
      base: "Error", name: "Error", code: "ERR_SOMETHING", message: "went wrong",
      str: "Error [ERR_SOMETHING]: went wrong", head: "Error [ERR_SOMETHING]: went wrong", keys: ["code"],
    });
  });

  it("util.inspect shows the error as Node shows its own", () => {
    // outside vitest: vitest replaces Error.prepareStackTrace, which drops Node's [CODE] from stacks
    const firstLines = (text: string) => text.split("\n").filter((l) => !l.startsWith("    at ")).join("\n");
    const node = runWithInternals<string[]>(`
      const { codes } = require("internal/errors");
      const { inspect } = require("util");
      return [new codes.ERR_SOCKET_BAD_PORT("Port", 70000), new codes.ERR_INVALID_ARG_TYPE("x", "string", 5),
        new codes.ERR_SOCKET_CLOSED()].map((e) => inspect(e));
    `);
    const ourErrs = [E.ERR_SOCKET_BAD_PORT("Port", 70000), E.ERR_INVALID_ARG_TYPE("x", "string", 5), E.ERR_SOCKET_CLOSED()];
    expect(ourErrs.map((e) => firstLines(nodeInspect(e)))).toEqual(node.map(firstLines));
  });
});

/** Layout cases for inspect only: grouping, nesting, circular, boxed, classes. */
const layouts = [
  "[1, 2, 3, 4, 5, 6, 7]", "Array.from({ length: 30 }, (_, i) => i * 37)", "Array.from({ length: 120 }, (_, i) => i)",
  "['a', 'bb', 'ccc', 'dddd', 'e', 'f', 'g', 'h']", "[1, 'a', 2, 'b', 3, 'c', 4]", "[-1, 10n, 200, -3000, 4, 5, 6]",
  "Array.from({ length: 10 }, (_, i) => 'item' + i)", "[[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12], [13, 14]]",
  "Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat(i % 7 + 1))",
  "{ a: { b: { c: {} } } }", "{ a: { b: { c: { d: 1 } } } }", "{ a: [1, 2, [3, 4, [5, [6]]]] }",
  "(() => { const o = { a: 1 }; o.self = o; return o; })()",
  "(() => { const a = [1]; const o = { a, b: { a } }; a.push(o); return o; })()",
  "new String('abc')", "new Number(-0)", "new Boolean(false)", "class B extends Map {}",
  "new (class Foo extends Array {})()", "Object.assign([1, 2], { extra: true })", "Object.assign(() => {}, { prop: 1 })",
  "{ 'key with space': 1, __proto__x: 2 }", "{ a: 'x'.repeat(70), b: 1 }",
  "{ a: 1, b: 'two', c: [3], d: { e: 4 }, f: null, g: undefined }", "new Map([[{ a: 1 }, [1, 2]], ['k', new Set([1])]])",
  "new Uint8Array(10)", "new Float64Array([1.5, -0, NaN])", "[undefined, null, , 3]", "Object.create({ inherited: 1 })",
  "new Date(NaN)", "[new Date(0)]", "{ fn() {}, arrow: () => {}, cls: class {} }", "'x'.repeat(100) + '\\n' + 'y'",
  "{ s: 'a\\n'.repeat(30) }", "new Array(5)", "[1, , , 4]", "{ a: [{}, []] }", "[{ a: 1, b: 2 }, { a: 3, b: 4 }]",
  "{ deep: { er: { est: { x: [1, 2, 3] } } } }", "Array.from({ length: 7 }, () => ({ a: 1 }))",
  "{ a: Array.from({ length: 20 }, (_, i) => i) }", "new Set(Array.from({ length: 8 }, (_, i) => i))",
  "Object.assign(Object.create(null), { x: { y: 1 } })", "{ ['__proto__']: 1 }", "async () => {}", "async function* ag() {}",
  "class extends Object {}", "Object.assign(new Map([[1, 2]]), { p: 1 })", "[[[[[1]]]]]", "{ a: { b: { c: [] } } }",
];

describe("inspect matches util.inspect", () => {
  it.each([...values, ...layouts])("%s", (src) => {
    // eslint-disable-next-line no-new-func
    const v = new Function(`return ${src}`)();
    expect(E.inspect(v)).toBe(nodeInspect(v));
  });

  it("respects depth -1 and 0 as util.inspect does", () => {
    for (const v of [{ a: { b: 1 } }, [1, [2]], Object.create(null), new Map([[1, { a: 1 }]]), [], {}, new Map(),
      [1, 2, 3, 4, 5, 6, 7, 8], new (class Foo {})(), Object.assign(Object.create(null), { a: 1 })]) {
      expect(E.inspect(v, { depth: 0 })).toBe(nodeInspect(v, { depth: 0 }));
      expect(E.inspect(v, { depth: -1 })).toBe(nodeInspect(v, { depth: -1 }));
    }
  });
});

describe("genericNodeError", () => {
  it("matches Node's, as net uses it for a write after the peer ended", () => {
    const node = runWithInternals<ErrorShape>(`
      const { genericNodeError } = require("internal/errors");
      return describeError(genericNodeError("This socket has been ended by the other party", { code: "EPIPE" }));
    `);
    expect(describeError(E.genericNodeError("This socket has been ended by the other party", { code: "EPIPE" })))
      .toEqual(node);
  });
});

describe("AbortError", () => {
  const node = runWithInternals<ErrorShape[]>(`
    const { AbortError } = require("internal/errors");
    return [describeError(new AbortError()), describeError(new AbortError(undefined, { cause: "why" }))];
  `);

  it("matches Node's AbortError without and with a cause", () => {
    expect(describeError(E.AbortError())).toEqual(node[0]);
    const withCause = E.AbortError("why");
    expect(describeError(withCause)).toEqual(node[1]);
    expect((withCause as Error & { cause: unknown }).cause).toBe("why");
    expect(E.AbortError().constructor.name).toBe("AbortError");
  });
});

describe("system errors", () => {
  it("errno table is libuv's on this machine, both ways", () => {
    const map = getSystemErrorMap();
    expect(map.size).toBeGreaterThan(70);
    for (const [errno, [code, message]] of map) {
      expect(E.systemErrorName(errno)).toBe(code);
      expect(E.uvMessage(errno)).toBe(message);
      expect(E.errnoOf(code)).toBe(errno);
    }
    expect(E.errnoOf("ENOTFOUND")).toBe(-3008);
    expect(E.errnoOf("NOPE")).toBe(-4094);
    expect(E.systemErrorName(-999999)).toBe("Unknown system error -999999");
  });

  const cases: [info: Parameters<typeof E.errorFromInfo>[0], node: string][] = [
    [{ code: "ECONNREFUSED", errno: -111, syscall: "connect", address: "127.0.0.1", port: 1 },
      "new ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1)"],
    [{ code: "ECONNREFUSED", syscall: "connect", address: "::1", port: 8080 },
      "new ExceptionWithHostPort(-111, 'connect', '::1', 8080)"],
    [{ code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: 1, localAddress: "127.0.0.1", localPort: 40000 },
      "Object.assign(new ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1, '127.0.0.1:40000'), " +
      "{ localAddress: '127.0.0.1', localPort: 40000 })"],
    [{ code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: 1, localAddress: "127.0.0.1" },
      "new ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 1)"],
    [{ code: "ENOENT", syscall: "connect", address: "/tmp/nope.sock" },
      "new ExceptionWithHostPort(-2, 'connect', '/tmp/nope.sock')"],
    [{ code: "ETIMEDOUT", syscall: "connect", address: "10.0.0.1", port: 80 },
      "new ExceptionWithHostPort(-110, 'connect', '10.0.0.1', 80)"],
    [{ code: "EADDRNOTAVAIL", syscall: "bind", address: "10.9.9.9", port: 0 },
      "new ExceptionWithHostPort(-99, 'bind', '10.9.9.9', 0)"],
    [{ code: "EADDRINUSE", errno: -98, syscall: "listen", address: "::", port: 8080 },
      "new UVExceptionWithHostPort(-98, 'listen', '::', 8080)"],
    [{ code: "EACCES", syscall: "listen", address: "/root/x.sock", port: -1 },
      "new UVExceptionWithHostPort(-13, 'listen', '/root/x.sock', -1)"],
    [{ code: "ECONNRESET", syscall: "read" }, "new ErrnoException(-104, 'read')"],
    [{ code: "EPIPE", syscall: "write" }, "new ErrnoException(-32, 'write')"],
    [{ code: "ENOTCONN", syscall: "shutdown" }, "new ErrnoException(-107, 'shutdown')"],
    [{ code: "ENOTFOUND", errno: -3008, syscall: "getaddrinfo", hostname: "nosuch.invalid" },
      "new DNSException(-3008, 'getaddrinfo', 'nosuch.invalid')"],
    [{ code: "EAI_AGAIN", syscall: "getaddrinfo", hostname: "example.com" },
      "new DNSException(-3001, 'getaddrinfo', 'example.com')"],
  ];

  const node = runWithInternals<ErrorShape[]>(`
    const { ExceptionWithHostPort, UVExceptionWithHostPort, ErrnoException, DNSException } = require("internal/errors");
    return [${cases.map(([, src]) => `describeError(${src})`).join(",")}];
  `);

  it.each(cases.map(([info, src], i) => [src, info, i] as const))("%s", (_src, info, i) => {
    const ours = E.errorFromInfo(info);
    expect(describeError(ours)).toEqual(node[i]);
  });

  it("every libuv code, through every syscall shape, matches Node's error", () => {
    const codes = [...getSystemErrorMap()].map(([errno, [code]]) => [errno, code] as const);
    const node = runWithInternals<ErrorShape[][]>(`
      const { ExceptionWithHostPort, UVExceptionWithHostPort, ErrnoException, DNSException } = require("internal/errors");
      const codes = ${JSON.stringify(codes)};
      return codes.map(([errno]) => [
        describeError(new ExceptionWithHostPort(errno, "connect", "10.1.2.3", 8080)),
        describeError(new ExceptionWithHostPort(errno, "bind", "::1", 0)),
        describeError(new UVExceptionWithHostPort(errno, "listen", "0.0.0.0", 443)),
        describeError(new ErrnoException(errno, "write")),
        describeError(new DNSException(errno, "getaddrinfo", "h.example")),
      ]);
    `);
    expect(node.length).toBe(codes.length);
    codes.forEach(([errno, code], i) => {
      const ours = [
        E.errorFromInfo({ code, syscall: "connect", address: "10.1.2.3", port: 8080 }),
        E.errorFromInfo({ code, errno, syscall: "bind", address: "::1", port: 0 }),
        E.errorFromInfo({ code, syscall: "listen", address: "0.0.0.0", port: 443 }),
        E.errorFromInfo({ code, syscall: "write" }),
        E.errorFromInfo({ code, errno, syscall: "getaddrinfo", hostname: "h.example" }),
      ].map(describeError);
      expect(ours, code).toEqual(node[i]);
    });
  });

  it("a real refused connect has the same shape as errorFromInfo's", async () => {
    const real = await new Promise<Error & { errno: number; port: number; address: string }>((resolve, reject) => {
      const s = createConnection({ host: "127.0.0.1", port: 1 });
      s.on("connect", () => { s.destroy(); reject(new Error("something listens on 127.0.0.1:1")); });
      s.on("error", (e) => resolve(e as never));
    });
    const ours = E.errorFromInfo({ code: "ECONNREFUSED", errno: real.errno, syscall: "connect", address: real.address, port: real.port });
    const strip = (s: ErrorShape) => ({ ...s, own: s.own });
    expect(strip(describeError(ours))).toEqual(strip(describeError(real)));
    expect(ours.message).toBe("connect ECONNREFUSED 127.0.0.1:1");
  });

  it("a real ENOENT pipe connect has the same shape as errorFromInfo's", async () => {
    const path = `/tmp/wasock-api-missing-${process.pid}.sock`;
    const real = await new Promise<Error>((resolve) => {
      const s = createConnection({ path });
      s.on("error", (e) => resolve(e));
    });
    const ours = E.errorFromInfo({ code: "ENOENT", syscall: "connect", address: path });
    expect(describeError(ours)).toEqual(describeError(real));
  });

  it("maps the fixed ERR_* codes and wasock's own", () => {
    expect(describeError(E.errorFromInfo({ code: "ERR_SOCKET_CLOSED" }))).toEqual(describeError(E.ERR_SOCKET_CLOSED()));
    expect(E.errorFromInfo({ code: "ERR_SOCKET_CONNECTION_TIMEOUT" }).message).toBe("Socket connection timeout");
    const denied = E.errorFromInfo({ code: "ERR_ACCESS_DENIED", syscall: "connect", address: "10.0.0.1", port: 80 });
    expect(denied).toMatchObject({ code: "ERR_ACCESS_DENIED", address: "10.0.0.1", port: 80, syscall: "connect" });
    expect(denied.message).toBe("connect to 10.0.0.1:80 denied by the network policy");
    const quota = E.errorFromInfo({ code: "ERR_QUOTA_EXCEEDED", message: "maxSockets (limit 2)" });
    expect(quota).toMatchObject({ code: "ERR_QUOTA_EXCEEDED", message: "Quota exceeded: maxSockets (limit 2)" });
    expect(E.errorFromInfo({ code: "ERR_NOT_SUPPORTED", message: "socket.setTTL()" }).message)
      .toBe("socket.setTTL() is not supported by wasock");
    expect(E.errorFromInfo({ code: "ABORT_ERR" })).toMatchObject({ name: "AbortError", code: "ABORT_ERR" });
    const other = E.errorFromInfo({ code: "ERR_SOMETHING_NEW", message: "details" });
    expect(other).toBeInstanceOf(E.NodeError);
    expect(String(other)).toBe("Error [ERR_SOMETHING_NEW]: details");
  });

  it("reads a Unix path from ErrorInfo.address, and keeps Node's class for passed-through ERR_* codes", () => {
    const denied = E.errorFromInfo({ code: "ERR_ACCESS_DENIED", syscall: "connect", address: "/tmp/a.sock" });
    expect(denied).toMatchObject({ path: "/tmp/a.sock", resource: "/tmp/a.sock",
      message: "connect to /tmp/a.sock denied by the network policy" });
    expect(denied).not.toHaveProperty("address");
    const listen = E.errorFromInfo({ code: "ERR_ACCESS_DENIED", syscall: "listen", port: 8080 });
    expect(listen.message).toBe("listen on *:8080 denied by the network policy");
    const v = E.errorFromInfo({ code: "ERR_INVALID_ARG_VALUE", message: "bad" });
    expect(v).toBeInstanceOf(TypeError);
    expect(String(v)).toBe("TypeError [ERR_INVALID_ARG_VALUE]: bad");
    expect(E.errorFromInfo({ code: "ERR_SOCKET_BAD_PORT", message: "p" })).toBeInstanceOf(RangeError);
  });

  it("a system code without a syscall still carries code and errno", () => {
    const e = E.errorFromInfo({ code: "ECONNRESET" }) as Error & { errno: number; code: string };
    expect(e).toMatchObject({ code: "ECONNRESET", errno: -104, message: "ECONNRESET" });
  });
});

describe("wasock's own codes", () => {
  it("ERR_ACCESS_DENIED names the refused target", () => {
    const cases: [E.AccessDeniedInfo, string, string][] = [
      [{ address: "10.0.0.1", port: 80 }, "connect to 10.0.0.1:80 denied by the network policy", "10.0.0.1:80"],
      [{ address: "::1", port: 80 }, "connect to [::1]:80 denied by the network policy", "[::1]:80"],
      [{ syscall: "listen", address: "0.0.0.0", port: 8080 }, "listen on 0.0.0.0:8080 denied by the network policy",
        "0.0.0.0:8080"],
      [{ hostname: "example.com", port: 443 }, "connect to example.com:443 denied by the network policy",
        "example.com:443"],
      [{ hostname: "example.com", address: "93.184.216.34", port: 443 },
        "connect to 93.184.216.34:443 (example.com) denied by the network policy", "93.184.216.34:443"],
      [{ path: "/tmp/x.sock" }, "connect to /tmp/x.sock denied by the network policy", "/tmp/x.sock"],
      [{}, "connect to this address denied by the network policy", ""],
    ];
    for (const [info, message, resource] of cases) {
      const e = E.ERR_ACCESS_DENIED(info);
      expect(describeError(e)).toMatchObject({ base: "Error", code: "ERR_ACCESS_DENIED", message,
        str: `Error [ERR_ACCESS_DENIED]: ${message}`, head: `Error [ERR_ACCESS_DENIED]: ${message}` });
      expect(e).toMatchObject({ permission: "net", resource });
    }
  });

  it("ERR_QUOTA_EXCEEDED names the quota and its limit", () => {
    const e = E.ERR_QUOTA_EXCEEDED({ quota: "maxSockets", limit: 100 });
    expect(e).toMatchObject({ code: "ERR_QUOTA_EXCEEDED", quota: "maxSockets", limit: 100,
      message: "Quota exceeded: maxSockets (limit 100)" });
    expect(E.ERR_QUOTA_EXCEEDED({ quota: "maxBufferedBytesPerSocket", limit: 1024, message: "write of 2048 bytes" })
      .message).toBe("Quota exceeded: maxBufferedBytesPerSocket (limit 1024): write of 2048 bytes");
    expect(E.ERR_QUOTA_EXCEEDED().message).toBe("Quota exceeded: a wasock quota");
  });

  it("ERR_NOT_SUPPORTED says what is not supported", () => {
    const e = E.ERR_NOT_SUPPORTED("net.Socket({ fd })");
    expect(describeError(e)).toMatchObject({ base: "Error", code: "ERR_NOT_SUPPORTED",
      message: "net.Socket({ fd }) is not supported by wasock" });
  });

  it("ERR_INVALID_ADDRESS matches the error Node's SocketAddress raises", async () => {
    const { SocketAddress } = await import("node:net");
    let real: unknown;
    try {
      new SocketAddress({ address: "not an address" });
    } catch (e) {
      real = e;
    }
    const a = describeError(E.ERR_INVALID_ADDRESS());
    const b = describeError(real);
    expect({ ...a, head: "" }).toEqual({ ...b, head: "" });
  });
});
