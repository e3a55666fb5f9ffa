import { WireFormatError, type Codec, type Decoded } from "./codec.js";
import { name } from "./name.js";

/** One entry of the question section (RFC 1035 4.1.2); type and class as numbers. */
export interface Question {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

function encode(q: Question, buf?: Buffer, offset = 0): Buffer {
  const out = buf ?? Buffer.alloc(encodingLength(q));
  name.encode(q.name, out, offset);
  const o = offset + name.encodingLength(q.name);
  out.writeUInt16BE(q.type, o);
  out.writeUInt16BE(q.class, o + 2);
  return out;
}

function decode(buf: Buffer, offset = 0): Decoded<Question> {
  const n = name.decode(buf, offset);
  const o = offset + n.length;
  if (o + 4 > buf.length) throw new WireFormatError("Cannot decode question: type and class are cut off");
  return { value: { name: n.value, type: buf.readUInt16BE(o), class: buf.readUInt16BE(o + 2) }, length: n.length + 4 };
}

function encodingLength(q: Question): number {
  return name.encodingLength(q.name) + 4;
}

export const question: Codec<Question> = { encode, decode, encodingLength };
