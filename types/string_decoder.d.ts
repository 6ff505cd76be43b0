// Guest-script types for the `string_decoder` module of a wasock sandbox (the
// `string_decoder` npm package, as Node's).

declare module "string_decoder" {
  /** Decodes Buffers to strings without splitting multibyte characters across chunks. */
  class StringDecoder {
    /** @param encoding default 'utf8' */
    constructor(encoding?: BufferEncoding);
    /** Decodes `buffer`, keeping an incomplete trailing character for the next call. */
    write(buffer: Uint8Array | string): string;
    /** Decodes `buffer` (if given) and flushes what is left, replacing an incomplete character. */
    end(buffer?: Uint8Array | string): string;
  }
  export { StringDecoder };
}

declare module "node:string_decoder" {
  export * from "string_decoder";
}
