/**
 * The guest's `console`: Node-like formatting (`%s %d %i %f %j %o %O %c %%`,
 * objects inspected a few levels deep), written through the host's `print`.
 */
import { Buffer } from "node:buffer";

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;

function inspectKey(k: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k);
}

export function inspect(v: unknown, depth = 0, seen: unknown[] = []): string {
  switch (typeof v) {
    case "string":
      return depth === 0 ? v : `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'`;
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "boolean":
    case "undefined":
      return String(v);
    case "symbol":
      return v.toString();
    case "function":
      return `[${v.toString().startsWith("class") ? "class" : "Function"}: ${v.name || "(anonymous)"}]`;
    case "object":
      break;
  }
  if (v === null) return "null";
  const o = v as object;
  if (seen.includes(o)) return "[Circular *]";
  if (o instanceof Error) {
    const code = (o as { code?: unknown }).code;
    const head = o.message ? `${o.name}: ${o.message}` : o.name;
    const frames = typeof o.stack === "string" ? o.stack.replace(/\n$/, "") : "";
    const stack = frames.startsWith(head) ? frames : frames ? `${head}\n${frames}` : head;
    return code !== undefined ? `${stack} {\n  code: ${inspect(code, 1)}\n}` : stack;
  }
  if (Buffer.isBuffer(o)) {
    const b = o as Buffer;
    const hex = Array.from(b.subarray(0, 50), (x) => x.toString(16).padStart(2, "0")).join(" ");
    return `<Buffer${hex ? " " + hex : ""}${b.length > 50 ? ` ... ${b.length - 50} more bytes` : ""}>`;
  }
  if (o instanceof Date) return isNaN(o.getTime()) ? "Invalid Date" : o.toISOString();
  if (o instanceof RegExp) return String(o);
  if (depth > MAX_DEPTH) return Array.isArray(o) ? "[Array]" : "[Object]";
  const inner = [...seen, o];
  const items: string[] = [];
  let prefix = "";
  let open = "{";
  let close = "}";
  if (Array.isArray(o) || ArrayBuffer.isView(o)) {
    const arr = o as ArrayLike<unknown>;
    open = "[";
    close = "]";
    if (!Array.isArray(o)) prefix = `${o.constructor.name}(${arr.length}) `;
    for (let i = 0; i < Math.min(arr.length, MAX_ITEMS); i++) items.push(inspect(arr[i], depth + 1, inner));
    if (arr.length > MAX_ITEMS) items.push(`... ${arr.length - MAX_ITEMS} more items`);
  } else if (o instanceof Map) {
    prefix = `Map(${o.size}) `;
    for (const [k, val] of o) items.push(`${inspect(k, depth + 1, inner)} => ${inspect(val, depth + 1, inner)}`);
  } else if (o instanceof Set) {
    prefix = `Set(${o.size}) `;
    for (const val of o) items.push(inspect(val, depth + 1, inner));
  } else {
    const name = o.constructor?.name;
    if (name && name !== "Object") prefix = `${name} `;
    for (const k of Object.keys(o)) {
      items.push(`${inspectKey(k)}: ${inspect((o as Record<string, unknown>)[k], depth + 1, inner)}`);
    }
  }
  if (items.length === 0) return `${prefix}${open}${close}`;
  const oneLine = `${prefix}${open} ${items.join(", ")} ${close}`;
  if (oneLine.length <= 72) return oneLine;
  const pad = "  ".repeat(depth + 1);
  return `${prefix}${open}\n${pad}${items.join(`,\n${pad}`)}\n${"  ".repeat(depth)}${close}`;
}

export function format(...args: unknown[]): string {
  let out = "";
  let i = 0;
  if (typeof args[0] === "string" && args[0].includes("%")) {
    const fmt = args[0];
    i = 1;
    for (let p = 0; p < fmt.length; p++) {
      const ch = fmt[p];
      if (ch !== "%" || p + 1 >= fmt.length) {
        out += ch;
        continue;
      }
      const spec = fmt[p + 1];
      if (spec === "%") {
        out += "%";
        p++;
        continue;
      }
      if (!"sdifjoOc".includes(spec!) || i >= args.length) {
        out += ch;
        continue;
      }
      const a = args[i++];
      p++;
      switch (spec) {
        case "s":
          out += typeof a === "string" ? a : typeof a === "bigint" ? `${a}n` : typeof a === "object" && a !== null ? inspect(a, 1) : String(a);
          break;
        case "d":
        case "i":
          out += typeof a === "bigint" ? `${a}n` : String(spec === "i" ? Math.trunc(Number(a)) : Number(a));
          break;
        case "f":
          out += String(parseFloat(String(a)));
          break;
        case "j":
          try {
            out += JSON.stringify(a);
          } catch {
            out += "[Circular]";
          }
          break;
        case "o":
        case "O":
          out += inspect(a, 1);
          break;
        case "c":
          break;
      }
    }
  }
  for (; i < args.length; i++) {
    if (out.length > 0 || i > 0) out += " ";
    out += inspect(args[i]);
  }
  return out;
}

export function createConsole(print: (fd: number, text: string) => void): Console {
  const counts = new Map<string, number>();
  const times = new Map<string, number>();
  let indent = "";
  const out = (fd: number) => (...args: unknown[]) => {
    const text = format(...args);
    print(fd, (indent ? text.replace(/^/gm, indent) : text) + "\n");
  };
  const log = out(1);
  const error = out(2);
  const c = {
    log,
    info: log,
    debug: log,
    error,
    warn: error,
    trace: (...args: unknown[]) => error(`Trace: ${format(...args)}\n${(new Error().stack ?? "").replace(/\n$/, "")}`),
    dir: (v: unknown) => log(inspect(v, 1)),
    assert: (cond: unknown, ...args: unknown[]) => {
      if (!cond) error(args.length ? `Assertion failed: ${format(...args)}` : "Assertion failed");
    },
    count: (label = "default") => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      log(`${label}: ${n}`);
    },
    countReset: (label = "default") => void counts.delete(label),
    time: (label = "default") => void times.set(label, Date.now()),
    timeEnd: (label = "default") => {
      const t = times.get(label);
      times.delete(label);
      if (t !== undefined) log(`${label}: ${Date.now() - t}ms`);
    },
    timeLog: (label = "default", ...args: unknown[]) => {
      const t = times.get(label);
      if (t !== undefined) log(`${label}: ${Date.now() - t}ms`, ...args);
    },
    group: (...args: unknown[]) => {
      if (args.length) log(...args);
      indent += "  ";
    },
    groupEnd: () => {
      indent = indent.slice(2);
    },
    table: (v: unknown) => log(v),
  };
  return c as unknown as Console;
}
