import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { cidrOverlaps, parseCidr4, tryParseIpv4 } from "../../model/ipv4.js";
import type { DoctorScope, Finding } from "./finding.js";

/** A host route or address, with the name of its interface. */
export interface HostPrefix {
  readonly kind: "route" | "address";
  /** "10.8.0.0/16" for a route, "10.8.0.5/16" for an address. */
  readonly cidr: string;
  readonly dev: string | undefined;
  /** For routes: the next hop. */
  readonly via?: string | undefined;
}

function overlaps(subnet: string, other: string): boolean {
  const [ip = "", plen = ""] = other.split("/");
  if (tryParseIpv4(ip) === undefined) return false;
  try {
    return cidrOverlaps(parseCidr4(subnet), parseCidr4(`${ip}/${plen}`));
  } catch {
    return false;
  }
}

/**
 * SUBNET_OVERLAP for each host route or address that overlaps a Berth
 * network's subnet and is not on that network's own bridge (loopback
 * excluded). The more specific route wins, so either the containers or the
 * hosts behind that route (a VPN, a LAN) become unreachable.
 */
export function subnetOverlapFindings(networks: readonly Network[], prefixes: readonly HostPrefix[]): Finding[] {
  const out: Finding[] = [];
  for (const n of networks) {
    for (const p of prefixes) {
      if (p.dev === n.bridge || p.dev === "lo" || p.cidr.startsWith("127.")) continue;
      if (n.subnet === undefined || !overlaps(n.subnet, p.cidr)) continue;
      const where = `${p.dev === undefined ? "" : ` dev ${p.dev}`}`;
      const what = p.kind === "route" ? `route ${p.cidr}${p.via ? ` via ${p.via}` : ""}${where}` : `address ${p.cidr}${where}`;
      out.push({
        code: "SUBNET_OVERLAP",
        severity: "warning",
        summary: `Network ${n.name} (${n.subnet}) overlaps the host's ${what}: traffic to those addresses goes to whichever route is more specific, so either the containers or the hosts behind ${p.dev ?? "that route"} are unreachable`,
        evidence: `network ${n.name} subnet ${n.subnet} on ${n.bridge}; host ${what}`,
        fix: `move the network to a free range: berth network rm ${n.name} && berth network create --subnet <free CIDR> ${n.name} (see \`ip -4 route\` for ranges in use)`,
      });
    }
  }
  return out;
}

/** Check 6: the scope's networks against the host's main routing table and addresses. */
export function checkSubnetOverlap(engine: Engine, scope: DoctorScope): Finding[] {
  if (scope.networks.length === 0) return [];
  const h = engine.host;
  const names = new Map(h.linkList().map((l) => [l.index, l.name]));
  const prefixes: HostPrefix[] = [];
  for (const r of h.routeList()) {
    if (r.dst === undefined) continue;
    prefixes.push({ kind: "route", cidr: r.dst, dev: r.ifindex === undefined ? undefined : names.get(r.ifindex), via: r.gateway });
  }
  for (const a of h.addrList()) prefixes.push({ kind: "address", cidr: `${a.ip}/${a.prefix}`, dev: names.get(a.ifindex) });
  return subnetOverlapFindings(scope.networks, prefixes);
}
