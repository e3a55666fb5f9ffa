import type { Engine } from "./context.js";

/** Make the nft table match the store's networks (one transaction). */
export function syncFirewall(engine: Engine): void {
  const nets = engine.store.networks.list().map((n) => ({
    name: n.name,
    bridge: n.bridge,
    subnet: n.subnet,
    internal: n.internal,
    isolate: n.isolate,
  }));
  engine.firewall.ensureBase();
  engine.firewall.syncNetworks(nets);
}
