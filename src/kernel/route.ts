import { attr, decodeAttrs, encodeAttrs, readIpv4, readIpv6, readU32, type Attr } from "./nl/attrs.js";
import {
  AF_INET,
  AF_INET6,
  RTA_DST,
  RTA_GATEWAY,
  RTA_OIF,
  RTA_PREFSRC,
  RTA_PRIORITY,
  RTA_TABLE,
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
} from "./nl/constants.js";
import { RTMSG_LEN, decodeRtmsg, rtmsg } from "./nl/messages.js";
import { formatCidr4, parseCidr4 } from "../model/ipv4.js";
import { formatCidr6, parseCidr6 } from "../model/ipv6.js";

/** An IPv4 route. */
export interface Route4 {
  /** "10.0.0.0/24"; undefined for the default route. */
  readonly dst: string | undefined;
  readonly gateway: string | undefined;
  readonly ifindex: number | undefined;
  readonly table: number;
  /** The route's metric (RTA_PRIORITY); absent when the kernel gave none (metric 0). */
  readonly metric?: number;
}

/** What to route: `ip route add [DST|default] [via GATEWAY] [dev IFINDEX] [src SRC]` in the main table. */
export interface RouteSpec {
  /** "10.0.0.0/24"; omitted for the default route. */
  readonly dst?: string;
  readonly gateway?: string;
  readonly ifindex?: number;
  readonly src?: string;
  /** The route's metric (`ip route ... metric N`); omitted: 0. */
  readonly metric?: number;
}

/** Text for error messages, in `ip route` words. */
export function describeRoute(r: RouteSpec): string {
  return [
    r.dst ?? "default",
    r.gateway && `via ${r.gateway}`,
    r.ifindex !== undefined && `dev ${r.ifindex}`,
    r.src && `src ${r.src}`,
    r.metric !== undefined && `metric ${r.metric}`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** Whether a route spec is IPv6 (its destination, gateway or source is written with colons). */
export function isRoute6(r: RouteSpec): boolean {
  return [r.dst, r.gateway, r.src].some((x) => x !== undefined && x.includes(":"));
}

/** rtmsg + RTA_* for RTM_NEWROUTE of a unicast route in the main table; the family follows the addresses. */
export function routeRequest(r: RouteSpec): { fixed: Buffer; attrs: Buffer } {
  const v6 = isRoute6(r);
  const dst = r.dst === undefined ? undefined : v6 ? formatCidr6(parseCidr6(r.dst)) : formatCidr4(parseCidr4(r.dst));
  const [dstAddr, dstLen] = dst === undefined ? [undefined, 0] : [dst.slice(0, dst.indexOf("/")), Number(dst.slice(dst.indexOf("/") + 1))];
  const ip = v6 ? attr.ipv6 : attr.ipv4;
  const attrs: Attr[] = [attr.u32(RTA_TABLE, RT_TABLE_MAIN)];
  if (dstAddr !== undefined) attrs.push(ip(RTA_DST, dstAddr));
  if (r.gateway !== undefined) attrs.push(ip(RTA_GATEWAY, r.gateway));
  if (r.ifindex !== undefined) attrs.push(attr.u32(RTA_OIF, r.ifindex));
  if (r.src !== undefined) attrs.push(ip(RTA_PREFSRC, r.src));
  if (r.metric !== undefined) attrs.push(attr.u32(RTA_PRIORITY, r.metric));
  const fixed = rtmsg({
    family: v6 ? AF_INET6 : AF_INET,
    dstLen,
    table: RT_TABLE_MAIN,
    protocol: RTPROT_BOOT,
    // a route without a gateway is on-link, as `ip route` chooses
    scope: r.gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
    type: RTN_UNICAST,
  });
  return { fixed, attrs: encodeAttrs(attrs) };
}

/** Decode an RTM_NEWROUTE body; undefined unless it is a unicast route of the main table in `family`. */
export function decodeRoute(body: Buffer, family: number = AF_INET): Route4 | undefined {
  const hdr = decodeRtmsg(body);
  const a = decodeAttrs(body, RTMSG_LEN);
  const table = readU32(a.get(RTA_TABLE)) ?? hdr.table;
  if (hdr.family !== family || table !== RT_TABLE_MAIN || hdr.type !== RTN_UNICAST) return undefined;
  const read = family === AF_INET6 ? readIpv6 : readIpv4;
  const dst = read(a.get(RTA_DST));
  return {
    dst: dst === undefined ? (hdr.dstLen === 0 ? undefined : `${family === AF_INET6 ? "::" : "0.0.0.0"}/${hdr.dstLen}`) : `${dst}/${hdr.dstLen}`,
    gateway: read(a.get(RTA_GATEWAY)),
    ifindex: readU32(a.get(RTA_OIF)),
    table,
    ...(a.has(RTA_PRIORITY) ? { metric: readU32(a.get(RTA_PRIORITY)) ?? 0 } : {}),
  };
}
