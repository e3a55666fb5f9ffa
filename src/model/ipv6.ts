import { isIPv6 } from "node:net";
import { BerthError } from "../errors.js";
import { tryParseIpv4 } from "./ipv4.js";

/** An IPv6 address as an unsigned 128-bit integer. */
export type Ipv6 = bigint;

/** An IPv6 prefix: `addr` is the network address (host bits zero). */
export interface Cidr6 {
  readonly addr: Ipv6;
  readonly prefix: number;
}

const ALL_ONES = (1n << 128n) - 1n;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

/**
 * Parse an IPv6 address (RFC 4291 text forms, an embedded dotted quad
 * allowed at the end); returns undefined when invalid. Zone ids (`%eth0`)
 * are refused: Berth never stores link-local addresses.
 */
export function tryParseIpv6(text: string): Ipv6 | undefined {
  if (text.includes("%") || !isIPv6(text)) return undefined;
  let body = text;
  const lastColon = body.lastIndexOf(":");
  const last = body.slice(lastColon + 1);
  if (last.includes(".")) {
    // an embedded dotted quad (::ffff:1.2.3.4) is the last two groups written in decimal
    const v4 = tryParseIpv4(last);
    if (v4 === undefined) return undefined;
    body = `${body.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === "" ? [] : s.split(":"));
  const head = split(halves[0] ?? "");
  const rest = halves.length === 2 ? split(halves[1] ?? "") : [];
  for (const h of [...head, ...rest]) if (!HEXTET.test(h)) return undefined;
  const groups = head.length + rest.length;
  if (halves.length === 1 ? groups !== 8 : groups > 7) return undefined;
  const zeros = halves.length === 2 ? 8 - groups : 0;
  const all = [...head.map((h) => BigInt(parseInt(h, 16))), ...Array<bigint>(zeros).fill(0n), ...rest.map((h) => BigInt(parseInt(h, 16)))];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseIpv6(text: string, what = "address"): Ipv6 {
  const v = tryParseIpv6(text);
  if (v === undefined) {
    throw new BerthError("INVALID_ADDRESS", `Invalid IPv6 ${what} "${text}"`, {
      hint: "Write it in IPv6 notation without a zone, like fd00:89::5",
    });
  }
  return v;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
export function formatIpv6(ip: Ipv6): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** The canonical text of an IPv6 address, or INVALID_ADDRESS. */
export function normalizeIpv6(text: string, what = "address"): string {
  return formatIpv6(parseIpv6(text, what));
}

export function mask6Of(prefix: number): Ipv6 {
  return prefix === 0 ? 0n : (ALL_ONES << BigInt(128 - prefix)) & ALL_ONES;
}

/** Parse `addr/n`; host bits are cleared (fd00::5/64 becomes fd00::/64). */
export function parseCidr6(text: string): Cidr6 {
  const slash = text.indexOf("/");
  const bad = () =>
    new BerthError("INVALID_SUBNET", `Invalid IPv6 subnet "${text}"`, {
      hint: "Write it as address/prefix-length, like fd00:89:1::/64",
    });
  if (slash < 0) throw bad();
  const addr = tryParseIpv6(text.slice(0, slash));
  const plen = text.slice(slash + 1);
  if (addr === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(plen)) throw bad();
  const prefix = Number(plen);
  if (prefix > 128) throw bad();
  return { addr: addr & mask6Of(prefix), prefix };
}

export function formatCidr6(c: Cidr6): string {
  return `${formatIpv6(c.addr)}/${c.prefix}`;
}

export function cidr6Last(c: Cidr6): Ipv6 {
  return c.addr | (~mask6Of(c.prefix) & ALL_ONES);
}

export function cidr6Contains(c: Cidr6, ip: Ipv6): boolean {
  return (ip & mask6Of(c.prefix)) === c.addr;
}

export function cidr6Overlaps(a: Cidr6, b: Cidr6): boolean {
  const m = mask6Of(Math.min(a.prefix, b.prefix));
  return (a.addr & m) === (b.addr & m);
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidr6Within(inner: Cidr6, outer: Cidr6): boolean {
  return inner.prefix >= outer.prefix && cidr6Contains(outer, inner.addr);
}

/** fe80::/10: link-local addresses, which every interface has and which never make a network's subnet. */
export function isLinkLocal6(ip: Ipv6): boolean {
  return ip >> 118n === 0x3fan;
}
