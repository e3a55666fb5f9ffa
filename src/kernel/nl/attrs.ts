import { NLA_F_NESTED } from "./constants.js";
import { formatIpv4, parseIpv4 } from "../../model/ipv4.js";
import { formatIpv6, parseIpv6 } from "../../model/ipv6.js";

/**
 * One netlink attribute:
 *
 *   struct rtattr {            // same layout as struct nlattr
 *     unsigned short rta_len;  // header + payload, without the padding
 *     unsigned short rta_type; // IFLA_*, IFA_*, RTA_*; NLA_F_NESTED marks nested attributes
 *   };                         // payload follows, padded to 4 bytes (RTA_ALIGN)
 */
export interface Attr {
  readonly type: number;
  readonly data: Buffer;
}

export const RTA_HDRLEN = 4;

export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Encode attributes back to back, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const total = attrs.reduce((n, a) => n + align4(RTA_HDRLEN + a.data.length), 0);
  const out = Buffer.alloc(total);
  let off = 0;
  for (const a of attrs) {
    if (RTA_HDRLEN + a.data.length > 0xffff) throw new RangeError(`Cannot encode netlink attribute ${a.type}: payload of ${a.data.length} bytes exceeds 65531`);
    out.writeUInt16LE(RTA_HDRLEN + a.data.length, off);
    out.writeUInt16LE(a.type, off + 2);
    a.data.copy(out, off + RTA_HDRLEN);
    off += align4(RTA_HDRLEN + a.data.length);
  }
  return out;
}

/** Decode attributes in order (repeats kept); NLA_F_NESTED is stripped from the type. Stops at a malformed header. */
export function decodeAttrList(buf: Buffer, start = 0, end = buf.length): Attr[] {
  const out: Attr[] = [];
  let off = start;
  while (off + RTA_HDRLEN <= end) {
    const len = buf.readUInt16LE(off);
    if (len < RTA_HDRLEN || off + len > end) break;
    out.push({ type: buf.readUInt16LE(off + 2) & ~NLA_F_NESTED, data: buf.subarray(off + RTA_HDRLEN, off + len) });
    off += align4(len);
  }
  return out;
}

/** Decode attributes into a map by type (the last of a repeated type wins). Use for nested payloads too. */
export function decodeAttrs(buf: Buffer, start = 0, end = buf.length): Map<number, Buffer> {
  return new Map(decodeAttrList(buf, start, end).map((a) => [a.type, a.data]));
}

/** Builders for the attribute payload types rtnetlink uses. */
export const attr = {
  /** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING). */
  str(type: number, s: string): Attr {
    return { type, data: Buffer.from(`${s}\0`, "utf8") };
  },
  u8(type: number, v: number): Attr {
    return { type, data: Buffer.from([v & 0xff]) };
  },
  u32(type: number, v: number): Attr {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return { type, data: b };
  },
  s32(type: number, v: number): Attr {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return { type, data: b };
  },
  bytes(type: number, data: Buffer): Attr {
    return { type, data };
  },
  /** Children encoded as the payload, with NLA_F_NESTED set on the type. */
  nested(type: number, children: readonly Attr[]): Attr {
    return { type: type | NLA_F_NESTED, data: encodeAttrs(children) };
  },
  /** An IPv4 address in network byte order; throws INVALID_ADDRESS for anything but a dotted quad. */
  ipv4(type: number, ip: string): Attr {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(parseIpv4(ip));
    return { type, data: b };
  },
  /** An IPv6 address in network byte order (16 bytes); throws INVALID_ADDRESS for anything else. */
  ipv6(type: number, ip: string): Attr {
    const v = parseIpv6(ip);
    const b = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) b[i] = Number((v >> BigInt((15 - i) * 8)) & 0xffn);
    return { type, data: b };
  },
};

export function readIpv6(b: Buffer | undefined): string | undefined {
  if (!b || b.length !== 16) return undefined;
  let v = 0n;
  for (const byte of b) v = (v << 8n) | BigInt(byte);
  return formatIpv6(v);
}

export function readStr(b: Buffer | undefined): string | undefined {
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

export function readU8(b: Buffer | undefined): number | undefined {
  return b && b.length >= 1 ? b.readUInt8(0) : undefined;
}

export function readU32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

export function readS32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readInt32LE(0) : undefined;
}

export function readIpv4(b: Buffer | undefined): string | undefined {
  return b && b.length === 4 ? formatIpv4(b.readUInt32BE(0)) : undefined;
}
