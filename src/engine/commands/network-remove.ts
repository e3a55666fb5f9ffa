import { removeNetworkBridge } from "../network/bridge.js";
import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { BerthError, TeardownError, wrap } from "../../errors.js";
import { requireNetwork } from "../network/network-lookup.js";
import { removeContainer } from "./container-remove.js";
import { syncFirewall } from "../sync/firewall-sync.js";
import { syncDns } from "../sync/dns-sync.js";
import { faultPoint } from "../fault.js";
import { networkOwner, refuseForeignNetwork } from "../sandbox/foreign.js";

/**
 * `berth network rm [-f] NAME`: refuses while containers use the network
 * unless forced (then those containers are removed, as Podman does), and a
 * network Docker made with Berth's driver unless forced or asked by its
 * `owner` (the Docker driver's DeleteNetwork).
 */
export async function removeNetwork(engine: Engine, nameOrId: string, opts: { force?: boolean; owner?: string } = {}): Promise<Network> {
  const net = requireNetwork(engine, nameOrId);
  // the engine that made it through Berth's driver (`owner`) removes it as its own
  if (opts.owner === undefined || networkOwner(net)?.owner !== opts.owner) refuseForeignNetwork(net, { force: opts.force ?? false });
  const users = engine.store.containers
    .list()
    .filter((c) => c.networks.some((r) => r.network === net.name) || engine.store.attachments.forContainer(c.id).some((a) => a.networkId === net.id));
  const foreign = users.filter((u) => u.managedBy !== undefined);
  if (foreign.length > 0) {
    throw new BerthError(
      "NETWORK_IN_USE",
      `Cannot remove network "${net.name}": used by ${foreign.map((u) => `${u.managedBy ?? ""} container "${u.name}"`).join(", ")}`,
      {
        hint: `Remove those containers with the engine that manages them (e.g. \`podman rm -f ${foreign[0]?.name ?? ""}\`)`,
      },
    );
  }
  if (users.length > 0 && !opts.force) {
    throw new BerthError("NETWORK_IN_USE", `Cannot remove network "${net.name}": used by container(s) ${users.map((u) => `"${u.name}"`).join(", ")}`, {
      hint: `Remove those containers first, or use \`berth network rm -f ${net.name}\` to remove them too`,
    });
  }
  const errors: unknown[] = [];
  for (const u of users) {
    try {
      await removeContainer(engine, u.id, { force: true });
    } catch (e) {
      errors.push(wrap(`remove container "${u.name}"`, e));
    }
  }
  engine.store.write(() => {
    for (const a of engine.store.attachments.forNetwork(net.id)) engine.store.attachments.delete(a.containerId, net.id);
    engine.store.networks.delete(net.id);
  });
  faultPoint("network-rm:after-rows");
  try {
    removeNetworkBridge(engine, net);
  } catch (e) {
    errors.push(wrap(`delete bridge ${net.bridge}`, e));
  }
  try {
    syncFirewall(engine);
  } catch (e) {
    errors.push(e);
  }
  await syncDns(engine);
  if (errors.length > 0) throw new TeardownError(`remove network "${net.name}"`, errors);
  return net;
}

/** `berth network prune [-f]`: remove every network no container uses (never the default one, nor one another engine made through Berth's driver). */
export async function pruneNetworks(engine: Engine): Promise<Network[]> {
  const used = new Set<string>();
  for (const c of engine.store.containers.list()) for (const r of c.networks) used.add(r.network);
  for (const a of engine.store.attachments.all()) {
    const n = engine.store.networks.byId(a.networkId);
    if (n) used.add(n.name);
  }
  const removed: Network[] = [];
  for (const n of engine.store.networks.list()) {
    if (used.has(n.name) || n.name === "berth" || networkOwner(n) !== undefined) continue;
    removed.push(await removeNetwork(engine, n.id));
  }
  return removed;
}
