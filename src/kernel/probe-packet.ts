import { AF_INET, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_RAW, errno, libc } from "./libc.js";
import { withNetns } from "./netns.js";
import { socketAddress } from "./sockaddr.js";
import { errnoName } from "../errors.js";
import { formatIpv4, parseIpv4 } from "../model/ipv4.js";

const IPPROTO = { tcp: 6, udp: 17 } as const;
/** What a UDP probe carries after its 4-byte cookie. */
const UDP_TAG = Buffer.from("berth-probe", "ascii");

/** One probe packet: a TCP SYN (whose sequence number is the cookie) or a UDP datagram (whose payload starts with it). */
export interface ProbePacket {
  readonly proto: "tcp" | "udp";
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  /** 32 random bits that tell this packet from every other. */
  readonly cookie: number;
}

export type ProbeSendResult = { readonly kind: "sent" } | { readonly kind: "error"; readonly errno: number; readonly name: string };
export type ProbeSourceResult = { readonly kind: "source"; readonly src: string } | { readonly kind: "error"; readonly errno: number; readonly name: string };

function failure(): { kind: "error"; errno: number; name: string } {
  const e = errno();
  return { kind: "error", errno: e, name: errnoName(e) };
}

/** The Internet checksum of `parts` (one's complement sum of 16-bit words). */
function checksum(parts: readonly Buffer[]): number {
  const b = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2 === 1) sum += (b[b.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The transport header (and UDP payload) of the probe, checksummed over the IPv4 pseudo-header. */
export function buildProbeSegment(p: ProbePacket): Buffer {
  let seg: Buffer;
  if (p.proto === "tcp") {
    seg = Buffer.alloc(20);
    seg.writeUInt16BE(p.sport, 0);
    seg.writeUInt16BE(p.dport, 2);
    seg.writeUInt32BE(p.cookie >>> 0, 4);
    seg.writeUInt8(5 << 4, 12); // data offset: 5 words, no options
    seg.writeUInt8(0x02, 13); // SYN
    seg.writeUInt16BE(64240, 14);
  } else {
    seg = Buffer.alloc(8 + 4 + UDP_TAG.length);
    seg.writeUInt16BE(p.sport, 0);
    seg.writeUInt16BE(p.dport, 2);
    seg.writeUInt16BE(seg.length, 4);
    seg.writeUInt32BE(p.cookie >>> 0, 8);
    UDP_TAG.copy(seg, 12);
  }
  const pseudo = Buffer.alloc(12);
  pseudo.writeUInt32BE(parseIpv4(p.src), 0);
  pseudo.writeUInt32BE(parseIpv4(p.dst), 4);
  pseudo.writeUInt8(IPPROTO[p.proto], 9);
  pseudo.writeUInt16BE(seg.length, 10);
  let sum = checksum([pseudo, seg]);
  if (p.proto === "udp" && sum === 0) sum = 0xffff;
  seg.writeUInt16BE(sum, p.proto === "tcp" ? 16 : 6);
  return seg;
}

function inNetns<T>(netns: string | undefined, fn: () => T): T {
  return netns === undefined ? fn() : withNetns(netns, fn);
}

/**
 * The source address the kernel picks for `dst` in `netns` (the caller's
 * when undefined), by connecting a UDP socket, which sends nothing; an
 * error (ENETUNREACH: no route) when it has none.
 */
export function probeSource(netns: string | undefined, dst: string, dport: number): ProbeSourceResult {
  return inNetns(netns, () => {
    const fd = libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return failure();
    try {
      const sa = socketAddress(dst, dport);
      if (libc.connect(fd, sa, sa.length) < 0) return failure();
      const out = Buffer.alloc(16);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(16);
      if (libc.getsockname(fd, out, len) < 0) return failure();
      return { kind: "source", src: formatIpv4(out.readUInt32BE(4)) };
    } finally {
      libc.close(fd);
    }
  });
}

/**
 * Send the probe once from `netns` (the caller's when undefined) on a raw
 * socket: the kernel adds the IPv4 header and routes it as it would a
 * socket's packet; nothing answers the reply (the kernel resets a TCP one).
 */
export function sendProbe(netns: string | undefined, p: ProbePacket): ProbeSendResult {
  return inNetns(netns, () => {
    const fd = libc.socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO[p.proto]);
    if (fd < 0) return failure();
    try {
      const from = socketAddress(p.src, 0);
      if (libc.bind(fd, from, from.length) < 0) return failure();
      const seg = buildProbeSegment(p);
      const to = socketAddress(p.dst, 0);
      if (Number(libc.sendto(fd, seg, seg.length, 0, to, to.length)) < 0) return failure();
      return { kind: "sent" };
    } finally {
      libc.close(fd);
    }
  });
}
