import { BerthError } from "../../errors.js";
import {
  checkPortMapping,
  describeMapping,
  renderNetworks,
  requiredSysctls,
  samePortMapping,
  type FirewallNetwork,
  type GuardedPort,
  type ForeignBaseChain,
  type ForeignDropPolicy,
  type PortMapping,
  type Sysctl,
  type TableSummary,
} from "../../firewall/index.js";
import { renderGuardPorts } from "../../firewall/render-spoof.js";
import type { FirewallTable } from "../deps/index.js";
import type { FaultPlan } from "./fault-plan.js";

/**
 * Berth's nft table in memory: whether it exists, the networks its sets
 * describe, and the published ports (map elements keyed by protocol, host
 * address and port). Input is validated by the real renderer, so what the
 * fake accepts the real table would. Every call goes through the FaultPlan.
 */
export class FakeFirewall implements FirewallTable {
  table = false;
  networks: readonly FirewallNetwork[] = [];
  readonly ports: PortMapping[] = [];
  /** Bridge ports under the anti-spoofing filter, by host veth name. */
  readonly guarded = new Map<string, GuardedPort>();

  constructor(readonly faults: FaultPlan) {}

  ensureBase(): void {
    this.faults.step("firewall", "ensureBase");
    this.table = true;
  }

  syncNetworks(nets: readonly FirewallNetwork[]): void {
    this.faults.step("firewall", `syncNetworks ${nets.map((n) => n.bridge).join(",")}`);
    renderNetworks(nets);
    this.table = true;
    this.networks = [...nets];
  }

  guardPorts(ports: readonly GuardedPort[]): void {
    if (ports.length === 0) return;
    this.faults.step("firewall", `guardPorts ${ports.map((p) => p.port).join(",")}`);
    renderGuardPorts(ports);
    for (const p of ports) this.guarded.set(p.port, p);
  }

  unguardPorts(ports: readonly GuardedPort[]): void {
    if (ports.length === 0) return;
    this.faults.step("firewall", `unguardPorts ${ports.map((p) => p.port).join(",")}`);
    for (const p of ports) this.guarded.delete(p.port);
  }

  syncGuardedPorts(ports: readonly GuardedPort[]): void {
    this.faults.step("firewall", "syncGuardedPorts");
    renderGuardPorts(ports);
    this.guarded.clear();
    for (const p of ports) this.guarded.set(p.port, p);
  }

  addPortMappings(ms: readonly PortMapping[]): void {
    if (ms.length === 0) return;
    this.faults.step("firewall", `addPortMappings ${ms.map(describeMapping).join(", ")}`);
    this.#add(ms);
  }

  removePortMappings(ms: readonly PortMapping[]): void {
    if (ms.length === 0) return;
    this.faults.step("firewall", `removePortMappings ${ms.map(describeMapping).join(", ")}`);
    this.#remove(ms);
  }

  replacePortMappings(from: readonly PortMapping[], to: readonly PortMapping[]): void {
    this.faults.step("firewall", `replacePortMappings ${from.map(describeMapping).join(", ")} -> ${to.map(describeMapping).join(", ")}`);
    const before = [...this.ports];
    try {
      this.#remove(from);
      this.#add(to);
    } catch (e) {
      this.ports.splice(0, this.ports.length, ...before);
      throw e;
    }
  }

  syncPortMappings(wanted: readonly PortMapping[]): { added: PortMapping[]; removed: PortMapping[] } {
    this.faults.step("firewall", "syncPortMappings");
    const removed = this.ports.filter((l) => !wanted.some((w) => samePortMapping(l, w)));
    const added = wanted.filter((w) => !this.ports.some((l) => samePortMapping(l, w)));
    this.#remove(removed);
    this.#add(added);
    return { added, removed };
  }

  listPortMappings(): PortMapping[] {
    this.faults.step("firewall", "listPortMappings");
    return [...this.ports];
  }

  tableSummary(): TableSummary | undefined {
    this.faults.step("firewall", "tableSummary");
    return undefined;
  }

  localhostGuarded(): boolean {
    this.faults.step("firewall", "localhostGuarded");
    return this.table;
  }

  setElements(name: string): unknown[] {
    this.faults.step("firewall", `setElements ${name}`);
    return [];
  }

  reset(): void {
    this.faults.step("firewall", "reset");
    this.table = false;
    this.networks = [];
    this.ports.splice(0);
  }

  tableExists(): boolean {
    this.faults.step("firewall", "tableExists");
    return this.table;
  }

  requiredSysctls(net: Pick<FirewallNetwork, "bridge" | "internal"> | string): Sysctl[] {
    return requiredSysctls(net);
  }

  foreignDropPolicies(): ForeignDropPolicy[] {
    return [];
  }

  foreignBaseChains(): ForeignBaseChain[] {
    return [];
  }

  close(): void {
    // nothing to release
  }

  /**
   * The table's contents as sorted text: what a rollback must restore. The
   * base table itself is not listed: Berth ensures it whenever it needs it
   * and never removes it on a rollback (it holds nothing of its own).
   */
  snapshot(): string[] {
    return [
      ...this.networks.map((n) => `network ${n.name} bridge ${n.bridge} ${n.subnet ?? "-"} ${n.subnet6 ?? "-"} internal=${n.internal}`),
      ...this.ports.map((m) => `port ${describeMapping(m)}`),
      ...[...this.guarded.values()].map((g) => `guard ${g.port} ${g.mac} ${[...g.ips, ...g.ips6].join(",")}`),
    ].sort();
  }

  #add(ms: readonly PortMapping[]): void {
    const valid = ms.map(checkPortMapping);
    for (const m of valid) {
      const live = this.ports.find((p) => p.proto === m.proto && p.hostIp === m.hostIp && p.hostPort === m.hostPort);
      if (live && !samePortMapping(live, m))
        throw new BerthError("FIREWALL", `Cannot publish ${describeMapping(m)}: the key is published to ${describeMapping(live)}`);
    }
    for (const m of valid) if (!this.ports.some((p) => samePortMapping(p, m))) this.ports.push(m);
  }

  #remove(ms: readonly PortMapping[]): void {
    for (const m of ms) {
      const i = this.ports.findIndex((p) => samePortMapping(p, m));
      if (i >= 0) this.ports.splice(i, 1);
    }
  }
}
