/**
 * Direct reads of guest values from the QuickJS heap, for the hot host calls.
 *
 * quickjs-emscripten reads a guest ArrayBuffer with `QTS_GetArrayBuffer`,
 * which mallocs a copy of the whole buffer inside the wasm heap (for a 1-byte
 * write from Buffer's 8 KiB pool, all 8 KiB), and the host then copies it
 * again. It reads a number with `QTS_Typeof` (a C string made, decoded and
 * freed) plus `QTS_GetFloat64`. Here both are read where they lie:
 * - a JSValue on wasm32 is NaN-boxed, 8 bytes: a payload word, then a tag
 *   word (0 for an int32, -1 for an object);
 * - an ArrayBuffer object points to its JSArrayBuffer record, which holds the
 *   byte length and the data pointer.
 *
 * None of these offsets is a public API, so nothing is assumed: `calibrate()`
 * finds them by making values in the guest and looking for them, then checks
 * them on buffers of other sizes. If anything does not match, it returns null
 * and every caller keeps the library's path. Every read is bounds-checked
 * against the heap, and a view is only ever handed out for a value whose tag
 * and class say it is a plain ArrayBuffer.
 */
import type { QuickJSContext, QuickJSHandle } from "quickjs-emscripten";

interface Module {
  HEAPU8: Uint8Array;
}

interface Internals {
  module: Module;
}

/** JS_TAG_INT and JS_TAG_OBJECT: the same in every QuickJS release */
export const TAG_INT = 0;
const TAG_OBJECT = -1;

/** What calibration found: word offsets (in bytes) inside QuickJS's records. */
interface Layout {
  /** JS_TAG_BOOL */
  boolTag: number;
  /** JS_TAG_UNDEFINED */
  undefinedTag: number;
  /** JSObject -> its u16 class id */
  classAt: number;
  /** the class id of a plain ArrayBuffer */
  arrayBufferClass: number;
  /** JSObject -> JSArrayBuffer* */
  abufAt: number;
  /** JSArrayBuffer -> int byte_length */
  lengthAt: number;
  /** JSArrayBuffer -> uint8_t* data */
  dataAt: number;
}

/** An Int32Array over the module's memory, made again after the memory grew. */
class Words {
  readonly #module: Module;
  #buffer: ArrayBufferLike | null = null;
  #words: Int32Array = new Int32Array(0);
  constructor(module: Module) {
    this.#module = module;
  }
  get(): Int32Array {
    const b = this.#module.HEAPU8.buffer;
    if (b !== this.#buffer) {
      this.#buffer = b;
      this.#words = new Int32Array(b, 0, b.byteLength >>> 2);
    }
    return this.#words;
  }
}

export class GuestHeap {
  readonly #module: Module;
  readonly #words: Words;
  readonly #l: Layout;

  /** @internal use calibrate() */
  constructor(module: Module, words: Words, layout: Layout) {
    this.#module = module;
    this.#words = words;
    this.#l = layout;
  }

  /**
   * Finds the layout in `ctx`'s own heap, or null when this QuickJS build does
   * not look as expected (then nothing here may be used).
   */
  static calibrate(ctx: QuickJSContext): GuestHeap | null {
    if (process.env.WASOCK_QUICKJS_NO_HEAP === "1") return null;
    const module = (ctx as unknown as Partial<Internals>).module;
    if (!module || !(module.HEAPU8 instanceof Uint8Array)) return null;
    try {
      return calibrate(ctx, module);
    } catch {
      return null;
    }
  }

  /** The heap as 32-bit words, made again after the memory grew (for writing JSValues). */
  words(): Int32Array {
    return this.#words.get();
  }

  /** The int32 held by the JSValue at `ptr`, or undefined when it is not an int32 (a double, or not a number). */
  int(ptr: number): number | undefined {
    const H = this.#words.get();
    const i = ptr >>> 2;
    if ((ptr & 3) !== 0 || i + 1 >= H.length) return undefined;
    return H[i + 1] === TAG_INT ? H[i]! : undefined;
  }

  /** The boolean held by the JSValue at `ptr`, or undefined when it is not a boolean. */
  bool(ptr: number): boolean | undefined {
    const H = this.#words.get();
    const i = ptr >>> 2;
    if ((ptr & 3) !== 0 || i + 1 >= H.length || H[i + 1] !== this.#l.boolTag) return undefined;
    return H[i] !== 0;
  }

  /** Whether the JSValue at `ptr` is undefined. */
  isUndefined(ptr: number): boolean {
    const H = this.#words.get();
    const i = ptr >>> 2;
    return (ptr & 3) === 0 && i + 1 < H.length && H[i + 1] === this.#l.undefinedTag;
  }

  /**
   * A view of the bytes of the plain ArrayBuffer held by the JSValue at `ptr`,
   * straight into the heap (valid until the guest runs again), or null when the
   * value is anything else (the caller then takes the library's path).
   */
  bytes(ptr: number): Uint8Array | null {
    const m = this.#module;
    const H = this.#words.get();
    const l = this.#l;
    const i = ptr >>> 2;
    if ((ptr & 3) !== 0 || i + 1 >= H.length || H[i + 1] !== TAG_OBJECT) return null;
    const obj = H[i]! >>> 0;
    if (!inside(H, obj, l.abufAt + 4) || (H[(obj + l.classAt) >>> 2]! >>> 16) !== l.arrayBufferClass) return null;
    const abuf = H[(obj + l.abufAt) >>> 2]! >>> 0;
    if (!inside(H, abuf, Math.max(l.lengthAt, l.dataAt) + 4)) return null;
    const len = H[(abuf + l.lengthAt) >>> 2]!;
    const data = H[(abuf + l.dataAt) >>> 2]! >>> 0;
    const U = m.HEAPU8;
    if (len === 0) return U.subarray(0, 0);
    if (len < 0 || data === 0 || data + len > U.length) return null;
    return U.subarray(data, data + len);
  }
}

function inside(H: Int32Array, addr: number, span: number): boolean {
  return addr !== 0 && (addr & 3) === 0 && addr + span <= H.length * 4;
}

function evalHandle(ctx: QuickJSContext, code: string): QuickJSHandle {
  const r = ctx.evalCode(code, "wasock:heap.js", { type: "global" });
  if (r.error) {
    r.error.dispose();
    throw new Error("calibration code failed");
  }
  return r.value;
}

/** Pattern bytes of a calibration buffer of `n` bytes, seeded by `seed`. */
function pattern(n: number, seed: number): string {
  return `(() => { const b = new ArrayBuffer(${n}); const u = new Uint8Array(b); for (let i = 0; i < ${n}; i++) u[i] = (i * 73 + ${seed}) & 255; return b; })()`;
}

function holdsPattern(U: Uint8Array, data: number, n: number, seed: number): boolean {
  if (data === 0 || data + n > U.length) return false;
  for (let i = 0; i < n; i++) if (U[data + i] !== ((i * 73 + seed) & 255)) return false;
  return true;
}

function calibrate(ctx: QuickJSContext, module: Module): GuestHeap | null {
  const words = new Words(module);
  // ints: a small int must read back as itself with the int tag
  const n = evalHandle(ctx, "1234567");
  try {
    const i = (n.value as unknown as number) >>> 2;
    if (words.get()[i] !== 1234567 || words.get()[i + 1] !== TAG_INT) return null;
  } finally {
    n.dispose();
  }
  // booleans: the same tag for both, payload 1 and 0, and not the int tag
  let boolTag = TAG_INT;
  for (const [code, payload] of [["true", 1], ["false", 0]] as const) {
    const b = evalHandle(ctx, code);
    try {
      const i = (b.value as unknown as number) >>> 2;
      const tag = words.get()[i + 1]!;
      if (words.get()[i] !== payload || tag === TAG_INT || tag === TAG_OBJECT || (payload === 0 && tag !== boolTag)) return null;
      boolTag = tag;
    } finally {
      b.dispose();
    }
  }
  // undefined: its own tag, none of the others
  const u = evalHandle(ctx, "undefined");
  let undefinedTag: number;
  try {
    undefinedTag = words.get()[((u.value as unknown as number) >>> 2) + 1]!;
  } finally {
    u.dispose();
  }
  if (undefinedTag === TAG_INT || undefinedTag === TAG_OBJECT || undefinedTag === boolTag) return null;
  // an ArrayBuffer: find the JSArrayBuffer pointer in its JSObject, and the
  // length and data pointer in that
  const SIZE = 40;
  const first = evalHandle(ctx, pattern(SIZE, 11));
  let layout: Layout | null = null;
  try {
    const H = words.get();
    const vi = (first.value as unknown as number) >>> 2;
    if (H[vi + 1] !== TAG_OBJECT) return null;
    const obj = H[vi]! >>> 0;
    found: for (let abufAt = 8; abufAt < 64; abufAt += 4) {
      const abuf = H[(obj + abufAt) >>> 2]! >>> 0;
      if (!inside(H, abuf, 32)) continue;
      for (let dataAt = 0; dataAt < 32; dataAt += 4) {
        const data = H[(abuf + dataAt) >>> 2]! >>> 0;
        if (!holdsPattern(module.HEAPU8, data, SIZE, 11)) continue;
        for (let lengthAt = 0; lengthAt < 32; lengthAt += 4) {
          if (lengthAt === dataAt || H[(abuf + lengthAt) >>> 2] !== SIZE) continue;
          // the class id: the high half of one of the header words
          for (let classAt = 0; classAt < 8; classAt += 4) {
            const cls = H[(obj + classAt) >>> 2]! >>> 16;
            if (cls === 0) continue;
            layout = { boolTag, undefinedTag, classAt, arrayBufferClass: cls, abufAt, lengthAt, dataAt };
            break found;
          }
        }
      }
    }
  } finally {
    first.dispose();
  }
  if (layout === null) return null;
  const heap = new GuestHeap(module, words, layout);
  // check: other sizes (empty, one byte, larger than a page) read back exactly,
  // and values that are not plain ArrayBuffers are refused
  for (const [size, seed] of [[1, 5], [0, 0], [70_000, 29], [4096, 200]] as const) {
    const h = evalHandle(ctx, pattern(size, seed));
    try {
      const v = heap.bytes(h.value as unknown as number);
      if (v === null || v.length !== size || (size > 0 && !holdsPattern(module.HEAPU8, v.byteOffset, size, seed))) return null;
    } finally {
      h.dispose();
    }
  }
  if (heap.bool(ctx.true.value as unknown as number) !== true || heap.bool(ctx.false.value as unknown as number) !== false) return null;
  if (!heap.isUndefined(ctx.undefined.value as unknown as number) || heap.isUndefined(ctx.null.value as unknown as number)) return null;
  for (const code of ["new Uint8Array(8)", "({ byteLength: 8 })", "[1, 2, 3]", "'text'", "1.5", "null"]) {
    const h = evalHandle(ctx, code);
    try {
      if (heap.bytes(h.value as unknown as number) !== null) return null;
    } finally {
      h.dispose();
    }
  }
  return heap;
}
