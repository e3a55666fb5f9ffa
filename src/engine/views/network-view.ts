import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";

/** `berth network inspect NAME`: Podman's JSON shape, plus the containers on the network. */
export function networkView(engine: Engine, n: Network): Record<string, unknown> {
  const containers: Record<string, unknown> = {};
  for (const a of engine.store.attachments.forNetwork(n.id)) {
    const c = engine.store.containers.byId(a.containerId);
    containers[a.containerId] = {
      name: c?.name ?? "",
      interfaces: {
        [a.ifname]: {
          subnets: [
            ...(a.ip !== undefined && n.subnet !== undefined ? [{ ipnet: `${a.ip}/${n.subnet.split("/")[1] ?? ""}`, gateway: n.gateway ?? "" }] : []),
            ...(a.ip6 !== undefined && n.subnet6 !== undefined ? [{ ipnet: `${a.ip6}/${n.subnet6.split("/")[1] ?? ""}`, gateway: n.gateway6 ?? "" }] : []),
          ],
          mac_address: a.mac,
          host_interface: a.hostVeth,
        },
      },
      aliases: [...a.aliases],
    };
  }
  const options: Record<string, string> = { ...n.driverOptions, isolate: String(n.isolate) };
  if (n.mtu !== undefined) options["mtu"] = String(n.mtu);
  return {
    name: n.name,
    id: n.id,
    driver: n.driver,
    network_interface: n.bridge,
    created: n.created,
    subnets: [
      ...(n.subnet === undefined ? [] : [{ subnet: n.subnet, gateway: n.gateway ?? "", ...(n.ipRange ? { ip_range: n.ipRange } : {}) }]),
      ...(n.subnet6 === undefined ? [] : [{ subnet: n.subnet6, gateway: n.gateway6 ?? "" }]),
    ],
    ipv6_enabled: n.subnet6 !== undefined,
    internal: n.internal,
    dns_enabled: n.dnsEnabled,
    ...(n.dnsServers.length > 0 ? { network_dns_servers: [...n.dnsServers] } : {}),
    labels: { ...n.labels },
    options,
    ipam_options: { driver: n.subnet === undefined && n.subnet6 === undefined ? "none" : "host-local" },
    containers,
  };
}
