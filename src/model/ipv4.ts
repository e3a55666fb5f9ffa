import { BerthError } from "../errors.js";

/** An IPv4 address as an unsigned 32-bit integer. */
export type Ipv4 = number;

/** An IPv4 prefix: `addr` is the network address (host bits zero). */
export interface Cidr4 {
  readonly addr: Ipv4;
  readonly prefix: number;
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/** Parse a dotted-quad IPv4 address with a strict grammar; returns undefined when invalid. */
export function tryParseIpv4(text: string): Ipv4 | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}

export function parseIpv4(text: string, what = "address"): Ipv4 {
  const v = tryParseIpv4(text);
  if (v === undefined) {
    throw new BerthError("INVALID_ADDRESS", `Invalid IPv4 ${what} "${text}"`, {
      hint: "Write it as four decimal numbers 0-255, like 10.89.0.5",
    });
  }
  return v;
}

export function formatIpv4(ip: Ipv4): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join(".");
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Parse `a.b.c.d/n`; host bits are cleared (10.1.2.3/24 becomes 10.1.2.0/24). */
export function parseCidr4(text: string): Cidr4 {
  const slash = text.indexOf("/");
  const bad = () =>
    new BerthError("INVALID_SUBNET", `Invalid IPv4 subnet "${text}"`, {
      hint: "Write it as address/prefix-length, like 10.89.1.0/24",
    });
  if (slash < 0) throw bad();
  const addr = tryParseIpv4(text.slice(0, slash));
  const plen = text.slice(slash + 1);
  if (addr === undefined || !/^(0|[1-9][0-9]?)$/.test(plen)) throw bad();
  const prefix = Number(plen);
  if (prefix > 32) throw bad();
  return { addr: (addr & maskOf(prefix)) >>> 0, prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIpv4(c.addr)}/${c.prefix}`;
}

export function cidrSize(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function cidrLast(c: Cidr4): Ipv4 {
  return (c.addr + cidrSize(c) - 1) >>> 0;
}

export function cidrContains(c: Cidr4, ip: Ipv4): boolean {
  return (ip & maskOf(c.prefix)) >>> 0 === c.addr;
}

export function cidrOverlaps(a: Cidr4, b: Cidr4): boolean {
  const p = Math.min(a.prefix, b.prefix);
  const m = maskOf(p);
  return (a.addr & m) >>> 0 === (b.addr & m) >>> 0;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrWithin(inner: Cidr4, outer: Cidr4): boolean {
  return inner.prefix >= outer.prefix && cidrContains(outer, inner.addr);
}
