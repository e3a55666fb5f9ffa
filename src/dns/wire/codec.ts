/** What a codec's decode() returns: the value and how many bytes it took. */
export interface Decoded<T> {
  readonly value: T;
  /** Bytes consumed at the decode offset (a compressed name counts only up to its pointer). */
  readonly length: number;
}

/**
 * dns-packet's codec shape without its mutable `encode.bytes` side channel:
 * encode into `buf` at `offset` (allocating when no buffer is given),
 * decode from `buf` at `offset`, and tell the encoded size up front.
 */
export interface Codec<T> {
  encode(value: T, buf?: Buffer, offset?: number): Buffer;
  decode(buf: Buffer, offset?: number): Decoded<T>;
  encodingLength(value: T): number;
}

/** A packet that breaks the wire format: the resolver answers FORMERR (or drops it). */
export class WireFormatError extends SyntaxError {
  override readonly name = "WireFormatError";
}
