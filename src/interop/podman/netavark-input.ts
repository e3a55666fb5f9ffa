import { withNetavarkText } from "./netavark-error-text.js";
import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";
import { ANY_IPV4, ANY_IPV6, type PortRequest, type Proto } from "../../model/port-spec.js";
import type { SandboxAttachSpec, SandboxDetachSpec, SandboxNetworkDefinition, SandboxNetworkRequest } from "../../engine/index.js";
import { JsonReader } from "./json-reader.js";

/** The owner Berth records for Podman's containers. */
export const PODMAN = "podman";

/** The options netavark 1.4 knows, per driver ("vlan" is not supported: Berth makes no VLAN bridges). */
const KNOWN_OPTIONS: Record<"bridge" | "macvlan", readonly string[]> = { bridge: ["mtu", "isolate", "metric"], macvlan: ["mtu", "mode", "metric"] };
/** netavark's default for `metric`: the default routes of every network get it. */
export const DEFAULT_ROUTE_METRIC = 100;

function unsupported(what: string, hint: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Berth does not support ${what}`, { hint });
}

function invalidOption(option: string, value: string, network: string, hint: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Invalid ${option} option "${printable(value)}" (network "${network}")`, { hint });
}

/** A numeric option, e.g. mtu=1400 or metric=50; "" and absent mean the default. */
function numberOption(options: JsonReader, key: string, network: string, max: number, hint: string): number | undefined {
  const text = options.field(key).optionalString();
  if (text === undefined || text === "") return undefined;
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n <= max)) throw invalidOption(key, text, network, hint);
  return n;
}

/** The subnets of a network: at most one per family, each with its gateway. */
function readSubnets(n: JsonReader, name: string): Pick<SandboxNetworkDefinition, "subnet" | "gateway" | "subnet6" | "gateway6"> {
  const out: { subnet?: string; gateway?: string; subnet6?: string; gateway6?: string } = {};
  for (const s of n.field("subnets").items()) {
    const subnet = s.field("subnet").string();
    const v6 = subnet.includes(":");
    if ((v6 ? out.subnet6 : out.subnet) !== undefined) {
      throw unsupported(
        `several ${v6 ? "IPv6" : "IPv4"} subnets on one network (network "${name}")`,
        "Give the network at most one IPv4 and one IPv6 --subnet",
      );
    }
    const gateway = s.field("gateway").optionalString();
    if (gateway === undefined) throw unsupported(`a subnet without a gateway (network "${name}")`, "Give the subnet a --gateway");
    if (s.field("lease_range").present) throw unsupported(`--ip-range on Podman networks (network "${name}")`, "Create the network without --ip-range");
    if (v6) Object.assign(out, { subnet6: subnet, gateway6: gateway });
    else Object.assign(out, { subnet, gateway });
  }
  return out;
}

/** netavark's Network (one entry of `network_info`) as a sandbox network definition. */
function readNetwork(key: string, n: JsonReader): SandboxNetworkDefinition {
  const name = n.field("name").string();
  if (name !== key)
    throw new BerthError("INVALID_ARGUMENT", `Invalid network_info: entry "${printable(key)}" is named "${printable(name)}"`, {
      hint: "Key network_info by network name",
    });
  const driver = n.field("driver").string();
  if (driver !== "bridge" && driver !== "macvlan")
    throw unsupported(
      `the "${printable(driver)}" network driver (network "${name}")`,
      "Use bridge or macvlan networks (podman network create --driver bridge|macvlan)",
    );
  const ipam = n.field("ipam_options").field("driver").optionalString() ?? "host-local";
  if (ipam !== "host-local" && ipam !== "none")
    throw withNetavarkText(
      unsupported(`IPAM driver "${printable(ipam)}" (network "${name}")`, "Use Podman's default IPAM (host-local) or --ipam-driver none"),
      `IO error: unsupported ipam driver ${ipam}`,
    );
  const subnets = readSubnets(n, name);
  const noAddresses = ipam === "none";
  if (noAddresses && (subnets.subnet !== undefined || subnets.subnet6 !== undefined))
    throw unsupported(`subnets with --ipam-driver none (network "${name}")`, "Leave out --subnet");
  if (!noAddresses && subnets.subnet === undefined && subnets.subnet6 === undefined)
    throw unsupported(`a network without a subnet (network "${name}")`, "Give the network an IPv4 or IPv6 --subnet, or --ipam-driver none");
  const options = n.field("options");
  for (const [k] of options.entries()) {
    if (!KNOWN_OPTIONS[driver].includes(k))
      throw unsupported(`the ${driver} network option "${printable(k)}" (network "${name}")`, `Known options: ${KNOWN_OPTIONS[driver].join(", ")}`);
  }
  const isolate = options.field("isolate").optionalString() ?? "false";
  if (!["true", "false", "strict"].includes(isolate)) throw invalidOption("isolate", isolate, name, "Write isolate=true, strict or false");
  const mtu = numberOption(options, "mtu", name, 65535, "Give the MTU as a number, e.g. mtu=1400");
  const metric = numberOption(options, "metric", name, 0xffffffff, "Give the route metric as a number, e.g. metric=50") ?? DEFAULT_ROUTE_METRIC;
  const mode = options.field("mode").optionalString();
  return {
    name,
    ...(driver === "macvlan" ? { driver, ...(mode === undefined || mode === "" ? {} : { macvlanMode: mode }) } : {}),
    // for macvlan, netavark's network_interface is the parent
    bridge: n.field("network_interface").string(),
    ...subnets,
    ...(noAddresses ? { noAddresses } : {}),
    internal: n.field("internal").boolean(false),
    // a macvlan network's gateway is the LAN's router, where no resolver of Berth's listens
    dnsEnabled: driver === "bridge" && n.field("dns_enabled").boolean(false),
    // Podman's isolate=true cuts networks off from each other only; strict from every other network
    isolate: isolate === "true" ? "peers" : isolate === "strict",
    ...(mtu === undefined || mtu === 0 ? {} : { mtu }),
    metric,
    dnsServers: n.field("network_dns_servers").strings(),
  };
}

/** netavark's PortMapping: `range` consecutive ports, `protocol` possibly "tcp,udp"; host_ip "" means every address. */
function readPorts(list: JsonReader, first: SandboxNetworkDefinition | undefined): PortRequest[] {
  // "" is every host address of each family the container's first network has, as netavark publishes it
  const anyAddresses = [first?.subnet !== undefined ? ANY_IPV4 : undefined, first?.subnet6 !== undefined ? ANY_IPV6 : undefined].filter((x) => x !== undefined);
  const out: PortRequest[] = [];
  for (const p of list.items()) {
    const containerPort = p.field("container_port").integer(1, 65535);
    const hostPort = p.field("host_port").integer(1, 65535);
    const range = p.field("range").integer(1, 65535, 1);
    if (containerPort + range - 1 > 65535 || hostPort + range - 1 > 65535) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid port range ${hostPort}:${containerPort} (${range} ports): it goes past 65535`, {
        hint: "Give a shorter range",
      });
    }
    const given = p.field("host_ip").optionalString() ?? "";
    const hostIps = given === "" ? anyAddresses : [given];
    for (const proto of p.field("protocol").string().split(",")) {
      if (proto !== "tcp" && proto !== "udp")
        throw unsupported(`the port protocol "${printable(proto)}"`, "Publish tcp or udp ports (this kernel has no SCTP)");
      for (const hostIp of hostIps)
        for (let i = 0; i < range; i++) out.push({ proto: proto as Proto, hostIp, hostPort: hostPort + i, containerPort: containerPort + i });
    }
  }
  return out;
}

function readPerNetwork(name: string, o: JsonReader, def: SandboxNetworkDefinition): SandboxNetworkRequest {
  const ips = o.field("static_ips").strings();
  const v4 = ips.filter((ip) => !ip.includes(":"));
  const v6 = ips.filter((ip) => ip.includes(":"));
  if (v4.length > 1 || v6.length > 1)
    throw unsupported(`several addresses of one family on one network (network "${name}")`, "Give at most one IPv4 and one IPv6 address per network");
  const mac = o.field("static_mac").optionalString();
  return {
    network: def,
    ifname: o.field("interface_name").string(),
    ...(v4[0] === undefined ? {} : { ip: v4[0] }),
    ...(v6[0] === undefined ? {} : { ip6: v6[0] }),
    ...(mac === undefined || mac === "" ? {} : { mac }),
    aliases: o.field("aliases").strings(),
  };
}

/** `netavark setup NETNS` input (NetworkOptions) as an engine attach request. Throws before anything changes. */
export function readSetupInput(text: string, netns: string): SandboxAttachSpec {
  const doc = JsonReader.parse(text, "network options");
  doc.object();
  const info = new Map(doc.field("network_info").entries());
  const networks = doc
    .field("networks")
    .entries()
    .map(([name, o]) => {
      const n = info.get(name);
      if (!n?.present)
        throw new BerthError("INVALID_ARGUMENT", `Network "${printable(name)}" has no entry in network_info`, {
          hint: "Give each network's definition in network_info",
        });
      return readPerNetwork(name, o, readNetwork(name, n));
    });
  return {
    managedBy: PODMAN,
    id: doc.field("container_id").string(),
    name: doc.field("container_name").string(),
    netns,
    networks,
    ports: readPorts(
      doc.field("port_mappings"),
      networks.map((r) => r.network).find((n): n is SandboxNetworkDefinition => typeof n === "object"),
    ),
    dnsServers: doc.field("dns_servers").strings(),
  };
}

/**
 * `netavark teardown NETNS` input: the container and the networks to leave.
 * Podman names all of the container's networks when it stops it, and only
 * one on `podman network disconnect`; Berth remembers the rest.
 */
export function readTeardownInput(text: string): SandboxDetachSpec {
  const doc = JsonReader.parse(text, "network options");
  doc.object();
  const networks = doc.field("networks").present
    ? doc
        .field("networks")
        .entries()
        .map(([name]) => name)
    : [];
  return { managedBy: PODMAN, id: doc.field("container_id").string(), ...(networks.length > 0 ? { networks } : {}) };
}
