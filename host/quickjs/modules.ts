/**
 * The guest's module loader: the built-in modules (`net`, `events`, `buffer`,
 * `stream`, `string_decoder`, `timers`, `process`, each also as `node:<name>`)
 * and files under the sandbox's module root. Nothing outside the root loads.
 */
import { readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, relative, resolve, sep } from "node:path";
import { MODULES_KEY } from "./guest/host.ts";

export const BUILTINS = ["net", "events", "buffer", "stream", "string_decoder", "timers", "process"] as const;

const PREFIX = "node:";
const MISSING = "wasock:missing:";
const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(["default", "length", "name", "prototype", "arguments", "caller"]);

/** `net` and `node:net` both normalize to `node:net` */
export function builtinName(spec: string): string | null {
  const bare = spec.startsWith(PREFIX) ? spec.slice(PREFIX.length) : spec;
  return (BUILTINS as readonly string[]).includes(bare) ? bare : null;
}

export class ModuleError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export class ModuleMap {
  readonly root: string;
  /** export names of each built-in, read once from the guest after the bundle ran */
  #exports = new Map<string, string[]>();

  constructor(root: string) {
    this.root = realOr(resolve(root));
  }

  setExports(names: Record<string, string[]>): void {
    for (const [k, v] of Object.entries(names)) {
      this.#exports.set(k, v.filter((n) => IDENT.test(n) && !RESERVED.has(n)));
    }
  }

  /** resolve `requested` from the module `base` */
  normalize(base: string, requested: string): string {
    const b = builtinName(requested);
    if (b !== null) return PREFIX + b;
    if (!requested.startsWith("./") && !requested.startsWith("../") && !isAbsolute(requested)) {
      // QuickJS drops a normalizer's error; the loader reports it instead
      return MISSING + JSON.stringify([requested, base]);
    }
    const from = base.startsWith(PREFIX) || base === "" ? this.root : dirname(base);
    const file = resolve(from, requested);
    this.checkInside(file, base);
    return file;
  }

  checkInside(file: string, base = "<run>"): void {
    const real = realOr(file);
    const rel = relative(this.root, real);
    if (rel === ".." || rel.startsWith(".." + sep) || isAbsolute(rel)) {
      throw new ModuleError("ERR_ACCESS_DENIED", `Cannot import '${file}' from ${base}: it is outside the module root ${this.root}`);
    }
  }

  /** the module's source */
  load(name: string): string {
    if (name.startsWith(MISSING)) {
      const [requested, base] = JSON.parse(name.slice(MISSING.length)) as [string, string];
      throw new ModuleError("ERR_MODULE_NOT_FOUND", `Cannot find package '${requested}' imported from ${base}: only built-in modules and files under ${this.root} can be imported`);
    }
    if (name.startsWith(PREFIX)) {
      const b = name.slice(PREFIX.length);
      const names = this.#exports.get(b) ?? [];
      const lines = [`const m = globalThis[Symbol.for(${JSON.stringify(MODULES_KEY)})][${JSON.stringify(b)}];`, "export default m;"];
      if (names.length > 0) lines.push(`export const { ${names.join(", ")} } = m;`);
      return lines.join("\n");
    }
    this.checkInside(name);
    let text: string;
    try {
      if (!statSync(name).isFile()) throw new Error("not a file");
      text = readFileSync(name, "utf8");
    } catch {
      throw new ModuleError("ERR_MODULE_NOT_FOUND", `Cannot find module '${name}'`);
    }
    if (extname(name) === ".json") return `export default ${JSON.stringify(JSON.parse(text))};`;
    return text;
  }
}

function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
