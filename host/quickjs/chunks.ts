/**
 * Reusable buffers for the bytes a guest writes.
 *
 * Every guest write is copied once out of the QuickJS heap into a buffer that
 * the driver keeps until the kernel has the bytes. For large writes a fresh
 * `Buffer.allocUnsafe` each time is slow: the copy lands on memory the process
 * has not touched lately (about 12 µs for 64 KiB in a bulk transfer, against
 * under 1 µs into a buffer just used). So large chunks come from here, and the
 * driver hands each one back (`NodeDriver`'s `releaseChunk`) once libuv is done
 * with it.
 *
 * - Only chunks of at least MIN bytes are pooled, in power-of-two sizes; smaller
 *   ones come from Node's own pool (`allocUnsafe`).
 * - A chunk is taken back only if this pool made it and it is still out: a
 *   second release, or a foreign buffer, is ignored.
 * - At most KEEP_BYTES stay on the free lists; beyond that a released chunk is
 *   left to the garbage collector, as is any chunk never released.
 */
import { Buffer } from "node:buffer";

const MIN = 16 * 1024;
const MAX = 1024 * 1024;
const KEEP_BYTES = 4 * 1024 * 1024;

export class ChunkPool {
  /** free ArrayBuffers by byte length */
  readonly #free = new Map<number, ArrayBuffer[]>();
  /** handed out and not yet released */
  readonly #out = new WeakSet<ArrayBuffer>();
  #kept = 0;

  /** A buffer of exactly `length` bytes (contents undefined). */
  take(length: number): Buffer {
    if (length < MIN || length > MAX) return Buffer.allocUnsafe(length);
    const size = sizeFor(length);
    const ab = this.#free.get(size)?.pop();
    if (ab !== undefined) {
      this.#kept -= size;
      this.#out.add(ab);
      return Buffer.from(ab, 0, length);
    }
    const fresh = new ArrayBuffer(size);
    this.#out.add(fresh);
    return Buffer.from(fresh, 0, length);
  }

  /** Hands back a chunk from take(); it must not be used after this. */
  release(chunk: Uint8Array): void {
    const ab = chunk.buffer;
    if (!(ab instanceof ArrayBuffer) || !this.#out.has(ab)) return;
    this.#out.delete(ab);
    if (this.#kept + ab.byteLength > KEEP_BYTES) return;
    let list = this.#free.get(ab.byteLength);
    if (list === undefined) this.#free.set(ab.byteLength, (list = []));
    list.push(ab);
    this.#kept += ab.byteLength;
  }

  /** bytes on the free lists */
  get keptBytes(): number {
    return this.#kept;
  }
}

function sizeFor(length: number): number {
  let size = MIN;
  while (size < length) size *= 2;
  return size;
}
