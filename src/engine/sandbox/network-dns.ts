import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { formatIpv4, parseIpv4 } from "../../model/ipv4.js";
import { parseNetworkName } from "../../model/names.js";
import { requireNetwork } from "../network/network-lookup.js";
import { syncDns } from "../sync/dns-sync.js";

/**
 * Replace a network's upstream DNS servers (netavark's `update
 * --network-dns-servers`): the resolver forwards its containers' other
 * queries there from the next zone it loads. Empty means the host's servers.
 */
export async function setNetworkDnsServers(engine: Engine, name: string, servers: readonly string[]): Promise<Network> {
  const list = servers.map((s) => formatIpv4(parseIpv4(s, "DNS server")));
  const net = requireNetwork(engine, parseNetworkName(name));
  engine.store.write(() => engine.store.networks.setDnsServers(net.id, list));
  await syncDns(engine);
  return engine.store.networks.byId(net.id) ?? net;
}
