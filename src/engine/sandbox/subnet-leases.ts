import type { Engine } from "../context.js";

/**
 * Every address Berth has handed out in `subnet` (as written in the network
 * rows, e.g. "10.89.0.0/24"): the gateway and each container's lease on
 * every network with that subnet. An IPAM that answers for another engine
 * (Docker's IpamDriver) consults it so that it never offers an address a
 * Berth endpoint already holds, also after it lost its own memory.
 */
export function leasedInSubnet(engine: Engine, subnet: string): Set<string> {
  const out = new Set<string>();
  for (const n of engine.store.networks.list()) {
    if (n.subnet === subnet) {
      if (n.gateway !== undefined) out.add(n.gateway);
      for (const a of engine.store.attachments.forNetwork(n.id)) if (a.ip !== undefined) out.add(a.ip);
    }
    if (n.subnet6 === subnet) {
      if (n.gateway6 !== undefined) out.add(n.gateway6);
      for (const a of engine.store.attachments.forNetwork(n.id)) if (a.ip6 !== undefined) out.add(a.ip6);
    }
  }
  return out;
}
