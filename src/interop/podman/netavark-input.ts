import { BerthError } from "../../errors.js";
import { printable } from "../../model/names.js";
import type { PortRequest, Proto } from "../../model/port-spec.js";
import type { SandboxAttachSpec, SandboxDetachSpec, SandboxNetworkDefinition, SandboxNetworkRequest } from "../../engine/sandbox/spec.js";
import { JsonReader } from "./json-reader.js";

/** The owner Berth records for Podman's containers. */
export const PODMAN = "podman";

const KNOWN_OPTIONS = ["mtu", "isolate"];

function unsupported(what: string, hint: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Berth does not support ${what}`, { hint });
}

/** netavark's Network (one entry of `network_info`) as a sandbox network definition. */
function readNetwork(key: string, n: JsonReader): SandboxNetworkDefinition {
  const name = n.field("name").string();
  if (name !== key) throw new BerthError("INVALID_ARGUMENT", `Invalid network_info: entry "${printable(key)}" is named "${printable(name)}"`, { hint: "Key network_info by network name" });
  const driver = n.field("driver").string();
  if (driver !== "bridge") throw unsupported(`the "${printable(driver)}" network driver (network "${name}")`, "Use bridge networks (podman network create --driver bridge)");
  const ipam = n.field("ipam_options").field("driver").optionalString();
  if (ipam !== undefined && ipam !== "host-local") throw unsupported(`IPAM driver "${printable(ipam)}" (network "${name}")`, "Use Podman's default IPAM (host-local)");
  const v4 = n.field("subnets").items().filter((s) => !s.field("subnet").string().includes(":"));
  if (n.field("ipv6_enabled").boolean(false) || v4.length !== n.field("subnets").items().length) {
    throw unsupported(`IPv6 yet (network "${name}")`, "Create the network without --ipv6 and without IPv6 subnets");
  }
  const subnet = v4[0];
  if (subnet === undefined || v4.length > 1) throw unsupported(`${v4.length === 0 ? "a network without a subnet" : "several subnets on one network"} (network "${name}")`, "Give the network exactly one IPv4 --subnet");
  const gateway = subnet.field("gateway").optionalString();
  if (gateway === undefined) throw unsupported(`a subnet without a gateway (network "${name}")`, "Give the subnet a --gateway");
  const options = n.field("options");
  for (const [k] of options.entries()) {
    if (!KNOWN_OPTIONS.includes(k)) throw unsupported(`the network option "${printable(k)}" (network "${name}")`, `Known options: ${KNOWN_OPTIONS.join(", ")}`);
  }
  const mtuText = options.field("mtu").optionalString();
  const isolate = options.field("isolate").optionalString() ?? "false";
  if (!["true", "false", "strict"].includes(isolate)) throw new BerthError("INVALID_ARGUMENT", `Invalid isolate option "${printable(isolate)}" (network "${name}")`, { hint: "Write isolate=true, strict or false" });
  const mtu = mtuText === undefined || mtuText === "" || mtuText === "0" ? undefined : /^[0-9]{1,5}$/.test(mtuText) ? Number(mtuText) : NaN;
  if (mtu !== undefined && Number.isNaN(mtu)) throw new BerthError("INVALID_ARGUMENT", `Invalid mtu option "${printable(mtuText ?? "")}" (network "${name}")`, { hint: "Give the MTU as a number, e.g. mtu=1400" });
  return {
    name,
    bridge: n.field("network_interface").string(),
    subnet: subnet.field("subnet").string(),
    gateway,
    internal: n.field("internal").boolean(false),
    dnsEnabled: n.field("dns_enabled").boolean(false),
    // Podman's isolate=true cuts networks off from each other only; strict from every other network
    isolate: isolate === "true" ? "peers" : isolate === "strict",
    ...(mtu === undefined ? {} : { mtu }),
    dnsServers: n.field("network_dns_servers").strings(),
  };
}

/** netavark's PortMapping: `range` consecutive ports, `protocol` possibly "tcp,udp"; host_ip "" means every address. */
function readPorts(list: JsonReader): PortRequest[] {
  const out: PortRequest[] = [];
  for (const p of list.items()) {
    const containerPort = p.field("container_port").integer(1, 65535);
    const hostPort = p.field("host_port").integer(1, 65535);
    const range = p.field("range").integer(1, 65535, 1);
    if (containerPort + range - 1 > 65535 || hostPort + range - 1 > 65535) {
      throw new BerthError("INVALID_ARGUMENT", `Invalid port range ${hostPort}:${containerPort} (${range} ports): it goes past 65535`, { hint: "Give a shorter range" });
    }
    const hostIp = p.field("host_ip").optionalString() ?? "";
    if (hostIp.includes(":")) throw unsupported(`publishing on IPv6 host addresses yet (${printable(hostIp)})`, "Publish on an IPv4 address or on all addresses");
    for (const proto of p.field("protocol").string().split(",")) {
      if (proto !== "tcp" && proto !== "udp") throw unsupported(`the port protocol "${printable(proto)}"`, "Publish tcp or udp ports (this kernel has no SCTP)");
      for (let i = 0; i < range; i++) out.push({ proto: proto as Proto, hostIp: hostIp === "" ? "0.0.0.0" : hostIp, hostPort: hostPort + i, containerPort: containerPort + i });
    }
  }
  return out;
}

function readPerNetwork(name: string, o: JsonReader, def: SandboxNetworkDefinition): SandboxNetworkRequest {
  const ips = o.field("static_ips").strings();
  const v4 = ips.filter((ip) => !ip.includes(":"));
  if (v4.length !== ips.length) throw unsupported(`IPv6 addresses yet (network "${name}")`, "Run the container without IPv6 addresses");
  if (v4.length > 1) throw unsupported(`several addresses on one network (network "${name}")`, "Give one static IP per network");
  const mac = o.field("static_mac").optionalString();
  return {
    network: def,
    ifname: o.field("interface_name").string(),
    ...(v4[0] === undefined ? {} : { ip: v4[0] }),
    ...(mac === undefined || mac === "" ? {} : { mac }),
    aliases: o.field("aliases").strings(),
  };
}

/** `netavark setup NETNS` input (NetworkOptions) as an engine attach request. Throws before anything changes. */
export function readSetupInput(text: string, netns: string): SandboxAttachSpec {
  const doc = JsonReader.parse(text, "network options");
  doc.object();
  const info = new Map(doc.field("network_info").entries());
  const networks = doc.field("networks").entries().map(([name, o]) => {
    const n = info.get(name);
    if (!n?.present) throw new BerthError("INVALID_ARGUMENT", `Network "${printable(name)}" has no entry in network_info`, { hint: "Give each network's definition in network_info" });
    return readPerNetwork(name, o, readNetwork(name, n));
  });
  return {
    managedBy: PODMAN,
    id: doc.field("container_id").string(),
    name: doc.field("container_name").string(),
    netns,
    networks,
    ports: readPorts(doc.field("port_mappings")),
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
  const networks = doc.field("networks").present ? doc.field("networks").entries().map(([name]) => name) : [];
  return { managedBy: PODMAN, id: doc.field("container_id").string(), ...(networks.length > 0 ? { networks } : {}) };
}
