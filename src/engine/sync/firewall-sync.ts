import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import { clusterCidrsOf, isolatesPeersOnly, nodeCidrsOf } from "../../model/network.js";
import { dnatMappings } from "../ports/ports.js";
import { describeMapping } from "../../firewall/index.js";
import { syncTrustedZone, type TrustedZoneReport } from "./trusted-zone.js";

/**
 * Make the nft table's base chains and network sets match the store's
 * networks (one transaction), then, where firewalld runs, its trusted
 * zone hold their subnets (sync/trusted-zone.ts).
 */
export function syncFirewall(engine: Engine): TrustedZoneReport {
  syncNftNetworks(engine);
  return syncTrustedZone(engine);
}

/** The nft table's base chains and network sets, as the store's networks say (one transaction). */
export function syncNftNetworks(engine: Engine): void {
  // only networks whose traffic passes through the host (not macvlan's: its containers sit on the parent's segment)
  const nets = engine.store.networks
    .list()
    .filter((n) => driverOf(n).throughHost)
    .map((n) => ({
      name: n.name,
      bridge: n.bridge,
      subnet: n.subnet,
      subnet6: n.subnet6,
      internal: n.internal,
      isolate: n.isolate,
      isolatePeers: isolatesPeersOnly(n),
      clusterCidrs: clusterCidrsOf(n),
      nodeCidrs: nodeCidrsOf(n),
    }));
  engine.firewall.ensureBase();
  engine.firewall.syncNetworks(nets);
}

/**
 * Make the port maps hold exactly the published ports of the store's
 * containers (after `nft flush ruleset`, or a crash between the kernel and
 * the store). Only for reconcile: a verb that publishes or unpublishes
 * changes its own elements, and a sweep racing with it could re-add an
 * element it has just removed. Returns one line per change.
 */
export function syncPublishedPorts(engine: Engine): string[] {
  const wanted = engine.store.containers.list().flatMap((c) => dnatMappings(engine, c));
  const { added, removed } = engine.firewall.syncPortMappings(wanted);
  return [...added.map((m) => `re-published ${describeMapping(m)}`), ...removed.map((m) => `removed stale port mapping ${describeMapping(m)}`)];
}
