import { removeNetworkBridge } from "../network/bridge.js";
import type { Engine } from "../context.js";
import { clusterCidrsOf, isolatesPeersOnly, nodeCidrsOf, routeMetricOf, spoofFilterOf, type Network } from "../../model/network.js";
import { BerthError, isBerthError } from "../../errors.js";
import { createNetwork } from "../commands/network-create.js";
import { syncFirewall } from "../sync/firewall-sync.js";
import type { SandboxNetworkDefinition } from "./spec.js";

/** Where the caller's definition and a Berth network of the same name differ (empty: they agree). */
function differences(n: Network, d: SandboxNetworkDefinition, strict: boolean): string[] {
  const out: string[] = [];
  const driver = d.driver ?? "bridge";
  if (n.driver !== driver) out.push(`driver ${n.driver} vs ${driver}`);
  else if (driver === "macvlan" && n.driverOptions["parent"] !== d.bridge) out.push(`parent ${n.driverOptions["parent"] ?? "none"} vs ${d.bridge}`);
  else if (driver === "bridge" && n.bridge !== d.bridge) out.push(`bridge ${n.bridge} vs ${d.bridge}`);
  const none = (x: string | undefined) => x ?? "none";
  if (n.subnet !== d.subnet) out.push(`subnet ${none(n.subnet)} vs ${none(d.subnet)}`);
  if (n.gateway !== d.gateway) out.push(`gateway ${none(n.gateway)} vs ${none(d.gateway)}`);
  // a network made with `berth network create --ipv6` may be shared by a definition that names only its IPv4 half
  if ((strict || d.subnet6 !== undefined) && n.subnet6 !== d.subnet6) out.push(`IPv6 subnet ${none(n.subnet6)} vs ${none(d.subnet6)}`);
  if (d.gateway6 !== undefined && n.gateway6 !== d.gateway6) out.push(`IPv6 gateway ${none(n.gateway6)} vs ${d.gateway6}`);
  if (!strict) return out;
  if (routeMetricOf(n) !== d.metric) out.push(`metric ${routeMetricOf(n) ?? "default"} vs ${d.metric ?? "default"}`);
  if (driver === "macvlan" && (n.driverOptions["mode"] ?? "bridge") !== (d.macvlanMode ?? "bridge"))
    out.push(`macvlan mode ${n.driverOptions["mode"] ?? "bridge"} vs ${d.macvlanMode ?? "bridge"}`);
  if (n.internal !== d.internal) out.push(`internal ${n.internal} vs ${d.internal}`);
  if (n.dnsEnabled !== d.dnsEnabled) out.push(`dns ${n.dnsEnabled} vs ${d.dnsEnabled}`);
  const isolation = isolatesPeersOnly(n) ? "peers" : n.isolate;
  if (driver === "bridge" && isolation !== d.isolate) out.push(`isolate ${String(isolation)} vs ${String(d.isolate)}`);
  if (n.mtu !== d.mtu) out.push(`mtu ${n.mtu ?? "default"} vs ${d.mtu ?? "default"}`);
  const cluster = clusterCidrsOf(n).join(",");
  const wanted = (d.clusterCidrs ?? []).join(",");
  if (cluster !== wanted) out.push(`cluster CIDRs ${cluster || "none"} vs ${wanted || "none"}`);
  const nodes = nodeCidrsOf(n).join(",");
  const wantedNodes = (d.nodeCidrs ?? []).join(",");
  if (nodes !== wantedNodes) out.push(`node CIDRs ${nodes || "none"} vs ${wantedNodes || "none"}`);
  if (driver === "bridge" && spoofFilterOf(n) !== (d.spoofFilter ?? true)) out.push(`spoof filter ${spoofFilterOf(n)} vs ${d.spoofFilter ?? true}`);
  return out;
}

/**
 * Whether `def` can use the Berth network of its name (`existing`, used as
 * is) or replace it (`replace`: adopted from the same owner, changed, unused),
 * or there is none. Throws NETWORK_CONFLICT otherwise. Changes nothing, so
 * attachSandbox can check every network before its first change.
 */
export function checkAdoptable(engine: Engine, def: SandboxNetworkDefinition, owner: string): { existing: Network | undefined; replace: boolean } {
  const existing = engine.store.networks.byName(def.name);
  if (!existing) return { existing: undefined, replace: false };
  const diff = differences(existing, def, existing.managedBy !== undefined);
  if (diff.length === 0) return { existing, replace: false };
  if (existing.managedBy === owner && engine.store.attachments.countForNetwork(existing.id) === 0) return { existing, replace: true };
  const whose = existing.managedBy === undefined ? "a Berth network" : `a network adopted from ${existing.managedBy} (in use)`;
  throw new BerthError("NETWORK_CONFLICT", `Cannot use network "${def.name}": ${whose} of that name differs (${diff.join(", ")})`, {
    hint:
      existing.managedBy === undefined
        ? `Give the ${owner} network another name, or the same subnet, gateway and bridge as \`berth network inspect ${def.name}\` shows`
        : `Remove the containers that use it first, or give the ${owner} network another name`,
  });
}

/**
 * The Berth network for another engine's network definition:
 *
 * - no Berth network has the name: it is adopted (recorded with the caller's
 *   bridge, subnet and gateway, marked as managed by `owner`, firewall sets
 *   applied) and goes away when that engine's last container leaves it;
 * - a network adopted from the same owner with the same definition: used;
 *   one with a changed definition is replaced while no container uses it;
 * - a network made with `berth network create` of that name: shared when
 *   bridge, subnet and gateway agree (Berth's flags govern: internal, DNS,
 *   isolation, MTU), otherwise NETWORK_CONFLICT;
 * - a subnet overlapping another network, or a bridge name another network
 *   uses: refused as for `berth network create`.
 */
export function adoptNetwork(engine: Engine, def: SandboxNetworkDefinition, owner: string): { network: Network; adopted: boolean } {
  const { existing, replace } = checkAdoptable(engine, def, owner);
  if (existing && !replace) return { network: existing, adopted: false };
  if (existing) {
    replaceUnused(engine, existing);
    return adoptNetwork(engine, def, owner);
  }
  try {
    const macvlan = def.driver === "macvlan";
    const network = createNetwork(engine, {
      name: def.name,
      ...(macvlan ? { driver: "macvlan" } : { interfaceName: def.bridge }),
      subnet: [def.subnet, def.subnet6].filter((x) => x !== undefined),
      gateway: [def.gateway, def.gateway6].filter((x) => x !== undefined),
      ...(def.noAddresses ? { noAddresses: true } : {}),
      internal: def.internal,
      disableDns: !def.dnsEnabled,
      options: {
        ...(macvlan ? { parent: def.bridge, mode: def.macvlanMode ?? "bridge" } : { isolate: def.isolate === "peers" ? "peers" : String(def.isolate) }),
        ...(def.mtu === undefined ? {} : { mtu: String(def.mtu) }),
        ...(def.metric === undefined ? {} : { metric: String(def.metric) }),
        // normalized by validate.ts, as network create stores them
        ...(def.clusterCidrs?.length ? { cluster_cidr: def.clusterCidrs.join(",") } : {}),
        ...(def.nodeCidrs?.length ? { node_cidr: def.nodeCidrs.join(",") } : {}),
        ...(def.spoofFilter === false && !macvlan ? { spoof_filter: "false" } : {}),
      },
      ...(def.dnsServers === undefined ? {} : { dnsServers: def.dnsServers }),
      managedBy: owner,
    });
    return { network, adopted: true };
  } catch (e) {
    // another process adopted it at the same moment: use theirs if it agrees
    if (isBerthError(e) && e.code === "NAME_IN_USE") return { network: adoptNetwork(engine, def, owner).network, adopted: false };
    throw e;
  }
}

function replaceUnused(engine: Engine, n: Network): void {
  engine.store.write(() => {
    if (engine.store.attachments.countForNetwork(n.id) > 0) return;
    engine.store.networks.delete(n.id);
    syncFirewall(engine);
  });
  removeNetworkBridge(engine, n);
}

/**
 * Remove adopted networks that no container uses any more (rows and
 * firewall sets in one transaction, then the bridge). Networks made with
 * `berth network create` stay.
 */
export function releaseAdoptedNetworks(engine: Engine, networkIds: Iterable<string>): Network[] {
  const gone = engine.store.write(() => {
    const out: Network[] = [];
    for (const id of new Set(networkIds)) {
      const n = engine.store.networks.byId(id);
      if (!n || n.managedBy === undefined || engine.store.attachments.countForNetwork(id) > 0) continue;
      if (engine.store.containers.list().some((c) => c.networks.some((r) => r.network === n.name))) continue;
      engine.store.networks.delete(id);
      out.push(n);
    }
    if (out.length > 0) syncFirewall(engine);
    return out;
  });
  for (const n of gone) removeNetworkBridge(engine, n);
  return gone;
}
