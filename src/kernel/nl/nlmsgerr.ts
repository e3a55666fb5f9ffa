import { attr, decodeAttrs, encodeAttrs, readStr, readU32 } from "./attrs.js";
import { NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS, NLM_F_ACK_TLVS, NLM_F_CAPPED } from "./constants.js";
import { NLMSG_HDRLEN, type NlMsg } from "./messages.js";

/**
 * The body of an NLMSG_ERROR message (an ACK when `error` is 0):
 *
 *   struct nlmsgerr {
 *     int error;               // negative errno, or 0 for an ACK
 *     struct nlmsghdr msg;     // the request's header (and payload unless NLM_F_CAPPED)
 *   };
 *   // then, when NLM_F_ACK_TLVS is set on the NLMSG_ERROR, extended-ACK attributes:
 *   // NLMSGERR_ATTR_MSG (string), NLMSGERR_ATTR_OFFS (u32 offset of the bad attribute), ...
 */
export interface NlMsgErr {
  /** Positive errno; 0 for a plain ACK. */
  readonly errno: number;
  /** Sequence number of the request this answers. */
  readonly requestSeq: number;
  /** The kernel's extended-ACK text (NLMSGERR_ATTR_MSG), if it sent one. */
  readonly extack: string | undefined;
  /** Byte offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS). */
  readonly badAttrOffset: number | undefined;
}

/** Decode the body of an NLMSG_ERROR message. */
export function decodeNlMsgErr(m: Pick<NlMsg, "flags" | "body">): NlMsgErr {
  const code = m.body.readInt32LE(0);
  const origLen = m.body.length >= 4 + NLMSG_HDRLEN ? m.body.readUInt32LE(4) : 0;
  const requestSeq = m.body.length >= 4 + NLMSG_HDRLEN ? m.body.readUInt32LE(4 + 8) : 0;
  let extack: string | undefined;
  let badAttrOffset: number | undefined;
  if (m.flags & NLM_F_ACK_TLVS) {
    const tlvStart = 4 + (m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : origLen);
    const tlvs = decodeAttrs(m.body, Math.min(tlvStart, m.body.length));
    extack = readStr(tlvs.get(NLMSGERR_ATTR_MSG)) || undefined;
    badAttrOffset = readU32(tlvs.get(NLMSGERR_ATTR_OFFS));
  }
  return { errno: code === 0 ? 0 : -code, requestSeq, extack, badAttrOffset };
}

/** Encode an NLMSG_ERROR body (tests and fakes): the error, the echoed request header and extack TLVs. */
export function encodeNlMsgErr(errno: number, request: Buffer, extack?: string): { flags: number; body: Buffer } {
  const capped = request.subarray(0, NLMSG_HDRLEN);
  const tlvs = extack === undefined ? Buffer.alloc(0) : encodeAttrs([attr.str(NLMSGERR_ATTR_MSG, extack)]);
  const body = Buffer.alloc(4 + capped.length + tlvs.length);
  body.writeInt32LE(-errno, 0);
  capped.copy(body, 4);
  tlvs.copy(body, 4 + capped.length);
  return { flags: NLM_F_CAPPED | (extack === undefined ? 0 : NLM_F_ACK_TLVS), body };
}
