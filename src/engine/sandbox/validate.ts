import { isAbsolute } from "node:path";
import { BerthError } from "../../errors.js";
import { cidrContains, formatCidr4, formatIpv4, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { parseMac } from "../../model/mac.js";
import { cidr6Contains, formatCidr6, formatIpv6, parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { parseAlias, parseContainerName, parseIfName, parseNetworkName, printable } from "../../model/names.js";
import { ANY_FAMILY, type PortRequest } from "../../model/port-spec.js";
import type { SandboxAttachSpec, SandboxNetworkDefinition, SandboxNetworkRequest } from "./spec.js";

const OWNER = /^[a-z][a-z0-9-]{0,15}$/;
/** The CNI specification's container id rule; Podman's 64-hex ids fit it. */
const SANDBOX_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

export function checkOwner(owner: string): string {
  if (!OWNER.test(owner)) throw new BerthError("INTERNAL", `Invalid sandbox owner "${printable(owner)}"`, { hint: "Adapters name themselves with a short lowercase word" });
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

function checkDefinition(d: SandboxNetworkDefinition): SandboxNetworkDefinition {
  const name = parseNetworkName(d.name);
  const bridge = parseIfName(d.bridge, "bridge");
  const subnet = parseCidr4(d.subnet);
  if (subnet.prefix > 30) {
    throw new BerthError("INVALID_SUBNET", `Subnet ${formatCidr4(subnet)} of network "${name}" is too small`, { hint: "Use a prefix of /30 or shorter (a /24 is typical)" });
  }
  const gateway = parseIpv4(d.gateway, "gateway");
  if (!cidrContains(subnet, gateway)) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `Gateway ${formatIpv4(gateway)} of network "${name}" is outside its subnet ${formatCidr4(subnet)}`, {
      hint: "Give a gateway inside the subnet",
    });
  }
  const subnet6 = d.subnet6 === undefined ? undefined : parseCidr6(d.subnet6);
  if (subnet6 !== undefined && subnet6.prefix > 120) {
    throw new BerthError("INVALID_SUBNET", `IPv6 subnet ${formatCidr6(subnet6)} of network "${name}" is too small`, { hint: "Use a prefix of /120 or shorter (a /64 is typical)" });
  }
  const gateway6 = d.gateway6 === undefined ? undefined : parseIpv6(d.gateway6, "IPv6 gateway");
  if (gateway6 !== undefined && (subnet6 === undefined || !cidr6Contains(subnet6, gateway6))) {
    throw new BerthError("GATEWAY_OUTSIDE_SUBNET", `IPv6 gateway ${formatIpv6(gateway6)} of network "${name}" is outside its IPv6 subnet`, { hint: "Give an IPv6 gateway inside the IPv6 subnet" });
  }
  if (d.mtu !== undefined && !(Number.isInteger(d.mtu) && d.mtu >= 68 && d.mtu <= 65535)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid mtu ${String(d.mtu)} for network "${name}"`, { hint: "Give an MTU between 68 and 65535" });
  }
  return {
    name,
    bridge,
    subnet: formatCidr4(subnet),
    gateway: formatIpv4(gateway),
    ...(subnet6 === undefined ? {} : { subnet6: formatCidr6(subnet6) }),
    ...(gateway6 === undefined ? {} : { gateway6: formatIpv6(gateway6) }),
    internal: d.internal,
    dnsEnabled: d.dnsEnabled,
    isolate: d.isolate,
    ...(d.mtu === undefined ? {} : { mtu: d.mtu }),
    dnsServers: checkIpList(d.dnsServers, "DNS server"),
    ...(d.clusterCidrs === undefined ? {} : { clusterCidrs: d.clusterCidrs.map(normalizeCidr) }),
    ...(d.nodeCidrs === undefined ? {} : { nodeCidrs: d.nodeCidrs.map(normalizeCidr) }),
  };
}

/** A CIDR of either family, normalized (the network may be dual-stack). */
function normalizeCidr(c: string): string {
  return c.includes(":") ? formatCidr6(parseCidr6(c)) : formatCidr4(parseCidr4(c));
}

function checkRequest(r: SandboxNetworkRequest): SandboxNetworkRequest {
  const network = typeof r.network === "string" ? parseNetworkName(r.network) : checkDefinition(r.network);
  return {
    network,
    ...(r.ifname === undefined ? {} : { ifname: parseIfName(r.ifname) }),
    ...(r.ip === undefined ? {} : { ip: formatIpv4(parseIpv4(r.ip, "static address")) }),
    ...(r.mac === undefined ? {} : { mac: parseMac(r.mac) }),
    aliases: [...new Set((r.aliases ?? []).map(parseAlias))],
    ...(r.hairpin ? { hairpin: true } : {}),
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
    throw new BerthError("INVALID_ARGUMENT", `Unsupported port protocol "${printable(String(p.proto))}"`, { hint: "Publish tcp or udp ports (this kernel has no SCTP)" });
  }
  const hostIp = p.hostIp === ANY_FAMILY ? ANY_FAMILY : p.hostIp.includes(":") ? formatIpv6(parseIpv6(p.hostIp, "host address")) : formatIpv4(parseIpv4(p.hostIp, "host address"));
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
  if (dupIf !== undefined) throw new BerthError("IFNAME_IN_USE", `Interface name "${dupIf}" is given for two networks`, { hint: "Give each network its own interface name" });
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
