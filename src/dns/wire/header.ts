import { WireFormatError, type Codec, type Decoded } from "./codec.js";
import { HEADER_LENGTH } from "./constants.js";

/** The fixed 12-byte message header (RFC 1035 4.1.1); `flags` is the raw 16-bit word. */
export interface Header {
  readonly id: number;
  readonly flags: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

function encode(h: Header, buf?: Buffer, offset = 0): Buffer {
  const out = buf ?? Buffer.alloc(HEADER_LENGTH);
  out.writeUInt16BE(h.id, offset);
  out.writeUInt16BE(h.flags, offset + 2);
  out.writeUInt16BE(h.qdcount, offset + 4);
  out.writeUInt16BE(h.ancount, offset + 6);
  out.writeUInt16BE(h.nscount, offset + 8);
  out.writeUInt16BE(h.arcount, offset + 10);
  return out;
}

function decode(buf: Buffer, offset = 0): Decoded<Header> {
  if (buf.length - offset < HEADER_LENGTH) throw new WireFormatError(`Cannot decode header: ${buf.length - offset} bytes, need ${HEADER_LENGTH}`);
  return {
    value: {
      id: buf.readUInt16BE(offset),
      flags: buf.readUInt16BE(offset + 2),
      qdcount: buf.readUInt16BE(offset + 4),
      ancount: buf.readUInt16BE(offset + 6),
      nscount: buf.readUInt16BE(offset + 8),
      arcount: buf.readUInt16BE(offset + 10),
    },
    length: HEADER_LENGTH,
  };
}

export const header: Codec<Header> = { encode, decode, encodingLength: () => HEADER_LENGTH };
