import type { Engine } from "../context.js";
import { cidrContains, cidrOverlaps, cidrWithin, formatCidr4, formatIpv4, parseCidr4, parseIpv4, type Cidr4 } from "../../model/ipv4.js";
import { cidr6Contains, cidr6Overlaps, formatCidr6, formatIpv6, isLinkLocal6, parseCidr6, parseIpv6, type Cidr6 } from "../../model/ipv6.js";
import { familyOf } from "../../model/ip.js";
import { pickFreeSubnet, pickFreeSubnet6 } from "../../ipam/index.js";
import { BerthError } from "../../errors.js";
import { requireUnreserved4, requireUnreserved6 } from "../../model/reserved.js";
import { poolBounds } from "../../ipam/allocate.js";

// The subnets of a new network, per address family: given ones are checked
// against other networks and the host's routes and addresses, missing ones
// are picked free. `parent` (a macvlan network's parent interface) exempts
// that interface's own routes and addresses: a macvlan network usually
// shares its LAN's subnet.

export function listOf(v: string | readonly string[] | undefined): readonly string[] {
  return v === undefined ? [] : typeof v === "string" ? [v] : v;
}

/** At most one value per address family, by its text (checked in full by planIpv4 / planIpv6). */
export function byFamily(values: readonly string[], flag: string): { 4?: string; 6?: string } {
  const out: { 4?: string; 6?: string } = {};
  for (const v of values) {
    // text that is neither goes to the parser of the family it looks like, which says what is wrong with it
    const f = familyOf(v) ?? (v.includes(":") ? 6 : 4);
    if (out[f] !== undefined) {
      throw new BerthError("INVALID_ARGUMENT", `${flag} is given twice for IPv${f} (${out[f]} and ${v})`, {
        hint: `Give ${flag} at most once per address family`,
      });
    }
    out[f] = v;
  }
  return out;
}

export function planIpv4(
  engine: Engine,
  name: string,
  subnetText: string | undefined,
  gatewayText: string | undefined,
  ipRangeText: string | undefined,
  parent?: string,
): { subnet: string; gateway: string; ipRange: string | undefined } {
  const taken = takenRanges(engine).filter((t) => parent === undefined || t.dev !== parent);
  let subnet: Cidr4;
  if (subnetText !== undefined) {
    subnet = requireUnreserved4(parseCidr4(subnetText));
    if (subnet.prefix > 30) {
      throw new BerthError("INVALID_SUBNET", `Subnet ${formatCidr4(subnet)} is too small`, { hint: "Use a prefix of /30 or shorter (a /24 is typical)" });
    }
    const clash = taken.find((t) => cidrOverlaps(t.cidr, subnet));
    if (clash) {
      throw new BerthError("SUBNET_OVERLAP", `Cannot create network "${name}": subnet ${formatCidr4(subnet)} overlaps ${clash.what}`, {
        hint: clash.network ? `Choose a free range with --subnet, or remove network "${clash.network}"` : "Choose a subnet that no host route or address uses",
      });
    }
  } else {
    subnet = pickFreeSubnet(taken.map((t) => t.cidr));
  }
  const gateway = gatewayText !== undefined ? parseIpv4(gatewayText, "gateway") : (subnet.addr + 1) >>> 0;
  if (!cidrContains(subnet, gateway) || gateway === subnet.addr || gateway === (subnet.addr + 2 ** (32 - subnet.prefix) - 1) >>> 0) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `Gateway ${formatIpv4(gateway)} is not a host address of subnet ${formatCidr4(subnet)}`, {
      hint: `Choose a gateway inside ${formatCidr4(subnet)} (e.g. ${formatIpv4(subnet.addr + 1)}), or leave out --gateway`,
    });
  }
  let ipRange: string | undefined;
  if (ipRangeText !== undefined) {
    const r = parseCidr4(ipRangeText);
    if (!cidrWithin(r, subnet)) {
      throw new BerthError("INVALID_SUBNET", `IP range ${formatCidr4(r)} is not inside subnet ${formatCidr4(subnet)}`, {
        hint: "Give an --ip-range that lies within the --subnet",
      });
    }
    const { first, last } = poolBounds({ subnet, range: r, gateway });
    if (last < first || (first === last && first === gateway)) {
      throw new BerthError("INVALID_SUBNET", `IP range ${formatCidr4(r)} has no address to give a container in subnet ${formatCidr4(subnet)}`, {
        hint: "It holds only the subnet's network, broadcast or gateway address: give a larger --ip-range, or leave it out",
      });
    }
    ipRange = formatCidr4(r);
  }
  return { subnet: formatCidr4(subnet), gateway: formatIpv4(gateway), ipRange };
}

export function planIpv6(
  engine: Engine,
  name: string,
  subnetText: string | undefined,
  gatewayText: string | undefined,
  parent?: string,
): { subnet: string; gateway: string } {
  const taken = takenRanges6(engine).filter((t) => parent === undefined || t.dev !== parent);
  let subnet: Cidr6;
  if (subnetText !== undefined) {
    subnet = requireUnreserved6(parseCidr6(subnetText));
    if (subnet.prefix > 124) {
      throw new BerthError("INVALID_SUBNET", `IPv6 subnet ${formatCidr6(subnet)} is too small`, { hint: "Use a prefix of /124 or shorter (a /64 is typical)" });
    }
    if (isLinkLocal6(subnet.addr) || subnet.addr >> 120n === 0xffn || subnet.prefix < 8) {
      throw new BerthError("INVALID_SUBNET", `IPv6 subnet ${formatCidr6(subnet)} cannot be a network's subnet (link-local, multicast or too large)`, {
        hint: "Use a unique local prefix (fd00::/8, e.g. fd00:89:1::/64) or a global prefix routed to this host",
      });
    }
    const clash = taken.find((t) => cidr6Overlaps(t.cidr, subnet));
    if (clash) {
      throw new BerthError("SUBNET_OVERLAP", `Cannot create network "${name}": IPv6 subnet ${formatCidr6(subnet)} overlaps ${clash.what}`, {
        hint: clash.network ? `Choose a free range with --subnet, or remove network "${clash.network}"` : "Choose a subnet that no host route or address uses",
      });
    }
  } else {
    subnet = pickFreeSubnet6(taken.map((t) => t.cidr));
  }
  const gateway = gatewayText !== undefined ? parseIpv6(gatewayText, "gateway") : subnet.addr + 1n;
  if (!cidr6Contains(subnet, gateway) || gateway === subnet.addr) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `Gateway ${formatIpv6(gateway)} is not a host address of subnet ${formatCidr6(subnet)}`, {
      hint: `Choose a gateway inside ${formatCidr6(subnet)} (e.g. ${formatIpv6(subnet.addr + 1n)}), or leave out the IPv6 --gateway`,
    });
  }
  return { subnet: formatCidr6(subnet), gateway: formatIpv6(gateway) };
}

/** IPv6 subnets of other networks, and the host's IPv6 routes and addresses (not default, link-local, loopback or multicast). */
function takenRanges6(engine: Engine): TakenRange<Cidr6>[] {
  const nets = engine.store.networks.list();
  const out: TakenRange<Cidr6>[] = nets.flatMap((n) =>
    n.subnet6 === undefined ? [] : [{ cidr: parseCidr6(n.subnet6), what: `network "${n.name}" (${n.subnet6})`, network: n.name }],
  );
  const bridges = new Set(nets.map((n) => n.bridge));
  const h = engine.host;
  const names = new Map(h.linkList().map((l) => [l.index, l.name]));
  const skip = (c: Cidr6) => c.prefix === 0 || isLinkLocal6(c.addr) || c.addr >> 120n === 0xffn || (c.addr === 1n && c.prefix === 128);
  for (const r of h.routeList6()) {
    if (r.dst === undefined) continue;
    const dev = r.ifindex === undefined ? undefined : names.get(r.ifindex);
    const cidr = parseCidr6(r.dst);
    if ((dev !== undefined && bridges.has(dev)) || skip(cidr)) continue;
    out.push({ cidr, what: `the host route ${r.dst}${dev ? ` on ${dev}` : ""}`, network: undefined, dev });
  }
  for (const a of h.addrList6()) {
    const dev = names.get(a.ifindex);
    const cidr = parseCidr6(`${a.ip}/${a.prefix}`);
    if ((dev !== undefined && bridges.has(dev)) || skip(cidr) || skip({ addr: parseIpv6(a.ip), prefix: 128 })) continue;
    out.push({ cidr, what: `the host address ${a.ip}/${a.prefix}${dev ? ` on ${dev}` : ""}`, network: undefined, dev });
  }
  return out;
}

/** An address range a new network's subnet must not overlap, in either family. */
interface TakenRange<C = Cidr4> {
  readonly cidr: C;
  readonly what: string;
  readonly network: string | undefined;
  /** The host interface of a route or address (undefined for another network's subnet). */
  readonly dev?: string | undefined;
}

/** Subnets of other networks, and the host's routes and addresses (except default routes). */
function takenRanges(engine: Engine): TakenRange[] {
  const nets = engine.store.networks.list();
  const out: TakenRange[] = nets.flatMap((n) =>
    n.subnet === undefined ? [] : [{ cidr: parseCidr4(n.subnet), what: `network "${n.name}" (${n.subnet})`, network: n.name }],
  );
  const bridges = new Set(nets.map((n) => n.bridge));
  const h = engine.host;
  const names = new Map(h.linkList().map((l) => [l.index, l.name]));
  for (const r of h.routeList()) {
    if (r.dst === undefined) continue;
    const dev = r.ifindex === undefined ? undefined : names.get(r.ifindex);
    if (dev !== undefined && bridges.has(dev)) continue;
    const cidr = parseCidr4(r.dst);
    if (cidr.addr >>> 24 === 127) continue;
    out.push({ cidr, what: `the host route ${r.dst}${dev ? ` on ${dev}` : ""}`, network: undefined, dev });
  }
  for (const a of h.addrList()) {
    const dev = names.get(a.ifindex);
    if ((dev !== undefined && bridges.has(dev)) || a.ip.startsWith("127.")) continue;
    const cidr = parseCidr4(`${a.ip}/${a.prefix}`);
    out.push({ cidr, what: `the host address ${a.ip}/${a.prefix}${dev ? ` on ${dev}` : ""}`, network: undefined, dev });
  }
  return out;
}

export function subnetIsFree(engine: Engine, c: Cidr4): boolean {
  return !takenRanges(engine).some((t) => cidrOverlaps(t.cidr, c));
}

/**
 * A free IPv4 /24 for a network that another engine is about to define
 * (Docker's IPAM pool request without a subnet): not used by a Berth
 * network, a host route or address, nor any of `alsoTaken` (CIDRs handed
 * out but not yet made into networks).
 */
export function freeSubnet4(engine: Engine, alsoTaken: readonly string[]): string {
  return formatCidr4(pickFreeSubnet([...takenRanges(engine).map((t) => t.cidr), ...alsoTaken.map((c) => parseCidr4(c))]));
}
