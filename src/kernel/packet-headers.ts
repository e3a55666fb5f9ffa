import { formatIpv4 } from "../model/ipv4.js";
import { readIpv6 } from "./nl/attrs.js";

/** The addresses, ports and flags of one packet, read from its raw IP and transport headers. */
export interface PacketHeaders {
  readonly saddr: string;
  readonly daddr: string;
  /** "tcp", "udp", "icmp", "icmpv6" or "proto N". */
  readonly proto: string;
  readonly sport?: number;
  readonly dport?: number;
  /** TCP: "SYN", "SYN,ACK", "RST,ACK", ... */
  readonly tcpFlags?: string;
  /** TCP: the sequence number. */
  readonly seq?: number;
  /** UDP: the first 4 bytes of the payload, as a number. */
  readonly cookie?: number;
  /** ICMP: type and code. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

const PROTO: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "icmpv6" };
const TCP_FLAGS: readonly [number, string][] = [
  [0x02, "SYN"],
  [0x10, "ACK"],
  [0x04, "RST"],
  [0x01, "FIN"],
  [0x08, "PSH"],
];

/** The IPv4/IPv6 `network` header and the `transport` header as the kernel copies them (undefined when not IP). */
export function decodePacketHeaders(network: Buffer, transport: Buffer | undefined): PacketHeaders | undefined {
  const version = network.length > 0 ? (network.readUInt8(0) >> 4) & 0xf : 0;
  let saddr: string | undefined;
  let daddr: string | undefined;
  let protoNum: number;
  if (version === 4 && network.length >= 20) {
    saddr = formatIpv4(network.readUInt32BE(12));
    daddr = formatIpv4(network.readUInt32BE(16));
    protoNum = network.readUInt8(9);
  } else if (version === 6 && network.length >= 40) {
    saddr = readIpv6(network.subarray(8, 24));
    daddr = readIpv6(network.subarray(24, 40));
    protoNum = network.readUInt8(6);
  } else return undefined;
  if (saddr === undefined || daddr === undefined) return undefined;
  const proto = PROTO[protoNum] ?? `proto ${protoNum}`;
  const t = transport ?? Buffer.alloc(0);
  if ((proto === "tcp" && t.length >= 14) || (proto === "udp" && t.length >= 8)) {
    const ports = { saddr, daddr, proto, sport: t.readUInt16BE(0), dport: t.readUInt16BE(2) };
    if (proto === "udp") return t.length >= 12 ? { ...ports, cookie: t.readUInt32BE(8) } : ports;
    const bits = t.readUInt8(13);
    return {
      ...ports,
      seq: t.readUInt32BE(4),
      tcpFlags: TCP_FLAGS.filter(([b]) => bits & b)
        .map(([, n]) => n)
        .join(","),
    };
  }
  if ((proto === "icmp" || proto === "icmpv6") && t.length >= 2) return { saddr, daddr, proto, icmpType: t.readUInt8(0), icmpCode: t.readUInt8(1) };
  return { saddr, daddr, proto };
}
