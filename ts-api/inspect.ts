/**
 * A small util.inspect, for the "Received ..." part of Node's error messages
 * (ts-api runs in QuickJS too, where node:util does not exist).
 *
 * It follows Node v20's layout rules with the default options (depth 2,
 * breakLength 80, compact 3, maxArrayLength 100): an object goes on one line
 * when it fits and holds at most 3 inner levels; arrays of more than 6
 * entries are grouped into aligned columns; long strings split at newlines.
 * Covered: primitives, plain and null-prototype objects, class instances,
 * arrays (sparse too), typed arrays, Map, Set, functions and classes, boxed
 * primitives, Date, RegExp, Errors, getters, circular references, and
 * objects with a `Symbol.for('nodejs.util.inspect.custom')` method.
 * Not covered: colors, Proxy detection, WeakMap/WeakSet/Promise internals,
 * ArrayBuffer contents, and options other than `depth`.
 */

export interface InspectOptions {
  /** levels of nesting shown (default 2; null for no limit) */
  depth?: number | null;
}

interface Ctx {
  depth: number;
  indentationLvl: number;
  currentDepth: number;
  seen: object[];
  circular: Map<object, number> | undefined;
}

const kBreakLength = 80;
const kCompact = 3;
const kMaxArrayLength = 100;
const kMinLineWidth = 16;
const kInspectCustom = Symbol.for("nodejs.util.inspect.custom");

const enum Extras { Object = 0, Array = 2 }

export function inspect(value: unknown, options: InspectOptions = {}): string {
  const depth = options.depth === null ? Infinity : options.depth ?? 2;
  const ctx: Ctx = { depth, indentationLvl: 0, currentDepth: 0, seen: [], circular: undefined };
  return formatValue(ctx, value, 0);
}

// ---- primitives -------------------------------------------------------------

const meta: Record<string, string> = {
  "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\",
};

/** Node's strEscape: pick the quote that needs no escaping, escape controls and lone surrogates. */
export function strEscape(str: string): string {
  let quote = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) quote = '"';
    else if (!str.includes("`") && !str.includes("${")) quote = "`";
  }
  let out = "";
  for (let i = 0; i < str.length; i++) {
    const ch = str[i];
    const c = str.charCodeAt(i);
    if (ch === quote || (ch === "'" && quote === "'")) {
      out += `\\${ch}`;
    } else if (meta[ch] !== undefined) {
      out += meta[ch];
    } else if (c < 0x20 || c === 0x7f) {
      out += `\\x${c.toString(16).toUpperCase().padStart(2, "0")}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = str.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += ch + str[i + 1];
        i++;
      } else {
        out += `\\u${c.toString(16)}`;
      }
    } else {
      out += ch;
    }
  }
  return quote + out + quote;
}

function formatPrimitive(ctx: Ctx, value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      if (value.length > kMinLineWidth && value.length > kBreakLength - ctx.indentationLvl - 4) {
        return value.split(/(?<=\n)/).map(strEscape).join(` +\n${" ".repeat(ctx.indentationLvl + 2)}`);
      }
      return strEscape(value);
    case "number": return Object.is(value, -0) ? "-0" : String(value);
    case "bigint": return `${value}n`;
    case "boolean": return String(value);
    case "undefined": return "undefined";
    case "symbol": return String(value);
    case "object": return value === null ? "null" : undefined;
    default: return undefined;
  }
}

// ---- objects ------------------------------------------------------------------

function constructorName(obj: object): string | null {
  let proto = Object.getPrototypeOf(obj);
  while (proto !== null) {
    const d = Object.getOwnPropertyDescriptor(proto, "constructor");
    if (d !== undefined && typeof d.value === "function" && d.value.name !== "") return d.value.name as string;
    proto = Object.getPrototypeOf(proto);
  }
  return null;
}

function prefix(ctor: string | null, fallback: string, size = ""): string {
  return ctor === null ? `[${fallback}${size}: null prototype] ` : `${ctor}${size} `;
}

function functionBase(fn: Function, ctor: string | null): string {
  const src = Function.prototype.toString.call(fn);
  if (/^class[\s{]/.test(src)) {
    const own = Object.prototype.hasOwnProperty.call(fn, "name") ? fn.name : "";
    let base = `class ${own || "(anonymous)"}`;
    if (ctor !== "Function" && ctor !== null) base += ` [${ctor}]`;
    if (ctor === null) base += " extends [null prototype]";
    else {
      const superName = (Object.getPrototypeOf(fn) as { name?: unknown }).name;
      if (superName) base += ` extends ${superName}`;
    }
    return `[${base}]`;
  }
  let type = "Function";
  if (ctor !== null && ctor.endsWith("Function") && ctor !== "Function") type = ctor;
  let base = `[${type}`;
  if (ctor === null) base += " (null prototype)";
  base += fn.name === "" ? " (anonymous)" : `: ${fn.name}`;
  base += "]";
  if (ctor !== type && ctor !== null) base += ` ${ctor}`;
  return base;
}

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${String(key)}]`;
  if (key === "__proto__") return "['__proto__']";
  return /^[a-zA-Z_][a-zA-Z_0-9]*$/.test(key) ? key : strEscape(key);
}

function formatProperty(ctx: Ctx, obj: object, recurseTimes: number, key: string | symbol, arrayItem: boolean): string {
  const d = Object.getOwnPropertyDescriptor(obj, key) ??
    { value: (obj as Record<string | symbol, unknown>)[key], enumerable: true };
  let str: string;
  if (d.value !== undefined || (d.get === undefined && d.set === undefined)) {
    ctx.indentationLvl += 2;
    str = formatValue(ctx, d.value, recurseTimes);
    ctx.indentationLvl -= 2;
  } else if (d.get !== undefined) {
    str = d.set !== undefined ? "[Getter/Setter]" : "[Getter]";
  } else {
    str = "[Setter]";
  }
  if (arrayItem) return str;
  return `${formatKey(key)}: ${str}`;
}

function remaining(n: number): string {
  return `... ${n} more item${n > 1 ? "s" : ""}`;
}

function formatArrayItems(ctx: Ctx, arr: unknown[], recurseTimes: number): string[] {
  const output: string[] = [];
  const len = Math.min(kMaxArrayLength, arr.length);
  let i = 0;
  while (i < arr.length && output.length < len) {
    if (!Object.prototype.hasOwnProperty.call(arr, i)) {
      let j = i;
      while (j < arr.length && !Object.prototype.hasOwnProperty.call(arr, j)) j++;
      const holes = j - i;
      output.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      i = j;
      continue;
    }
    output.push(formatProperty(ctx, arr, recurseTimes, String(i), true));
    i++;
  }
  if (i < arr.length) {
    // like Node: the remaining count is of indexes, holes included
    output.push(remaining(arr.length - i));
  }
  return output;
}

/** Node's groupArrayElements: arrange more than 6 short entries in aligned columns. */
function groupArrayElements(ctx: Ctx, output: string[], value: unknown[] | ArrayLike<unknown>): string[] {
  let totalLength = 0;
  let maxLength = 0;
  let outputLength = output.length;
  if (kMaxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen: number[] = new Array(outputLength);
  for (let i = 0; i < outputLength; i++) {
    const len = output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < kBreakLength &&
      (totalLength / actualMax > 5 || maxLength <= 6)) {
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(2.5 * biasedMax * outputLength) / biasedMax),
      Math.floor((kBreakLength - ctx.indentationLvl) / actualMax),
      kCompact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp: string[] = [];
    const maxLineLength: number[] = [];
    for (let i = 0; i < columns; i++) {
      let lineMaxLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if (dataLen[j] > lineMaxLength) lineMaxLength = dataLen[j];
      }
      maxLineLength.push(lineMaxLength + separatorSpace);
    }
    let padStart = true;
    for (let i = 0; i < output.length; i++) {
      const v = (value as ArrayLike<unknown>)[i];
      if (typeof v !== "number" && typeof v !== "bigint") {
        padStart = false;
        break;
      }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = "";
      let j = i;
      for (; j < max - 1; j++) {
        const cell = `${output[j]}, `;
        str += padStart ? cell.padStart(maxLineLength[j - i], " ") : cell.padEnd(maxLineLength[j - i], " ");
      }
      str += padStart ? output[j].padStart(maxLineLength[j - i] - separatorSpace, " ") : output[j];
      tmp.push(str);
    }
    if (kMaxArrayLength < output.length) tmp.push(output[outputLength]);
    return tmp;
  }
  return output;
}

function isBelowBreakLength(output: string[], start: number, base: string): boolean {
  let totalLength = output.length + start;
  if (totalLength + output.length > kBreakLength) return false;
  for (const entry of output) {
    totalLength += entry.length;
    if (totalLength > kBreakLength) return false;
  }
  return base === "" || !base.includes("\n");
}

function reduceToSingleString(ctx: Ctx, output: string[], base: string, braces: [string, string],
  extras: Extras, recurseTimes: number, value: unknown): string {
  const entries = output.length;
  if (extras === Extras.Array && entries > 6) output = groupArrayElements(ctx, output, value as unknown[]);
  if (ctx.currentDepth - recurseTimes < kCompact && entries === output.length) {
    const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
    if (isBelowBreakLength(output, start, base)) {
      const joined = output.join(", ");
      if (!joined.includes("\n")) return `${base ? `${base} ` : ""}${braces[0]} ${joined} ${braces[1]}`;
    }
  }
  const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
  return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
}

function ownKeys(obj: object, skipIndexes: boolean): (string | symbol)[] {
  let keys: (string | symbol)[] = Object.keys(obj);
  if (skipIndexes) keys = keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k as string));
  for (const s of Object.getOwnPropertySymbols(obj)) {
    if (Object.prototype.propertyIsEnumerable.call(obj, s)) keys.push(s);
  }
  return keys;
}

function formatValue(ctx: Ctx, value: unknown, recurseTimes: number): string {
  const prim = formatPrimitive(ctx, value);
  if (prim !== undefined) return prim;
  const obj = value as object;

  const custom = (obj as Record<symbol, unknown>)[kInspectCustom];
  if (typeof custom === "function" && custom !== inspect) {
    const depth = ctx.depth - recurseTimes;
    const ret = custom.call(obj, depth, { depth }, inspect);
    if (ret !== obj) {
      if (typeof ret !== "string") return formatValue(ctx, ret, recurseTimes);
      return ret.replaceAll("\n", `\n${" ".repeat(ctx.indentationLvl)}`);
    }
  }

  if (ctx.seen.includes(obj)) {
    ctx.circular ??= new Map();
    let index = ctx.circular.get(obj);
    if (index === undefined) {
      index = ctx.circular.size + 1;
      ctx.circular.set(obj, index);
    }
    return `[Circular *${index}]`;
  }
  return formatRaw(ctx, obj, recurseTimes);
}

function formatRaw(ctx: Ctx, value: object, recurseTimes: number): string {
  const ctor = constructorName(value);
  let base = "";
  let braces: [string, string] = ["{", "}"];
  let extras = Extras.Object;
  let keys: (string | symbol)[];
  let items: (ctx: Ctx, recurseTimes: number) => string[] = () => [];
  let empty = false;

  if (Array.isArray(value)) {
    keys = ownKeys(value, true);
    const p = ctor !== "Array" ? prefix(ctor, "Array", `(${value.length})`) : "";
    braces = [`${p}[`, "]"];
    extras = Extras.Array;
    empty = value.length === 0 && keys.length === 0;
    items = (c, r) => formatArrayItems(c, value, r);
  } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const ta = value as unknown as ArrayLike<number | bigint>;
    keys = ownKeys(value, true);
    braces = [`${prefix(ctor, "TypedArray", `(${ta.length})`)}[`, "]"];
    extras = Extras.Array;
    empty = ta.length === 0 && keys.length === 0;
    items = (c) => {
      const out: string[] = [];
      for (let i = 0; i < Math.min(ta.length, kMaxArrayLength); i++) out.push(formatPrimitive(c, ta[i]) as string);
      if (ta.length > kMaxArrayLength) out.push(remaining(ta.length - kMaxArrayLength));
      return out;
    };
  } else if (value instanceof Map) {
    keys = ownKeys(value, false);
    braces = [`${prefix(ctor, "Map", `(${value.size})`)}{`, "}"];
    empty = value.size === 0 && keys.length === 0;
    items = (c, r) => {
      const out: string[] = [];
      c.indentationLvl += 2;
      for (const [k, v] of value) {
        if (out.length >= kMaxArrayLength) break;
        out.push(`${formatValue(c, k, r)} => ${formatValue(c, v, r)}`);
      }
      c.indentationLvl -= 2;
      if (value.size > kMaxArrayLength) out.push(remaining(value.size - kMaxArrayLength));
      return out;
    };
  } else if (value instanceof Set) {
    keys = ownKeys(value, false);
    braces = [`${prefix(ctor, "Set", `(${value.size})`)}{`, "}"];
    empty = value.size === 0 && keys.length === 0;
    items = (c, r) => {
      const out: string[] = [];
      c.indentationLvl += 2;
      for (const v of value) {
        if (out.length >= kMaxArrayLength) break;
        out.push(formatValue(c, v, r));
      }
      c.indentationLvl -= 2;
      if (value.size > kMaxArrayLength) out.push(remaining(value.size - kMaxArrayLength));
      return out;
    };
  } else {
    keys = ownKeys(value, false);
    if (typeof value === "function") {
      base = functionBase(value, ctor);
      if (keys.length === 0) return base;
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(value);
      if (keys.length === 0) return base;
    } else if (value instanceof Date) {
      base = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
      if (keys.length === 0) return base;
    } else if (value instanceof Error) {
      const stack = typeof value.stack === "string" && value.stack.includes("\n    at") ? value.stack : "";
      base = stack || `[${Error.prototype.toString.call(value)}]`;
      keys = keys.filter((k) => k !== "stack" && k !== "message");
      if (keys.length === 0) return base;
    } else if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      const inner = formatPrimitive(ctx, (value as { valueOf(): unknown }).valueOf()) as string;
      const type = value instanceof String ? "String" : value instanceof Number ? "Number" : "Boolean";
      base = `[${type}${ctor !== type ? ctor === null ? " (null prototype)" : ` (${ctor})` : ""}: ${inner}]`;
      if (value instanceof String) keys = keys.filter((k) => !/^(0|[1-9][0-9]*)$/.test(k as string));
      if (keys.length === 0) return base;
    } else {
      if (ctor !== "Object") braces = [`${prefix(ctor, "Object")}{`, "}"];
      if (keys.length === 0) return `${braces[0]}}`;
    }
  }

  if (empty) return `${braces[0]}${braces[1]}`;

  if (recurseTimes > ctx.depth) {
    const name = braces[0].replace(/ ?[[{]$/, "") || (Array.isArray(value) ? "Array" : ctor ?? "Object");
    return ctor === null ? name : `[${name.replace(/\(\d+\)$/, "")}]`;
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  const output = items(ctx, recurseTimes);
  for (const k of keys) output.push(formatProperty(ctx, value, recurseTimes, k, false));
  ctx.seen.pop();
  const ref = ctx.circular?.get(value);
  if (ref !== undefined) base = base === "" ? `<ref *${ref}>` : `<ref *${ref}> ${base}`;
  return reduceToSingleString(ctx, output, base, braces, extras, recurseTimes, value);
}
