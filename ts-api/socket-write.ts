/**
 * Write-side helpers of `net.Socket` that need none of its private state:
 * counting the bytes still queued (for `bytesWritten`, as Node counts them),
 * write()'s return value as Node decides it, and Node's writeAfterFIN.
 */
import { Buffer } from "node:buffer";

/** One entry of Writable's buffer (or of a pending writev). */
export interface WriteReq {
  chunk: any;
  encoding: BufferEncoding;
}

function reqBytes(list: WriteReq[]): number {
  let bytes = 0;
  for (const el of list) {
    bytes += Buffer.isBuffer(el.chunk) ? el.chunk.length : Buffer.byteLength(el.chunk, el.encoding);
  }
  return bytes;
}

/**
 * Bytes Node's `bytesWritten` adds to what reached the handle: the Writable's
 * buffer, and the write held back until the connection (`_pendingData`).
 */
export function queuedBytes(buffered: WriteReq[], pendingData: unknown, pendingEncoding: string): number {
  let bytes = reqBytes(buffered);
  if (Array.isArray(pendingData)) {
    bytes += reqBytes(pendingData as WriteReq[]);
  } else if (pendingData) {
    bytes += typeof pendingData === "string"
      ? Buffer.byteLength(pendingData, pendingEncoding as BufferEncoding)
      : (pendingData as Uint8Array).byteLength;
  }
  return bytes;
}

/** The parts of a Writable's state that write() reads (node:stream and readable-stream alike). */
interface WriteState {
  length: number;
  highWaterMark: number;
  errored: unknown;
  destroyed: boolean;
  needDrain: boolean;
}

/**
 * After a write() the Duplex answered false: whether Node would have answered
 * true. Node (lib/internal/streams/writable.js, v20+) reads the buffered length
 * after _write, so a write the backend completed at once returns true and asks
 * for no 'drain'. readable-stream 4 (the guest's Duplex) reads it before, so
 * every write of highWaterMark bytes or more would return false and bring a
 * 'drain'. On node:stream this changes nothing.
 */
export function writtenAtOnce(s: object): boolean {
  const state = (s as { _writableState: WriteState })._writableState;
  if ((state.length < state.highWaterMark || state.length === 0) && !state.errored && !state.destroyed) {
    state.needDrain = false;
    return true;
  }
  return false;
}

/** Node: without allowHalfOpen, writing after the peer's FIN is EPIPE. */
export function writeAfterFIN(self: { destroy(err: Error): unknown }, chunk: unknown, encoding?: unknown,
  cb?: unknown): boolean {
  if (typeof encoding === "function") {
    cb = encoding;
    encoding = null;
  }
  const er = new Error("This socket has been ended by the other party") as Error & { code: string };
  er.code = "EPIPE";
  if (typeof cb === "function") process.nextTick(cb as (err: Error) => void, er);
  self.destroy(er);
  return false;
}
