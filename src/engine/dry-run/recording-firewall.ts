import { describeMapping, mapElementOf, samePortMapping, type FirewallNetwork, type GuardedPort, type PortMapping } from "../../firewall/index.js";
import type { FirewallTable } from "../deps/index.js";
import type { ChangePlan } from "./planned-change.js";

/**
 * Berth's nft table in a dry run: reads answer from the real table, each
 * change is recorded in the plan instead of applied. The table's networks
 * and port mappings as the dry run leaves them are kept, so that later
 * reads and a network's second sync see its own changes.
 */
export class RecordingFirewall implements FirewallTable {
  readonly #real: FirewallTable;
  readonly #plan: ChangePlan;
  #exists: boolean | undefined;
  #bridges: Set<string> | undefined;
  #ports: PortMapping[] | undefined;

  constructor(real: FirewallTable, plan: ChangePlan) {
    this.#real = real;
    this.#plan = plan;
  }

  tableExists(): boolean {
    this.#exists ??= this.#real.tableExists();
    return this.#exists;
  }

  ensureBase(): void {
    if (!this.tableExists()) this.#plan.add("nft", "create the tables inet berth and bridge berth with their sets, maps and base chains");
    this.#exists = true;
  }

  syncNetworks(nets: readonly FirewallNetwork[]): void {
    this.ensureBase();
    const live = this.#liveBridges();
    for (const n of nets) {
      if (live.has(n.bridge)) continue;
      const subnets = [n.subnet, n.subnet6].filter((s) => s !== undefined).join(" / ");
      this.#plan.add("nft", `add ${n.bridge} / ${subnets} to the sets ${setsOf(n).join(", ")} of table inet berth (one transaction)`);
    }
    for (const b of live) if (!nets.some((n) => n.bridge === b)) this.#plan.add("nft", `remove ${b} from the network sets of table inet berth`);
    this.#bridges = new Set(nets.map((n) => n.bridge));
  }

  guardPorts(ports: readonly GuardedPort[]): void {
    for (const p of ports) this.#plan.add("nft", `filter bridge port ${p.port} to MAC ${p.mac} and ${[...p.ips, ...p.ips6].join(", ") || "no address"}`);
  }

  unguardPorts(ports: readonly GuardedPort[]): void {
    for (const p of ports) this.#plan.add("nft", `remove the filter of bridge port ${p.port}`);
  }

  syncGuardedPorts(ports: readonly GuardedPort[]): void {
    this.#plan.add("nft", `make the filtered bridge ports exactly ${ports.map((p) => p.port).join(", ") || "none"}`);
  }

  addPortMappings(ms: readonly PortMapping[]): void {
    for (const m of ms) this.#plan.add("nft", `add element ${mapElementOf(m).element} to map ${mapElementOf(m).map}`);
    this.#ports = [...this.listPortMappings(), ...ms];
  }

  removePortMappings(ms: readonly PortMapping[]): void {
    for (const m of ms) this.#plan.add("nft", `delete element ${describeMapping(m)}`);
    this.#ports = this.listPortMappings().filter((l) => !ms.some((m) => samePortMapping(l, m)));
  }

  replacePortMappings(from: readonly PortMapping[], to: readonly PortMapping[]): void {
    for (const m of from) this.#plan.add("nft", `delete element ${mapElementOf(m).element} from map ${mapElementOf(m).map}`);
    for (const m of to) this.#plan.add("nft", `add element ${mapElementOf(m).element} to map ${mapElementOf(m).map}`);
    this.#ports = [...this.listPortMappings().filter((l) => !from.some((m) => samePortMapping(l, m))), ...to];
  }

  syncPortMappings(wanted: readonly PortMapping[]): { added: PortMapping[]; removed: PortMapping[] } {
    const live = this.listPortMappings();
    const removed = live.filter((l) => !wanted.some((w) => samePortMapping(l, w)));
    const added = wanted.filter((w) => !live.some((l) => samePortMapping(l, w)));
    this.removePortMappings(removed);
    this.addPortMappings(added);
    return { added, removed };
  }

  listPortMappings(): PortMapping[] {
    this.#ports ??= this.#real.listPortMappings();
    return [...this.#ports];
  }

  reset(): void {
    this.#plan.add("nft", "delete the tables inet berth and bridge berth");
    this.#exists = false;
    this.#bridges = new Set();
    this.#ports = [];
  }

  tableSummary(): ReturnType<FirewallTable["tableSummary"]> {
    return this.#real.tableSummary();
  }
  localhostGuarded(): boolean {
    return this.#real.localhostGuarded();
  }
  setElements(name: string): unknown[] {
    return this.#real.setElements(name);
  }
  requiredSysctls(net: Parameters<FirewallTable["requiredSysctls"]>[0]): ReturnType<FirewallTable["requiredSysctls"]> {
    return this.#real.requiredSysctls(net);
  }
  foreignDropPolicies(bridges?: readonly string[]): ReturnType<FirewallTable["foreignDropPolicies"]> {
    return this.#real.foreignDropPolicies(bridges);
  }
  foreignBaseChains(): ReturnType<FirewallTable["foreignBaseChains"]> {
    return this.#real.foreignBaseChains();
  }
  close(): void {
    // the real table is its engine's to close
  }

  /** The bridges the table's network sets hold now. */
  #liveBridges(): Set<string> {
    this.#bridges ??= new Set(this.#real.tableExists() ? this.#real.setElements("bridges").filter((e): e is string => typeof e === "string") : []);
    return this.#bridges;
  }
}

/** The per-network sets a network's bridge and subnets go in (render-networks.ts). */
function setsOf(n: FirewallNetwork): string[] {
  const sets = ["bridges", "same_bridge", "hairpin", ...(n.internal ? ["internal_bridges"] : ["nat_subnets"])];
  if (n.isolate) sets.push("isolated_bridges");
  if (n.isolatePeers) sets.push("isolated_peer_bridges");
  if (n.subnet6 !== undefined) sets.push("hairpin6", ...(n.internal ? [] : ["nat_subnets6"]));
  const cluster = n.clusterCidrs ?? [];
  if (cluster.some((c) => !c.includes(":"))) sets.push("cluster_peers");
  if (cluster.some((c) => c.includes(":"))) sets.push("cluster_peers6");
  const nodes = n.nodeCidrs ?? [];
  if (nodes.some((c) => !c.includes(":"))) sets.push("node_peers");
  if (nodes.some((c) => c.includes(":"))) sets.push("node_peers6");
  return sets;
}
