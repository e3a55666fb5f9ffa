import {
  CLASS_IN,
  EDNS_PAYLOAD,
  FLAG_QR,
  HEADER_LENGTH,
  MAX_LABEL_LENGTH,
  MAX_NAME_LENGTH,
  OPCODE_MASK,
  TYPE_A,
  TYPE_AAAA,
  TYPE_OPT,
  UDP_PLAIN_MAX,
} from "./constants.js";

/** What to do with a packet, decided from its header and question alone. */
export const enum Verdict {
  /** A single-question A or AAAA query, uncompressed, at most one plain OPT: the fast path can answer it. */
  Fast = 0,
  /** A well-formed query the fast path does not handle: hand it to the full decoder. */
  Other = 1,
  /** Not worth a reply (too short for a header, or a response). */
  Drop = 2,
  /** Broken question: reply FORMERR. */
  FormErr = 3,
  /** Unknown opcode or class: reply NOTIMP. */
  NotImp = 4,
}

/**
 * The parsed query, reused across packets so the fast path allocates
 * nothing but the name string.
 */
export interface FastQuery {
  /** The question name, lowercased (ASCII only), dotted, no trailing dot. */
  name: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question: bytes [0, questionEnd) are echoed in the reply. */
  questionEnd: number;
  /** The query carried an EDNS OPT record (the reply then carries one too). */
  edns: boolean;
  /** Largest UDP reply the client accepts. */
  udpMax: number;
  /** The question parsed (so an error reply can echo it). */
  hasQuestion: boolean;
}

export function newFastQuery(): FastQuery {
  return { name: "", qtype: 0, qclass: 0, questionEnd: 0, edns: false, udpMax: UDP_PLAIN_MAX, hasQuestion: false };
}

const scratch = Buffer.allocUnsafe(MAX_NAME_LENGTH + 1);

/**
 * Parse the first `n` bytes of `buf` as a query without building objects:
 * header checks, the one question's name (lowercased into `q.name`), type
 * and class, and an optional trailing OPT record. Anything unusual is `Other`, for the full
 * decoder to judge.
 */
export function parseFastQuery(buf: Buffer, q: FastQuery, n = buf.length): Verdict {
  q.hasQuestion = false;
  q.edns = false;
  q.udpMax = UDP_PLAIN_MAX;
  if (n < HEADER_LENGTH) return Verdict.Drop;
  const flags = (buf[2]! << 8) | buf[3]!;
  if (flags & FLAG_QR) return Verdict.Drop;
  if (flags & OPCODE_MASK) return Verdict.NotImp;
  if (buf[4] !== 0 || buf[5] !== 1) return Verdict.FormErr;
  if (buf[6] !== 0 || buf[7] !== 0 || buf[8] !== 0 || buf[9] !== 0) return Verdict.Other;
  const arcount = (buf[10]! << 8) | buf[11]!;
  if (arcount > 1) return Verdict.Other;

  let o = HEADER_LENGTH;
  let w = 0;
  let wire = 1;
  for (;;) {
    if (o >= n) return Verdict.FormErr;
    const len = buf[o]!;
    if (len === 0) break;
    if (len > MAX_LABEL_LENGTH) return (len & 0xc0) === 0xc0 ? Verdict.Other : Verdict.FormErr;
    if (o + 1 + len > n) return Verdict.FormErr;
    wire += len + 1;
    if (wire > MAX_NAME_LENGTH) return Verdict.FormErr;
    if (w > 0) scratch[w++] = 0x2e;
    for (let i = o + 1, end = o + 1 + len; i < end; i++) {
      const c = buf[i]!;
      scratch[w++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    o += 1 + len;
  }
  o += 1;
  if (o + 4 > n) return Verdict.FormErr;
  q.qtype = (buf[o]! << 8) | buf[o + 1]!;
  q.qclass = (buf[o + 2]! << 8) | buf[o + 3]!;
  o += 4;
  q.questionEnd = o;
  q.name = scratch.toString("latin1", 0, w);
  q.hasQuestion = true;
  if (q.qclass !== CLASS_IN) return Verdict.NotImp;

  if (arcount === 1) {
    // OPT: root name, type 41, class = payload size, ttl = ext-rcode/version/flags, rdlength
    if (o + 11 > n || buf[o] !== 0 || ((buf[o + 1]! << 8) | buf[o + 2]!) !== TYPE_OPT) return Verdict.Other;
    if (buf[o + 6] !== 0) return Verdict.Other; // EDNS version other than 0: let the full path decide
    const rdlen = (buf[o + 9]! << 8) | buf[o + 10]!;
    if (o + 11 + rdlen !== n) return Verdict.Other;
    // options (code, length, data) must fill the rdata exactly; anything else goes to the full path
    for (let p = o + 11; p < n;) {
      if (p + 4 > n) return Verdict.Other;
      p += 4 + ((buf[p + 2]! << 8) | buf[p + 3]!);
      if (p > n) return Verdict.Other;
    }
    const payload = (buf[o + 3]! << 8) | buf[o + 4]!;
    q.edns = true;
    q.udpMax = Math.min(Math.max(payload, UDP_PLAIN_MAX), EDNS_PAYLOAD);
  } else if (o !== n) {
    return Verdict.Other;
  }
  return q.qtype === TYPE_A || q.qtype === TYPE_AAAA ? Verdict.Fast : Verdict.Other;
}
