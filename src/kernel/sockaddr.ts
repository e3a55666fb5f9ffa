import { AF_INET, AF_INET6 } from "./libc.js";
import { tryParseIpv4 } from "../model/ipv4.js";
import { tryParseIpv6 } from "../model/ipv6.js";

/** sockaddr_in / sockaddr_in6 for `address` (an IP literal) and `port`, as bind(2), connect(2) and sendto(2) take them. */
export function socketAddress(address: string, port: number): Buffer {
  const v4 = tryParseIpv4(address);
  if (v4 !== undefined) {
    const sa = Buffer.alloc(16);
    sa.writeUInt16LE(AF_INET, 0);
    sa.writeUInt16BE(port, 2);
    sa.writeUInt32BE(v4, 4);
    return sa;
  }
  const v6 = tryParseIpv6(address);
  if (v6 === undefined) throw new RangeError(`not an IP address: ${address}`);
  const sa = Buffer.alloc(28);
  sa.writeUInt16LE(AF_INET6, 0);
  sa.writeUInt16BE(port, 2);
  sa.writeBigUInt64BE(v6 >> 64n, 8);
  sa.writeBigUInt64BE(v6 & 0xffff_ffff_ffff_ffffn, 16);
  return sa;
}
