import { attr, decodeAttrs, encodeAttrs, readIpv4, readU32, type Attr } from "./nl/attrs.js";
import { AF_INET, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PREFSRC, RTA_TABLE, RTN_UNICAST, RTPROT_BOOT, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN } from "./nl/constants.js";
import { RTMSG_LEN, decodeRtmsg, rtmsg } from "./nl/messages.js";
import { formatCidr4, parseCidr4 } from "../model/ipv4.js";

/** An IPv4 route. */
export interface Route4 {
  /** "10.0.0.0/24"; undefined for the default route. */
  readonly dst: string | undefined;
  readonly gateway: string | undefined;
  readonly ifindex: number | undefined;
  readonly table: number;
}

/** What to route: `ip route add [DST|default] [via GATEWAY] [dev IFINDEX] [src SRC]` in the main table. */
export interface RouteSpec {
  /** "10.0.0.0/24"; omitted for the default route. */
  readonly dst?: string;
  readonly gateway?: string;
  readonly ifindex?: number;
  readonly src?: string;
}

/** Text for error messages, in `ip route` words. */
export function describeRoute(r: RouteSpec): string {
  return [r.dst ?? "default", r.gateway && `via ${r.gateway}`, r.ifindex !== undefined && `dev ${r.ifindex}`, r.src && `src ${r.src}`].filter(Boolean).join(" ");
}

/** rtmsg + RTA_* for RTM_NEWROUTE of an IPv4 unicast route in the main table. */
export function routeRequest(r: RouteSpec): { fixed: Buffer; attrs: Buffer } {
  const dst = r.dst === undefined ? undefined : parseCidr4(r.dst);
  const attrs: Attr[] = [attr.u32(RTA_TABLE, RT_TABLE_MAIN)];
  if (dst) attrs.push(attr.ipv4(RTA_DST, formatCidr4(dst).split("/")[0] ?? ""));
  if (r.gateway !== undefined) attrs.push(attr.ipv4(RTA_GATEWAY, r.gateway));
  if (r.ifindex !== undefined) attrs.push(attr.u32(RTA_OIF, r.ifindex));
  if (r.src !== undefined) attrs.push(attr.ipv4(RTA_PREFSRC, r.src));
  const fixed = rtmsg({
    family: AF_INET, dstLen: dst?.prefix ?? 0, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT,
    // a route without a gateway is on-link, as `ip route` chooses
    scope: r.gateway === undefined ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, type: RTN_UNICAST,
  });
  return { fixed, attrs: encodeAttrs(attrs) };
}

/** Decode an RTM_NEWROUTE body; undefined unless it is an IPv4 unicast route of the main table. */
export function decodeRoute(body: Buffer): Route4 | undefined {
  const hdr = decodeRtmsg(body);
  const a = decodeAttrs(body, RTMSG_LEN);
  const table = readU32(a.get(RTA_TABLE)) ?? hdr.table;
  if (hdr.family !== AF_INET || table !== RT_TABLE_MAIN || hdr.type !== RTN_UNICAST) return undefined;
  const dst = readIpv4(a.get(RTA_DST));
  return {
    dst: dst === undefined ? (hdr.dstLen === 0 ? undefined : `0.0.0.0/${hdr.dstLen}`) : `${dst}/${hdr.dstLen}`,
    gateway: readIpv4(a.get(RTA_GATEWAY)),
    ifindex: readU32(a.get(RTA_OIF)),
    table,
  };
}
