// Guest-script types for `Buffer` (a global in the sandbox) and the `buffer` module.
// The sandbox bundles the `buffer` npm package (v6): this declares that package's
// surface, a subset of Node's node:buffer. Needs TypeScript 5.7 or later
// (generic typed arrays).

/** The encodings Buffer, `socket.setEncoding` and `socket.write` accept. */
type BufferEncoding =
  | "ascii"
  | "utf8"
  | "utf-8"
  | "utf16le"
  | "utf-16le"
  | "ucs2"
  | "ucs-2"
  | "base64"
  | "base64url"
  | "latin1"
  | "binary"
  | "hex";

/** Node's Buffer: a Uint8Array with encoding-aware helpers. `'data'` events carry Buffers. */
interface Buffer<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> extends Uint8Array<TArrayBuffer> {
  /** Decodes bytes `start` to `end` with `encoding` (default utf8). */
  toString(encoding?: BufferEncoding, start?: number, end?: number): string;
  /** `{ type: 'Buffer', data: [...] }`, as JSON.stringify uses. */
  toJSON(): { type: "Buffer"; data: number[] };
  /** Encodes `string` into the buffer; returns the number of bytes written. */
  write(string: string, encoding?: BufferEncoding): number;
  write(string: string, offset: number, encoding?: BufferEncoding): number;
  write(string: string, offset: number, length: number, encoding?: BufferEncoding): number;
  /** True if both hold the same bytes. */
  equals(other: Uint8Array): boolean;
  /** -1, 0 or 1: how this buffer sorts against `target`. */
  compare(target: Uint8Array, targetStart?: number, targetEnd?: number, sourceStart?: number, sourceEnd?: number): -1 | 0 | 1;
  /** Copies bytes into `target`; returns how many were copied. */
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number;
  /** A Buffer over the same memory (no copy), like `subarray` (unlike Uint8Array's `slice`). */
  slice(start?: number, end?: number): Buffer<ArrayBuffer>;
  /** A Buffer over the same memory (no copy). */
  subarray(start?: number, end?: number): Buffer<TArrayBuffer>;
  fill(value: string | Uint8Array | number, offset?: number, end?: number, encoding?: BufferEncoding): this;
  fill(value: string, encoding: BufferEncoding): this;
  indexOf(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): number;
  lastIndexOf(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): number;
  includes(value: string | number | Uint8Array, byteOffset?: number, encoding?: BufferEncoding): boolean;
  swap16(): this;
  swap32(): this;
  swap64(): this;
  readUInt8(offset?: number): number;
  readUint8(offset?: number): number;
  readUInt16LE(offset?: number): number;
  readUint16LE(offset?: number): number;
  readUInt16BE(offset?: number): number;
  readUint16BE(offset?: number): number;
  readUInt32LE(offset?: number): number;
  readUint32LE(offset?: number): number;
  readUInt32BE(offset?: number): number;
  readUint32BE(offset?: number): number;
  readUIntLE(offset: number, byteLength: number): number;
  readUintLE(offset: number, byteLength: number): number;
  readUIntBE(offset: number, byteLength: number): number;
  readUintBE(offset: number, byteLength: number): number;
  readInt8(offset?: number): number;
  readInt16LE(offset?: number): number;
  readInt16BE(offset?: number): number;
  readInt32LE(offset?: number): number;
  readInt32BE(offset?: number): number;
  readIntLE(offset: number, byteLength: number): number;
  readIntBE(offset: number, byteLength: number): number;
  readBigUInt64LE(offset?: number): bigint;
  readBigUInt64BE(offset?: number): bigint;
  readBigInt64LE(offset?: number): bigint;
  readBigInt64BE(offset?: number): bigint;
  readFloatLE(offset?: number): number;
  readFloatBE(offset?: number): number;
  readDoubleLE(offset?: number): number;
  readDoubleBE(offset?: number): number;
  /** The write* methods return `offset` plus the number of bytes written. */
  writeUInt8(value: number, offset?: number): number;
  writeUint8(value: number, offset?: number): number;
  writeUInt16LE(value: number, offset?: number): number;
  writeUint16LE(value: number, offset?: number): number;
  writeUInt16BE(value: number, offset?: number): number;
  writeUint16BE(value: number, offset?: number): number;
  writeUInt32LE(value: number, offset?: number): number;
  writeUint32LE(value: number, offset?: number): number;
  writeUInt32BE(value: number, offset?: number): number;
  writeUint32BE(value: number, offset?: number): number;
  writeUIntLE(value: number, offset: number, byteLength: number): number;
  writeUintLE(value: number, offset: number, byteLength: number): number;
  writeUIntBE(value: number, offset: number, byteLength: number): number;
  writeUintBE(value: number, offset: number, byteLength: number): number;
  writeInt8(value: number, offset?: number): number;
  writeInt16LE(value: number, offset?: number): number;
  writeInt16BE(value: number, offset?: number): number;
  writeInt32LE(value: number, offset?: number): number;
  writeInt32BE(value: number, offset?: number): number;
  writeIntLE(value: number, offset: number, byteLength: number): number;
  writeIntBE(value: number, offset: number, byteLength: number): number;
  writeBigUInt64LE(value: bigint, offset?: number): number;
  writeBigUInt64BE(value: bigint, offset?: number): number;
  writeBigInt64LE(value: bigint, offset?: number): number;
  writeBigInt64BE(value: bigint, offset?: number): number;
  writeFloatLE(value: number, offset?: number): number;
  writeFloatBE(value: number, offset?: number): number;
  writeDoubleLE(value: number, offset?: number): number;
  writeDoubleBE(value: number, offset?: number): number;
}

interface BufferConstructor {
  /** Copies bytes from an array, a typed array or a string (decoded with `encoding`). */
  from(data: readonly number[] | Uint8Array): Buffer<ArrayBuffer>;
  from<T extends ArrayBufferLike>(arrayBuffer: T, byteOffset?: number, length?: number): Buffer<T>;
  from(string: string, encoding?: BufferEncoding): Buffer<ArrayBuffer>;
  /** A zero-filled (or `fill`-filled) Buffer of `size` bytes. */
  alloc(size: number, fill?: string | Uint8Array | number, encoding?: BufferEncoding): Buffer<ArrayBuffer>;
  /** A Buffer of `size` bytes whose content is not initialised. */
  allocUnsafe(size: number): Buffer<ArrayBuffer>;
  allocUnsafeSlow(size: number): Buffer<ArrayBuffer>;
  isBuffer(obj: unknown): obj is Buffer;
  isEncoding(encoding: string): encoding is BufferEncoding;
  /** The length in bytes of `string` once encoded, or of a binary value. */
  byteLength(string: string | ArrayBufferView | ArrayBufferLike, encoding?: BufferEncoding): number;
  /** Joins buffers into one new Buffer of `totalLength` bytes (default: the sum). */
  concat(list: readonly Uint8Array[], totalLength?: number): Buffer<ArrayBuffer>;
  /** Sort order of two buffers: -1, 0 or 1. */
  compare(buf1: Uint8Array, buf2: Uint8Array): -1 | 0 | 1;
  /** Size of the pre-allocated pool used by `allocUnsafe`. */
  poolSize: number;
  readonly prototype: Buffer;
}

/** Node's Buffer (the `buffer` package), available without an import. */
declare var Buffer: BufferConstructor;

declare module "buffer" {
  /** The same class as the global `Buffer`. */
  const Buffer: BufferConstructor;
  type Buffer<TArrayBuffer extends ArrayBufferLike = ArrayBufferLike> = globalThis.Buffer<TArrayBuffer>;
  /** @deprecated Use `Buffer.allocUnsafeSlow()`. */
  const SlowBuffer: (size: number) => Buffer<ArrayBuffer>;
  /** Bytes shown by `buf.inspect()`. */
  let INSPECT_MAX_BYTES: number;
  /** The largest Buffer size allowed. */
  const kMaxLength: number;
  export { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength };
}

declare module "node:buffer" {
  export * from "buffer";
}
