import type { NetnsState } from "../../engine/index.js";
import { formatIpv4, tryParseIpv4 } from "../../model/ipv4.js";
import { formatIpv6, tryParseIpv6 } from "../../model/ipv6.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode, type CniInterface, type CniResult } from "./spec.js";

/** The call CHECK answers: which interface, in which namespace. */
export interface CheckTarget {
  readonly netns: string;
  readonly ifname: string;
}

/** An address's canonical text (IPv6 compressed, lower case), so that prevResult's and the kernel's words compare. */
function canonicalIp(text: string): string {
  const v4 = tryParseIpv4(text);
  if (v4 !== undefined) return formatIpv4(v4);
  const v6 = tryParseIpv6(text);
  return v6 !== undefined ? formatIpv6(v6) : text.toLowerCase();
}

/** "ip/prefix" canonical; a bare address gets its family's full prefix. */
function canonicalCidr(text: string): string {
  const [ip = "", prefix] = text.split("/");
  const c = canonicalIp(ip);
  return `${c}/${prefix ?? (c.includes(":") ? "128" : "32")}`;
}

const DEFAULT_DST = new Set(["0.0.0.0/0", "::/0"]);

function mismatch(message: string, hint: string): CniError {
  return new CniError(CniErrorCode.BERTH_REFUSED, message, hint);
}

const READD = "DEL and ADD the container again; `berth system reconcile` cleans up the rest";

/**
 * CNI CHECK, as the reference plugins do it: the container's namespace must
 * still have what `prev` (ADD's result, which the runtime passes back) says
 * is in it. Every interface of `prev` in `target.netns` exists (with its
 * MAC); every IP of `prev` on such an interface (an IP naming no interface
 * belongs to `target.ifname`) is on it; every route of `prev` is in the
 * namespace's routing table (destination, and gateway when given; for a
 * default route any gateway, see below).
 * Interfaces `prev` places elsewhere (the bridge, the host's veth end, a
 * chained plugin's) are not this namespace's to check. Throws a CniError:
 * 7 when `prev` is missing or does not name `target.ifname`, 100 (Berth's
 * own) for what is missing or different, with what to do in `details`.
 */
export function checkAgainstPrevResult(prev: CniResult | undefined, target: CheckTarget, state: NetnsState): void {
  if (prev === undefined) {
    throw new CniError(CniErrorCode.INVALID_CONFIG, "required prevResult missing", "CHECK needs ADD's result as prevResult in the configuration");
  }
  const interfaces = prev.interfaces ?? [];
  const inside = (i: CniInterface | undefined): boolean => i !== undefined && i.sandbox === target.netns;
  if (!interfaces.some((i) => inside(i) && i.name === target.ifname)) {
    throw new CniError(
      CniErrorCode.INVALID_CONFIG,
      `container interface ${target.ifname} missing in prevResult`,
      `prevResult must list ${target.ifname} with "sandbox": "${target.netns}", as ADD returned it`,
    );
  }
  const links = new Map(state.interfaces.map((l) => [l.name, l]));
  for (const want of interfaces.filter(inside)) {
    const link = links.get(want.name);
    if (!link) throw mismatch(`interface ${want.name} is missing in ${target.netns}`, READD);
    if (want.mac !== undefined && want.mac.toLowerCase() !== link.mac.toLowerCase())
      throw mismatch(`interface ${want.name} in ${target.netns} has MAC ${link.mac}, prevResult says ${want.mac}`, READD);
  }
  for (const [n, ip] of (prev.ips ?? []).entries()) {
    const owner = ip.interface === undefined ? { name: target.ifname, sandbox: target.netns } : interfaces[ip.interface];
    if (owner === undefined) {
      throw new CniError(
        CniErrorCode.INVALID_CONFIG,
        `ips[${n}] names interface ${ip.interface ?? ""}, which prevResult does not list`,
        "pass ADD's result unchanged",
      );
    }
    if (!inside(owner)) continue;
    const has = (links.get(owner.name)?.addresses ?? []).map(canonicalCidr);
    const want = canonicalCidr(ip.address);
    if (!has.includes(want)) throw mismatch(`${owner.name} in ${target.netns} lost its address ${want} (has: ${has.join(", ") || "none"})`, READD);
  }
  const routes = state.routes.map((r) => ({ dst: canonicalCidr(r.dst), gw: r.gateway === undefined ? undefined : canonicalIp(r.gateway) }));
  for (const r of prev.routes ?? []) {
    const dst = canonicalCidr(r.dst);
    // a default route: Berth adds its own only where the namespace has none (a pod's first network, or
    // another plugin's, carries it), so any default route of the family will do
    const gw = r.gw === undefined || DEFAULT_DST.has(dst) ? undefined : canonicalIp(r.gw);
    if (!routes.some((x) => x.dst === dst && (gw === undefined || x.gw === gw)))
      throw mismatch(`route to ${dst}${gw ? ` via ${gw}` : ""} is missing in ${target.netns}`, READD);
  }
}
