import { WireFormatError, type Codec, type Decoded } from "./codec.js";
import { CLASS_IN, TYPE_A } from "./constants.js";

/**
 * An A record whose owner name is a compression pointer (to the question's
 * name at offset 12 in every reply the resolver builds): 16 bytes.
 */
export interface CompressedA {
  /** Offset the owner-name pointer points to. */
  readonly nameOffset: number;
  readonly ttl: number;
  /** The address as an unsigned 32-bit integer. */
  readonly ip: number;
}

export const COMPRESSED_A_LENGTH = 16;

/** Write a compressed A record at `offset` (the fast path's form of encode(), with no record object to allocate). */
export function writeCompressedA(out: Buffer, offset: number, nameOffset: number, ttl: number, ip: number): void {
  out.writeUInt16BE(0xc000 | nameOffset, offset);
  out.writeUInt16BE(TYPE_A, offset + 2);
  out.writeUInt16BE(CLASS_IN, offset + 4);
  out.writeUInt32BE(ttl, offset + 6);
  out.writeUInt16BE(4, offset + 10);
  out.writeUInt32BE(ip, offset + 12);
}

function encode(r: CompressedA, buf?: Buffer, offset = 0): Buffer {
  const out = buf ?? Buffer.alloc(COMPRESSED_A_LENGTH);
  writeCompressedA(out, offset, r.nameOffset, r.ttl, r.ip);
  return out;
}

function decode(buf: Buffer, offset = 0): Decoded<CompressedA> {
  if (offset + COMPRESSED_A_LENGTH > buf.length) throw new WireFormatError("Cannot decode A record: it is cut off");
  const ptr = buf.readUInt16BE(offset);
  if ((ptr & 0xc000) !== 0xc000) throw new WireFormatError("Cannot decode A record: owner name is not a compression pointer");
  if (buf.readUInt16BE(offset + 2) !== TYPE_A || buf.readUInt16BE(offset + 4) !== CLASS_IN || buf.readUInt16BE(offset + 10) !== 4) {
    throw new WireFormatError("Cannot decode A record: not type A, class IN with 4 bytes of data");
  }
  return { value: { nameOffset: ptr & 0x3fff, ttl: buf.readUInt32BE(offset + 6), ip: buf.readUInt32BE(offset + 12) }, length: COMPRESSED_A_LENGTH };
}

export const compressedA: Codec<CompressedA> = { encode, decode, encodingLength: () => COMPRESSED_A_LENGTH };
