import type { SandboxEndpoint } from "../../engine/index.js";
import { PODMAN_DOMAIN } from "../../dns/zone.js";

/** netavark's StatusBlock for one network. */
export interface StatusBlock {
  dns_search_domains: string[];
  dns_server_ips: string[];
  interfaces: Record<string, { mac_address: string; subnets: { ipnet: string; gateway: string }[] }>;
}

/** `netavark setup`'s reply: one StatusBlock per network, keyed by network name. */
export function statusBlocks(endpoints: readonly SandboxEndpoint[]): Record<string, StatusBlock> {
  const out: Record<string, StatusBlock> = {};
  for (const e of endpoints) {
    out[e.network] = {
      dns_search_domains: e.dnsServerIps.length > 0 ? [PODMAN_DOMAIN] : [],
      dns_server_ips: [...e.dnsServerIps],
      interfaces: { [e.ifname]: { mac_address: e.mac, subnets: e.addresses.map((a) => ({ ipnet: `${a.ip}/${a.prefix}`, gateway: a.gateway })) } },
    };
  }
  return out;
}
