import type { Engine } from "../context.js";
import { routeMetricOf, type Network } from "../../model/network.js";
import type { Attachment, Container, NetworkRequest } from "../../model/container.js";
import { formatIpv4, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { formatIpv6, parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { randomMac } from "../../model/mac.js";
import { allocateNext, allocateNext6, checkStaticIp, checkStaticIp6, type AllocationPool, type AllocationPool6 } from "../../ipam/index.js";
import type { Netlink } from "../deps/index.js";
import { BerthError, KernelError } from "../../errors.js";
import { removeBridgeIfUnused } from "./bridge.js";
import { hostVethName } from "./names.js";
import { prefixesOf } from "./prefixes.js";
import { driverOf } from "./drivers/index.js";
import { guardedPortOf } from "./port-guard.js";

export function poolOf(net: Network): AllocationPool {
  if (net.subnet === undefined || net.gateway === undefined) throw new BerthError("INTERNAL", `Network "${net.name}" has no IPv4 subnet`);
  const subnet = parseCidr4(net.subnet);
  return { subnet, range: net.ipRange ? parseCidr4(net.ipRange) : subnet, gateway: parseIpv4(net.gateway) };
}

export function pool6Of(net: Network): AllocationPool6 {
  if (net.subnet6 === undefined || net.gateway6 === undefined) throw new BerthError("INTERNAL", `Network "${net.name}" has no IPv6 subnet`);
  return { subnet: parseCidr6(net.subnet6), gateway: parseIpv6(net.gateway6) };
}

/**
 * Reserve the container's addresses on a network, one per family the
 * network has: static (`--ip`, `--ip6`) or the next free ones. Asking for an
 * address of a family the network lacks fails. Call inside store.write().
 */
export function leaseAddresses(engine: Engine, net: Network, req: Pick<NetworkRequest, "ip" | "ip6">): { ip: string | undefined; ip6: string | undefined } {
  if (req.ip !== undefined && net.subnet === undefined) {
    throw new BerthError("ADDRESS_OUTSIDE_SUBNET", `Cannot use ${req.ip} on network "${net.name}": the network is IPv6-only`, {
      hint: "Give an IPv6 address with --ip6, or leave out --ip",
    });
  }
  if (req.ip6 !== undefined && net.subnet6 === undefined) {
    throw new BerthError("ADDRESS_OUTSIDE_SUBNET", `Cannot use ${req.ip6} on network "${net.name}": the network has no IPv6 subnet`, {
      hint: "Leave out --ip6, or create the network with --ipv6",
    });
  }
  const hostOwned = driverOf(net).reservedAddresses(engine, net);
  for (const ip of [req.ip, req.ip6]) {
    if (ip !== undefined && hostOwned.has(ip)) {
      throw new BerthError("ADDRESS_IN_USE", `Cannot use ${ip} on network "${net.name}": the host has it on ${net.driverOptions["parent"] ?? ""}`, {
        hint: "Choose another address, or leave out --ip/--ip6 to get one assigned",
      });
    }
  }
  return {
    ip: net.subnet === undefined ? undefined : leaseAddress(engine, net, req.ip, hostOwned),
    ip6: net.subnet6 === undefined ? undefined : leaseAddress6(engine, net, req.ip6, hostOwned),
  };
}

/** Reserve an IPv6 address (static or the next free one). Call inside store.write(). */
export function leaseAddress6(engine: Engine, net: Network, requested: string | undefined, reserved: ReadonlySet<string> = new Set()): string {
  const pool = pool6Of(net);
  const rows = engine.store.attachments;
  if (requested !== undefined) {
    const ip = parseIpv6(requested, "address for --ip6");
    const text = formatIpv6(ip);
    const holderId = rows.holderOf6(net.id, text);
    const holder = holderId === undefined ? undefined : (engine.store.containers.byId(holderId)?.name ?? holderId.slice(0, 12));
    checkStaticIp6(pool, ip, net.name, holder);
    return text;
  }
  const cursor = engine.store.networks.nextIp6(net.id);
  const ip = allocateNext6(
    pool,
    cursor === undefined ? undefined : parseIpv6(cursor),
    (cand) => reserved.has(formatIpv6(cand)) || rows.holderOf6(net.id, formatIpv6(cand)) !== undefined,
    net.name,
  );
  const text = formatIpv6(ip);
  engine.store.networks.setNextIp6(net.id, text);
  return text;
}

/** Reserve an IPv4 address (static or the next free one) for a container on a network. Call inside store.write(). */
export function leaseAddress(engine: Engine, net: Network, requested: string | undefined, reserved: ReadonlySet<string> = new Set()): string {
  const pool = poolOf(net);
  const rows = engine.store.attachments;
  if (requested !== undefined) {
    const ip = parseIpv4(requested, "address for --ip");
    const holderId = rows.holderOf(net.id, requested);
    const holder = holderId === undefined ? undefined : (engine.store.containers.byId(holderId)?.name ?? holderId.slice(0, 12));
    checkStaticIp(pool, ip, net.name, holder);
    return requested;
  }
  const ip = allocateNext(
    pool,
    engine.store.networks.nextIp(net.id),
    (cand) => reserved.has(formatIpv4(cand)) || rows.holderOf(net.id, formatIpv4(cand)) !== undefined,
    net.name,
  );
  engine.store.networks.setNextIp(net.id, ip);
  return formatIpv4(ip);
}

/** The next free interface name inside the container: eth0, eth1, ... */
export function nextIfName(existing: readonly Attachment[]): string {
  const used = new Set(existing.map((a) => a.ifname));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

/**
 * Attach a container (its netns exists) to a network: lease an address, make
 * sure the bridge is up, create the veth pair with its container end directly
 * inside the container's namespace, configure it. Runs inside store.write(),
 * so the SQLite write lock serializes it with every other berth process; a
 * throw rolls the lease back, and the kernel steps are undone here.
 */
export function attachNetwork(engine: Engine, c: Container, net: Network, req: NetworkRequest): Attachment {
  if (!c.netns) throw new BerthError("INTERNAL", `Container "${c.name}" has no network namespace`);
  const existing = engine.store.attachments.forContainer(c.id);
  if (existing.some((a) => a.networkId === net.id)) {
    throw new BerthError("ALREADY_CONNECTED", `Container "${c.name}" is already connected to network "${net.name}"`, {
      hint: `Disconnect it first with \`berth network disconnect ${net.name} ${c.name}\``,
    });
  }
  const driver = driverOf(net);
  driver.checkRoom(engine, c.name, net);
  const ifname = req.ifname ?? nextIfName(existing);
  if (existing.some((a) => a.ifname === ifname)) {
    throw new BerthError("IFNAME_IN_USE", `Cannot attach "${c.name}" to network "${net.name}": it already has an interface ${ifname}`, {
      hint: "Choose another interface name",
    });
  }
  const { ip, ip6 } = leaseAddresses(engine, net, req);
  const attachment: Attachment = {
    containerId: c.id,
    networkId: net.id,
    ifname,
    hostVeth: hostVethName(c.id, net.id),
    ip,
    ip6,
    mac: req.mac ?? randomMac(),
    aliases: req.aliases ?? [],
    staticIp: req.ip !== undefined,
    staticIp6: req.ip6 !== undefined,
  };
  engine.store.attachments.insert(attachment);
  // a network with a route metric always routes its own (netavark's rule); otherwise the first network does
  const ownRoute = routeMetricOf(net) !== undefined;
  const needsDefaultRoute = {
    v4: !net.internal && net.gateway !== undefined && (ownRoute || !existing.some((a) => isDefaultRouteNetwork(engine, a, 4))),
    v6: !net.internal && net.gateway6 !== undefined && (ownRoute || !existing.some((a) => isDefaultRouteNetwork(engine, a, 6))),
  };
  driver.plumb(engine, c, c.netns, net, attachment, needsDefaultRoute);
  return attachment;
}

/** Which families get a default route through a network's gateway. */
export interface DefaultRoutes {
  readonly v4: boolean;
  readonly v6: boolean;
}

/** Whether the attachment's network carries the container's default route of that family. */
export function isDefaultRouteNetwork(engine: Engine, a: Attachment, family: 4 | 6): boolean {
  const n = engine.store.networks.byId(a.networkId);
  return n !== undefined && !n.internal && (family === 4 ? n.gateway !== undefined : n.gateway6 !== undefined);
}

/**
 * A default route through the network's gateway. Without a metric it
 * replaces the container's default route of that family; with one it is
 * added beside the other networks' default routes (as netavark adds them:
 * the lowest metric wins, equal metrics share).
 */
export function addDefaultRoute(ch: Netlink, net: Network, gateway: string, ifindex: number): void {
  const metric = routeMetricOf(net);
  if (metric === undefined) ch.routeReplace({ gateway, ifindex });
  else if (
    !ch
      .routeList6()
      .concat(ch.routeList())
      .some((r) => r.dst === undefined && r.gateway === gateway && r.ifindex === ifindex && (r.metric ?? 0) === metric)
  ) {
    ch.routePrepend({ gateway, ifindex, metric });
  }
}

/**
 * The container's interface takes no IPv6 addresses from router
 * advertisements (`autoconf=0`, as netavark sets it): its addresses are the
 * ones Berth leased, also on a macvlan whose LAN has a router. Skipped where
 * the kernel has no IPv6 or /proc/sys is read-only.
 */
function noAutoconf(engine: Engine, netnsPath: string, ifname: string): void {
  // an interface name with a dot cannot be written as a dotted sysctl key
  if (ifname.includes(".")) return;
  try {
    engine.kernel.sysctlWrite(`net.ipv6.conf.${ifname}.autoconf`, "0", netnsPath);
  } catch (e) {
    if (!(e instanceof KernelError) || (e.errno !== ENOENT && e.errno !== EROFS && e.errno !== EACCES)) throw e;
  }
}
const ENOENT = 2;
const EACCES = 13;
const EROFS = 30;

/** Inside the container: its addresses (IPv6 without DAD), the link up, default routes through the gateways where it has none. */
export function configureInside(engine: Engine, netnsPath: string, net: Network, a: Attachment, defaultRoute: DefaultRoutes, what: string): void {
  const ch = engine.kernel.open(netnsPath);
  try {
    const link = ch.linkByName(a.ifname);
    if (!link) throw new BerthError("KERNEL", `The container end "${a.ifname}" of ${what} did not appear in ${netnsPath}`);
    const p = prefixesOf(net);
    noAutoconf(engine, netnsPath, a.ifname);
    if (a.ip !== undefined && p.v4 !== undefined) ch.addrAdd(link.index, a.ip, p.v4);
    if (a.ip6 !== undefined && p.v6 !== undefined) ch.addrAdd(link.index, a.ip6, p.v6);
    ch.linkSetUp(link.index);
    // only where the namespace has none (a default route someone else put there, another CNI plugin's or the runtime's, stays),
    // or beside the others when the network has a metric, as netavark adds them
    if (defaultRoute.v4 && net.gateway !== undefined && (routeMetricOf(net) !== undefined || !ch.routeList().some((r) => r.dst === undefined)))
      addDefaultRoute(ch, net, net.gateway, link.index);
    if (defaultRoute.v6 && net.gateway6 !== undefined && (routeMetricOf(net) !== undefined || !ch.routeList6().some((r) => r.dst === undefined)))
      addDefaultRoute(ch, net, net.gateway6, link.index);
  } finally {
    ch.close();
  }
}

export function mtuOf(net: Network): { mtu?: number } {
  return net.mtu === undefined ? {} : { mtu: net.mtu };
}

/**
 * Detach a container from a network: delete the veth (the kernel removes both
 * ends), release the lease, remove the bridge if this was its last port.
 * A missing veth is fine (teardown is a sweep). Call inside store.write().
 */
export function detachNetwork(engine: Engine, c: Container, net: Network): void {
  const a = engine.store.attachments.forContainer(c.id).find((x) => x.networkId === net.id);
  driverOf(net).unplumb(engine, c, net, a, "stays");
  // after the veth: the port is never up without its filter
  const guard = a === undefined ? undefined : guardedPortOf(net, a);
  if (guard) engine.firewall.unguardPorts([guard]);
  engine.store.attachments.delete(c.id, net.id);
  removeBridgeIfUnused(engine, net);
}
