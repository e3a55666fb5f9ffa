import { NLA_F_NESTED } from "./constants.js";

/** One netlink attribute: `struct rtattr { unsigned short rta_len; unsigned short rta_type; }` + payload, 4-byte aligned. */
export interface Attr {
  readonly type: number;
  readonly data: Buffer;
}

export function align4(n: number): number {
  return (n + 3) & ~3;
}

/** Encode attributes back to back, each padded to 4 bytes. */
export function encodeAttrs(attrs: readonly Attr[]): Buffer {
  const total = attrs.reduce((n, a) => n + align4(4 + a.data.length), 0);
  const out = Buffer.alloc(total);
  let off = 0;
  for (const a of attrs) {
    out.writeUInt16LE(4 + a.data.length, off);
    out.writeUInt16LE(a.type, off + 2);
    a.data.copy(out, off + 4);
    off += align4(4 + a.data.length);
  }
  return out;
}

/** Decode attributes from `buf`; the NLA_F_NESTED flag is stripped from the type. */
export function decodeAttrs(buf: Buffer, start = 0, end = buf.length): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    const type = buf.readUInt16LE(off + 2) & ~NLA_F_NESTED;
    out.set(type, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

export const attr = {
  /** A NUL-terminated string. */
  str(type: number, s: string): Attr {
    return { type, data: Buffer.from(`${s}\0`, "utf8") };
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
  nested(type: number, children: readonly Attr[]): Attr {
    return { type: type | NLA_F_NESTED, data: encodeAttrs(children) };
  },
  ipv4(type: number, ip: string): Attr {
    return { type, data: Buffer.from(ip.split(".").map(Number)) };
  },
};

export function readStr(b: Buffer | undefined): string | undefined {
  if (!b) return undefined;
  const nul = b.indexOf(0);
  return b.toString("utf8", 0, nul < 0 ? b.length : nul);
}

export function readU32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readUInt32LE(0) : undefined;
}

export function readS32(b: Buffer | undefined): number | undefined {
  return b && b.length >= 4 ? b.readInt32LE(0) : undefined;
}

export function readIpv4(b: Buffer | undefined): string | undefined {
  return b && b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.${b[3]}` : undefined;
}
