import { attr, decodeAttrs, encodeAttrs, readIpv4 } from "./nl/attrs.js";
import { AF_INET, IFA_ADDRESS, IFA_LOCAL } from "./nl/constants.js";
import { IFADDRMSG_LEN, decodeIfaddrmsg, ifaddrmsg } from "./nl/messages.js";
import { BerthError } from "../errors.js";

/** An IPv4 address on an interface. */
export interface Addr4 {
  readonly ifindex: number;
  readonly ip: string;
  readonly prefix: number;
}

/** ifaddrmsg + IFA_LOCAL/IFA_ADDRESS for RTM_NEWADDR / RTM_DELADDR of IP/PREFIX on link `index`. */
export function addrRequest(index: number, ip: string, prefix: number): { fixed: Buffer; attrs: Buffer } {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new BerthError("INVALID_ADDRESS", `Invalid IPv4 prefix length ${prefix} for ${ip}`, { hint: "Use a prefix length from 0 to 32" });
  }
  return {
    fixed: ifaddrmsg({ family: AF_INET, prefixlen: prefix, index }),
    attrs: encodeAttrs([attr.ipv4(IFA_LOCAL, ip), attr.ipv4(IFA_ADDRESS, ip)]),
  };
}

/** Decode an RTM_NEWADDR body; undefined for a non-IPv4 address. */
export function decodeAddr(body: Buffer): Addr4 | undefined {
  const hdr = decodeIfaddrmsg(body);
  if (hdr.family !== AF_INET) return undefined;
  const a = decodeAttrs(body, IFADDRMSG_LEN);
  const ip = readIpv4(a.get(IFA_LOCAL) ?? a.get(IFA_ADDRESS));
  return ip === undefined ? undefined : { ifindex: hdr.index, ip, prefix: hdr.prefixlen };
}
