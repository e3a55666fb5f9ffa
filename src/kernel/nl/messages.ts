import { align4 } from "./attrs.js";

/** struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; } */
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

/** Split a datagram into messages. */
export function decodeMessages(buf: Buffer): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({ type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), body: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    off += align4(len);
  }
  return out;
}

/** struct ifinfomsg { unsigned char ifi_family; unsigned char __pad; unsigned short ifi_type; int ifi_index; unsigned ifi_flags; unsigned ifi_change; } */
export const IFINFOMSG_LEN = 16;
export function ifinfomsg(f: { family?: number; index?: number; flags?: number; change?: number }): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(f.family ?? 0, 0);
  b.writeInt32LE(f.index ?? 0, 4);
  b.writeUInt32LE((f.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((f.change ?? 0) >>> 0, 12);
  return b;
}

/** struct ifaddrmsg { __u8 ifa_family; __u8 ifa_prefixlen; __u8 ifa_flags; __u8 ifa_scope; __u32 ifa_index; } */
export const IFADDRMSG_LEN = 8;
export function ifaddrmsg(f: { family: number; prefixlen?: number; scope?: number; index?: number }): Buffer {
  const b = Buffer.alloc(IFADDRMSG_LEN);
  b.writeUInt8(f.family, 0);
  b.writeUInt8(f.prefixlen ?? 0, 1);
  b.writeUInt8(f.scope ?? 0, 3);
  b.writeUInt32LE(f.index ?? 0, 4);
  return b;
}

/** struct rtmsg { u8 rtm_family, rtm_dst_len, rtm_src_len, rtm_tos, rtm_table, rtm_protocol, rtm_scope, rtm_type; unsigned rtm_flags; } */
export const RTMSG_LEN = 12;
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
