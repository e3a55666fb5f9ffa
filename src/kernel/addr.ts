import { attr, decodeAttrs, encodeAttrs, readIpv4, readIpv6 } from "./nl/attrs.js";
import { AF_INET, AF_INET6, IFA_ADDRESS, IFA_BROADCAST, IFA_FLAGS, IFA_F_NODAD, IFA_LOCAL } from "./nl/constants.js";
import { formatIpv4, parseIpv4 } from "../model/ipv4.js";
import { IFADDRMSG_LEN, decodeIfaddrmsg, ifaddrmsg } from "./nl/messages.js";
import { BerthError } from "../errors.js";

/** An IPv4 address on an interface. */
export interface Addr4 {
  readonly ifindex: number;
  readonly ip: string;
  readonly prefix: number;
}

/** An IPv6 address on an interface. */
export type Addr6 = Addr4;

/**
 * ifaddrmsg + attributes for RTM_NEWADDR / RTM_DELADDR of IP/PREFIX on link
 * `index`. The family follows the address text; IPv6 addresses are added
 * with IFA_F_NODAD, so they are usable at once instead of "tentative" for
 * the second or so duplicate address detection takes. IPv4 addresses get
 * their subnet's broadcast address.
 */
export function addrRequest(index: number, ip: string, prefix: number): { fixed: Buffer; attrs: Buffer } {
  const v6 = ip.includes(":");
  const max = v6 ? 128 : 32;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) {
    throw new BerthError("INVALID_ADDRESS", `Invalid IPv${v6 ? 6 : 4} prefix length ${prefix} for ${ip}`, { hint: `Use a prefix length from 0 to ${max}` });
  }
  if (v6) {
    return {
      fixed: ifaddrmsg({ family: AF_INET6, prefixlen: prefix, flags: IFA_F_NODAD, index }),
      attrs: encodeAttrs([attr.ipv6(IFA_ADDRESS, ip), attr.u32(IFA_FLAGS, IFA_F_NODAD)]),
    };
  }
  // the subnet's broadcast address, as `ip addr add ... brd +` (and netavark) set it
  const broadcast = prefix >= 31 ? [] : [attr.ipv4(IFA_BROADCAST, formatIpv4((parseIpv4(ip) | (0xffffffff >>> prefix)) >>> 0))];
  return {
    fixed: ifaddrmsg({ family: AF_INET, prefixlen: prefix, index }),
    attrs: encodeAttrs([attr.ipv4(IFA_LOCAL, ip), attr.ipv4(IFA_ADDRESS, ip), ...broadcast]),
  };
}

/** Decode an RTM_NEWADDR body of the given family; undefined for another family. */
export function decodeAddr(body: Buffer, family: number = AF_INET): Addr4 | undefined {
  const hdr = decodeIfaddrmsg(body);
  if (hdr.family !== family) return undefined;
  const a = decodeAttrs(body, IFADDRMSG_LEN);
  const read = family === AF_INET6 ? readIpv6 : readIpv4;
  const ip = read(a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS));
  return ip === undefined ? undefined : { ifindex: hdr.index, ip, prefix: hdr.prefixlen };
}
