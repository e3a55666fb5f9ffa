import { align4 } from "./attrs.js";

/**
 * struct nlmsghdr {
 *   __u32 nlmsg_len;    // length of the message, header included
 *   __u16 nlmsg_type;   // RTM_NEWLINK, NLMSG_ERROR, ...
 *   __u16 nlmsg_flags;  // NLM_F_REQUEST | NLM_F_ACK | ...
 *   __u32 nlmsg_seq;
 *   __u32 nlmsg_pid;
 * };
 */
export const NLMSG_HDRLEN = 16;

export interface NlMsg {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  /** Payload after the 16-byte header. */
  readonly body: Buffer;
}

/** Build a complete netlink message from a fixed header struct and encoded attributes. */
export function encodeMessage(type: number, flags: number, seq: number, fixed: Buffer, attrs: Buffer): Buffer {
  const len = NLMSG_HDRLEN + align4(fixed.length) + attrs.length;
  const b = Buffer.alloc(len);
  b.writeUInt32LE(len, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq, 8);
  b.writeUInt32LE(0, 12);
  fixed.copy(b, NLMSG_HDRLEN);
  attrs.copy(b, NLMSG_HDRLEN + align4(fixed.length));
  return b;
}

/** Split a datagram into messages; a truncated tail is dropped. */
export function decodeMessages(buf: Buffer): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      body: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/**
 * struct ifinfomsg {
 *   unsigned char  ifi_family;
 *   unsigned char  __ifi_pad;
 *   unsigned short ifi_type;    // ARPHRD_*
 *   int            ifi_index;
 *   unsigned       ifi_flags;   // IFF_*
 *   unsigned       ifi_change;  // IFF_* mask of flags to change
 * };
 */
export const IFINFOMSG_LEN = 16;

export interface IfInfoMsg {
  readonly family: number;
  readonly type: number;
  readonly index: number;
  readonly flags: number;
  readonly change: number;
}

export function ifinfomsg(f: { family?: number; index?: number; flags?: number; change?: number }): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(f.family ?? 0, 0);
  b.writeInt32LE(f.index ?? 0, 4);
  b.writeUInt32LE((f.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((f.change ?? 0) >>> 0, 12);
  return b;
}

export function decodeIfinfomsg(b: Buffer): IfInfoMsg {
  return { family: b.readUInt8(0), type: b.readUInt16LE(2), index: b.readInt32LE(4), flags: b.readUInt32LE(8), change: b.readUInt32LE(12) };
}

/**
 * struct ifaddrmsg {
 *   __u8  ifa_family;
 *   __u8  ifa_prefixlen;
 *   __u8  ifa_flags;
 *   __u8  ifa_scope;
 *   __u32 ifa_index;
 * };
 */
export const IFADDRMSG_LEN = 8;

export interface IfAddrMsg {
  readonly family: number;
  readonly prefixlen: number;
  readonly flags: number;
  readonly scope: number;
  readonly index: number;
}

export function ifaddrmsg(f: { family: number; prefixlen?: number; flags?: number; scope?: number; index?: number }): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(f.family, 0);
  b.writeUInt8(f.prefixlen ?? 0, 1);
  b.writeUInt8(f.flags ?? 0, 2);
  b.writeUInt8(f.scope ?? 0, 3);
  b.writeUInt32LE(f.index ?? 0, 4);
  return b;
}

export function decodeIfaddrmsg(b: Buffer): IfAddrMsg {
  return { family: b.readUInt8(0), prefixlen: b.readUInt8(1), flags: b.readUInt8(2), scope: b.readUInt8(3), index: b.readUInt32LE(4) };
}

/**
 * struct rtmsg {
 *   unsigned char rtm_family;
 *   unsigned char rtm_dst_len;
 *   unsigned char rtm_src_len;
 *   unsigned char rtm_tos;
 *   unsigned char rtm_table;     // RT_TABLE_MAIN; tables > 255 go in RTA_TABLE
 *   unsigned char rtm_protocol;  // RTPROT_*
 *   unsigned char rtm_scope;     // RT_SCOPE_*
 *   unsigned char rtm_type;      // RTN_*
 *   unsigned      rtm_flags;
 * };
 */
export const RTMSG_LEN = 12;

export interface RtMsg {
  readonly family: number;
  readonly dstLen: number;
  readonly srcLen: number;
  readonly tos: number;
  readonly table: number;
  readonly protocol: number;
  readonly scope: number;
  readonly type: number;
  readonly flags: number;
}

export function rtmsg(f: { family: number; dstLen?: number; table?: number; protocol?: number; scope?: number; type?: number }): Buffer {
  const b = Buffer.alloc(RTMSG_LEN);
  b.writeUInt8(f.family, 0);
  b.writeUInt8(f.dstLen ?? 0, 1);
  b.writeUInt8(f.table ?? 0, 4);
  b.writeUInt8(f.protocol ?? 0, 5);
  b.writeUInt8(f.scope ?? 0, 6);
  b.writeUInt8(f.type ?? 0, 7);
  return b;
}

export function decodeRtmsg(b: Buffer): RtMsg {
  return {
    family: b.readUInt8(0),
    dstLen: b.readUInt8(1),
    srcLen: b.readUInt8(2),
    tos: b.readUInt8(3),
    table: b.readUInt8(4),
    protocol: b.readUInt8(5),
    scope: b.readUInt8(6),
    type: b.readUInt8(7),
    flags: b.readUInt32LE(8),
  };
}
