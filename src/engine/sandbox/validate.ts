import { isAbsolute } from "node:path";
import { BerthError } from "../../errors.js";
import { requireUnreserved4, requireUnreserved6 } from "../../model/reserved.js";
import { cidrContains, formatCidr4, formatIpv4, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { cidr6Contains, formatCidr6, formatIpv6, parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { parseMac } from "../../model/mac.js";
import { parseAlias, parseContainerName, parseIfName, parseNetworkName, printable } from "../../model/names.js";
import { ANY_FAMILY, type PortRequest } from "../../model/port-spec.js";
import type { SandboxAttachSpec, SandboxNetworkDefinition, SandboxNetworkRequest } from "./spec.js";
import { MACVLAN_MODE_NAMES } from "../../kernel/index.js";

const OWNER = /^[a-z][a-z0-9-]{0,15}$/;
/** The CNI specification's container id rule; Podman's 64-hex ids fit it. */
const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkOwner(owner: string): string {
  if (!OWNER.test(owner))
    throw new BerthError("INTERNAL", `Invalid sandbox owner "${printable(owner)}"`, { hint: "Adapters name themselves with a short lowercase word" });
  return owner;
}

export function checkSandboxId(id: string): string {
  if (!SANDBOX_ID.test(id)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid container id "${printable(id)}"`, {
      hint: 'Give 1-128 characters: a letter or digit first, then letters, digits, "_", "." or "-"',
    });
  }
  return id;
}

function checkNetnsPath(path: string): string {
  if (!isAbsolute(path) || path.includes("\0") || path.length > 4096) {
    throw new BerthError("NETNS_NOT_FOUND", `Invalid network namespace path "${printable(path)}"`, {
      hint: "Give the absolute path of a network namespace file, like /run/netns/NAME or /proc/PID/ns/net",
    });
  }
  return path;
}

function checkIpList(list: readonly string[] | undefined, what: string): string[] {
  return (list ?? []).map((s) => formatIpv4(parseIpv4(s, what)));
}

const MACVLAN_MODES: readonly string[] = MACVLAN_MODE_NAMES;

/** The IPv4 subnet and gateway of a definition, normalized. */
function checkSubnet4(name: string, subnetText: string, gatewayText: string | undefined): { subnet: string; gateway: string } {
  const subnet = requireUnreserved4(parseCidr4(subnetText));
  if (subnet.prefix > 30) {
    throw new BerthError("INVALID_SUBNET", `Subnet ${formatCidr4(subnet)} of network "${name}" is too small`, {
      hint: "Use a prefix of /30 or shorter (a /24 is typical)",
    });
  }
  if (gatewayText === undefined)
    throw new BerthError("INVALID_ARGUMENT", `Subnet ${formatCidr4(subnet)} of network "${name}" has no gateway`, { hint: "Give the subnet a gateway" });
  const gateway = parseIpv4(gatewayText, "gateway");
  if (!cidrContains(subnet, gateway)) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `Gateway ${formatIpv4(gateway)} of network "${name}" is outside its subnet ${formatCidr4(subnet)}`, {
      hint: "Give a gateway inside the subnet",
    });
  }
  return { subnet: formatCidr4(subnet), gateway: formatIpv4(gateway) };
}

/** The IPv6 subnet and gateway of a definition, normalized. */
function checkSubnet6(name: string, subnetText: string, gatewayText: string | undefined): { subnet6: string; gateway6: string } {
  const subnet = requireUnreserved6(parseCidr6(subnetText));
  if (subnet.prefix > 124) {
    throw new BerthError("INVALID_SUBNET", `IPv6 subnet ${formatCidr6(subnet)} of network "${name}" is too small`, {
      hint: "Use a prefix of /124 or shorter (a /64 is typical)",
    });
  }
  if (gatewayText === undefined)
    throw new BerthError("INVALID_ARGUMENT", `IPv6 subnet ${formatCidr6(subnet)} of network "${name}" has no gateway`, { hint: "Give the subnet a gateway" });
  const gateway = parseIpv6(gatewayText, "IPv6 gateway");
  if (!cidr6Contains(subnet, gateway)) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `Gateway ${formatIpv6(gateway)} of network "${name}" is outside its subnet ${formatCidr6(subnet)}`, {
      hint: "Give a gateway inside the subnet",
    });
  }
  return { subnet6: formatCidr6(subnet), gateway6: formatIpv6(gateway) };
}

function checkDefinition(d: SandboxNetworkDefinition): SandboxNetworkDefinition {
  const name = parseNetworkName(d.name);
  const driver = d.driver ?? "bridge";
  if (driver !== "bridge" && driver !== "macvlan")
    throw new BerthError("INVALID_ARGUMENT", `Unknown network driver "${printable(String(driver))}" (network "${name}")`, { hint: "Use bridge or macvlan" });
  const bridge = parseIfName(d.bridge, driver === "macvlan" ? "parent interface" : "bridge");
  const v4 = d.subnet === undefined ? undefined : checkSubnet4(name, d.subnet, d.gateway);
  const v6 = d.subnet6 === undefined ? undefined : checkSubnet6(name, d.subnet6, d.gateway6);
  const noAddresses = d.noAddresses ?? false;
  if (noAddresses ? v4 !== undefined || v6 !== undefined : v4 === undefined && v6 === undefined) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      noAddresses ? `Network "${name}" has subnets but is said to have no addresses` : `Network "${name}" has no subnet`,
      {
        hint: noAddresses ? "Give subnets or no addresses, not both" : "Give an IPv4 or IPv6 subnet (or a network without addresses)",
      },
    );
  }
  if (d.mtu !== undefined && !(Number.isInteger(d.mtu) && d.mtu >= 68 && d.mtu <= 65535)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid mtu ${String(d.mtu)} for network "${name}"`, { hint: "Give an MTU between 68 and 65535" });
  }
  if (d.metric !== undefined && !(Number.isInteger(d.metric) && d.metric >= 0 && d.metric <= 0xffffffff)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid route metric ${String(d.metric)} for network "${name}"`, {
      hint: "Give a whole number from 0 to 4294967295",
    });
  }
  if (d.macvlanMode !== undefined && (driver !== "macvlan" || !MACVLAN_MODES.includes(d.macvlanMode))) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid macvlan mode "${printable(d.macvlanMode)}" for network "${name}"`, {
      hint: `Give one of ${MACVLAN_MODES.join(", ")} on a macvlan network`,
    });
  }
  return {
    name,
    ...(driver === "bridge" ? {} : { driver }),
    bridge,
    ...(v4 ?? {}),
    ...(v6 ?? {}),
    ...(noAddresses ? { noAddresses } : {}),
    internal: d.internal,
    dnsEnabled: d.dnsEnabled,
    isolate: d.isolate,
    ...(d.mtu === undefined ? {} : { mtu: d.mtu }),
    ...(d.metric === undefined ? {} : { metric: d.metric }),
    ...(d.macvlanMode === undefined ? {} : { macvlanMode: d.macvlanMode }),
    dnsServers: checkIpList(d.dnsServers, "DNS server"),
    ...(d.clusterCidrs === undefined ? {} : { clusterCidrs: d.clusterCidrs.map((c) => normalizePeerCidr(c, "Cluster CIDR")) }),
    ...(d.nodeCidrs === undefined ? {} : { nodeCidrs: d.nodeCidrs.map((c) => normalizePeerCidr(c, "Node CIDR")) }),
    ...(d.spoofFilter === false ? { spoofFilter: false } : {}),
  };
}

/** A CIDR of either family, normalized (the network may be dual-stack). */
/** A cluster or node CIDR of either family, normalized; reserved ranges (127/8, 0.0.0.0/0, ...) refused. */
function normalizePeerCidr(c: string, what: string): string {
  return c.includes(":") ? formatCidr6(requireUnreserved6(parseCidr6(c), what)) : formatCidr4(requireUnreserved4(parseCidr4(c), what));
}

function checkRequest(r: SandboxNetworkRequest): SandboxNetworkRequest {
  const network = typeof r.network === "string" ? parseNetworkName(r.network) : checkDefinition(r.network);
  return {
    network,
    ...(r.ifname === undefined ? {} : { ifname: parseIfName(r.ifname) }),
    ...(r.ip === undefined ? {} : { ip: formatIpv4(parseIpv4(r.ip, "static address")) }),
    ...(r.ip6 === undefined ? {} : { ip6: formatIpv6(parseIpv6(r.ip6, "static IPv6 address")) }),
    ...(r.mac === undefined ? {} : { mac: parseMac(r.mac) }),
    aliases: [...new Set((r.aliases ?? []).map(parseAlias))],
    ...(r.hairpin ? { hairpin: true } : {}),
    ...(r.handoverName === undefined ? {} : { handoverName: parseIfName(r.handoverName, "handed-over interface") }),
  };
}

function checkPort(p: PortRequest): PortRequest {
  const port = (n: number, what: string) => {
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid ${what} ${String(n)}`, { hint: "Ports are whole numbers from 1 to 65535" });
    }
    return n;
  };
  if (p.proto !== "tcp" && p.proto !== "udp") {
    throw new BerthError("INVALID_ARGUMENT", `Unsupported port protocol "${printable(String(p.proto))}"`, {
      hint: "Publish tcp or udp ports (this kernel has no SCTP)",
    });
  }
  // "" (ANY_FAMILY): every host address of each family the sandbox's first network has
  const hostIp =
    p.hostIp === ANY_FAMILY
      ? ANY_FAMILY
      : p.hostIp.includes(":")
        ? formatIpv6(parseIpv6(p.hostIp, "host address"))
        : formatIpv4(parseIpv4(p.hostIp, "host address"));
  return { proto: p.proto, hostIp, hostPort: port(p.hostPort, "host port"), containerPort: port(p.containerPort, "container port") };
}

/**
 * Check a whole attach request before anything changes: names, interface
 * names, addresses, MACs, ports, network definitions, and that no two
 * requests use the same network or interface name. Returns it normalized.
 */
export function checkAttachSpec(spec: SandboxAttachSpec): SandboxAttachSpec {
  const networks = spec.networks.map(checkRequest);
  if (networks.length === 0) {
    throw new BerthError("INVALID_ARGUMENT", "No network to attach the container to", { hint: "Give at least one network" });
  }
  const names = networks.map((n) => (typeof n.network === "string" ? n.network : n.network.name));
  const ifnames = networks.flatMap((n) => (n.ifname === undefined ? [] : [n.ifname]));
  const dupName = names.find((n, i) => names.indexOf(n) !== i);
  if (dupName !== undefined) throw new BerthError("INVALID_ARGUMENT", `Network "${dupName}" is given twice`, { hint: "Give each network once" });
  const dupIf = ifnames.find((n, i) => ifnames.indexOf(n) !== i);
  if (dupIf !== undefined)
    throw new BerthError("IFNAME_IN_USE", `Interface name "${dupIf}" is given for two networks`, { hint: "Give each network its own interface name" });
  return {
    managedBy: checkOwner(spec.managedBy),
    id: checkSandboxId(spec.id),
    name: parseContainerName(spec.name),
    ...(spec.nameIsLabel ? { nameIsLabel: true } : {}),
    netns: checkNetnsPath(spec.netns),
    networks,
    ports: (spec.ports ?? []).map(checkPort),
    dnsServers: checkIpList(spec.dnsServers, "DNS server"),
  };
}
