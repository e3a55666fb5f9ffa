import { COMPRESSED_A_LENGTH, writeCompressedA } from "./a-record.js";
import { EDNS_PAYLOAD, FLAG_AA, FLAG_CD, FLAG_QR, FLAG_RA, FLAG_RD, FLAG_TC, HEADER_LENGTH, TYPE_OPT } from "./constants.js";
import type { FastQuery } from "./fast-query.js";

/** Our OPT record: root name, type 41, payload size, no extended rcode, version 0, no options. */
const OPT_LENGTH = 11;

function writeOpt(out: Buffer, o: number): void {
  out[o] = 0;
  out.writeUInt16BE(TYPE_OPT, o + 1);
  out.writeUInt16BE(EDNS_PAYLOAD, o + 3);
  out.writeUInt32BE(0, o + 5);
  out.writeUInt16BE(0, o + 9);
}

/**
 * Write the reply to a query parsed by parseFastQuery() into `out` and
 * return its length: the header and question are copied from the query
 * (keeping the client's id and name case), then one compressed A record per
 * address, TTL 0, and an OPT record if the query had one. Too big for the
 * client's limit (`maxSize`) or for `out`: no answers and TC set, so it
 * retries over TCP. `out` must hold at least the question and an OPT.
 */
export function encodeFastReplyInto(out: Buffer, query: Buffer, q: FastQuery, rcode: number, ips: readonly number[], maxSize: number): number {
  const opt = q.edns ? OPT_LENGTH : 0;
  let count = ips.length;
  let tc = 0;
  if (q.questionEnd + count * COMPRESSED_A_LENGTH + opt > Math.min(maxSize, out.length)) {
    count = 0;
    tc = FLAG_TC;
  }
  // byte by byte: Buffer#copy of a part of a buffer allocates a view of it
  for (let k = 0; k < q.questionEnd; k++) out[k] = query[k]!;
  const qflags = (query[2]! << 8) | query[3]!;
  out.writeUInt16BE(FLAG_QR | FLAG_AA | FLAG_RA | tc | (qflags & (FLAG_RD | FLAG_CD)) | rcode, 2);
  out.writeUInt16BE(count, 6);
  out.writeUInt32BE(opt ? 1 : 0, 8); // nscount 0, arcount
  let o = q.questionEnd;
  for (let i = 0; i < count; i++) {
    writeCompressedA(out, o, HEADER_LENGTH, 0, ips[i]!);
    o += COMPRESSED_A_LENGTH;
  }
  if (opt) writeOpt(out, o);
  return o + opt;
}

/** encodeFastReplyInto() into a new buffer. */
export function encodeFastReply(query: Buffer, q: FastQuery, rcode: number, ips: readonly number[], maxSize: number): Buffer {
  const out = Buffer.allocUnsafe(q.questionEnd + ips.length * COMPRESSED_A_LENGTH + (q.edns ? OPT_LENGTH : 0));
  return out.subarray(0, encodeFastReplyInto(out, query, q, rcode, ips, maxSize));
}
