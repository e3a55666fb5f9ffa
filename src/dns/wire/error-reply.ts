import { FLAG_CD, FLAG_QR, FLAG_RA, FLAG_RD, HEADER_LENGTH, OPCODE_MASK } from "./constants.js";

/**
 * A bare error reply: the query's id and opcode, QR set, its RD and CD
 * echoed, the given rcode, and no sections (the question may be the
 * very thing that is broken). `query` must be at least 12 bytes.
 */
export function encodeErrorReply(query: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_LENGTH);
  encodeErrorReplyInto(out, query, rcode);
  return out;
}

/** encodeErrorReply() into the first HEADER_LENGTH bytes of `out`; returns that length. */
export function encodeErrorReplyInto(out: Buffer, query: Buffer, rcode: number): number {
  out.fill(0, 0, HEADER_LENGTH);
  out[0] = query[0] ?? 0;
  out[1] = query[1] ?? 0;
  const qflags = (query[2]! << 8) | query[3]!;
  out.writeUInt16BE(FLAG_QR | FLAG_RA | (qflags & (OPCODE_MASK | FLAG_RD | FLAG_CD)) | (rcode & 0xf), 2);
  return HEADER_LENGTH;
}
