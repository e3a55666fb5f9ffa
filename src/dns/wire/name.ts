import { WireFormatError, type Codec, type Decoded } from "./codec.js";
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from "./constants.js";

/** Labels of a dotted name ("." and "" are the root: no labels). */
function labelsOf(name: string): string[] {
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  return n === "" ? [] : n.split(".");
}

function encodingLength(name: string): number {
  let len = 1;
  for (const l of labelsOf(name)) len += 1 + Buffer.byteLength(l, "latin1");
  return len;
}

function encode(name: string, buf?: Buffer, offset = 0): Buffer {
  const len = encodingLength(name);
  if (len > MAX_NAME_LENGTH) throw new RangeError(`Cannot encode name "${name}": it is ${len} bytes on the wire, more than ${MAX_NAME_LENGTH}`);
  const out = buf ?? Buffer.alloc(len);
  let o = offset;
  for (const l of labelsOf(name)) {
    if (l.length === 0 || l.length > MAX_LABEL_LENGTH) {
      throw new RangeError(`Cannot encode name "${name}": label "${l}" must be 1 to ${MAX_LABEL_LENGTH} bytes long`);
    }
    out[o++] = l.length;
    o += out.write(l, o, "latin1");
  }
  out[o] = 0;
  return out;
}

/**
 * Decode a possibly compressed name. Pointers must point strictly before
 * the labels that hold them (RFC 1035 4.1.4 "a prior occurrence"), which
 * also rules out compression loops; the expanded name may not exceed 255
 * bytes. Labels are read as latin1, so every byte maps to one character.
 */
function decode(buf: Buffer, offset = 0): Decoded<string> {
  let o = offset;
  let segmentStart = offset;
  let consumed = -1;
  let total = 1;
  let out = "";
  for (;;) {
    if (o >= buf.length) throw new WireFormatError("Cannot decode name: it runs past the end of the packet");
    const len = buf[o] ?? 0;
    if (len === 0) {
      if (consumed < 0) consumed = o + 1 - offset;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (o + 1 >= buf.length) throw new WireFormatError("Cannot decode name: a compression pointer is cut off");
      const target = ((len & 0x3f) << 8) | (buf[o + 1] ?? 0);
      if (target >= segmentStart) throw new WireFormatError(`Cannot decode name: compression pointer to ${target} does not point backwards`);
      if (consumed < 0) consumed = o + 2 - offset;
      o = target;
      segmentStart = target;
      continue;
    }
    if (kind !== 0) throw new WireFormatError(`Cannot decode name: label type 0x${kind.toString(16)} is not supported`);
    if (o + 1 + len > buf.length) throw new WireFormatError("Cannot decode name: a label runs past the end of the packet");
    total += len + 1;
    if (total > MAX_NAME_LENGTH) throw new WireFormatError(`Cannot decode name: it is longer than ${MAX_NAME_LENGTH} bytes`);
    out += (out.length > 0 ? "." : "") + buf.toString("latin1", o + 1, o + 1 + len);
    o += 1 + len;
  }
  return { value: out.length === 0 ? "." : out, length: consumed };
}

/** Domain names on the wire (RFC 1035 3.1), decoding compression pointers; encoding never compresses. */
export const name: Codec<string> = { encode, decode, encodingLength };
