import { BerthError } from "../errors.js";
import { nftTableExists } from "../kernel/nft-table.js";
import { foreignForwardDropChains, type ForeignDropPolicy } from "./foreign-policies.js";
import { legacyIptablesForwardDrop } from "./iptables-probe.js";
import { NftApplier } from "./nft-applier.js";
import { parsePortMappings } from "./parse-ports.js";
import { LOCALHOST_GUARD_RULES, renderBaseTable } from "./render-base.js";
import { renderNetworks, requiredSysctls, type FirewallNetwork, type Sysctl } from "./render-networks.js";
import {
  checkPortMapping,
  describeMapping,
  renderAddPortMappings,
  renderDeleteLivePortMappings,
  renderDeletePortMappings,
  samePortMapping,
  type PortMapping,
} from "./render-ports.js";
import { CHAIN, TABLE_FAMILY, TABLE_NAME } from "./table.js";
import { SPOOF_TABLE, renderGuardPorts, renderSpoofBase, renderSyncGuardedPorts, renderUnguardPorts, type GuardedPort } from "./render-spoof.js";
import { foreignBaseChains, type ForeignBaseChain } from "./foreign-chains.js";
import { setElementsOf, summarizeTable, type TableSummary } from "./table-summary.js";

export interface FirewallOptions {
  /** The applier to use (tests pass one with a forced backend). */
  readonly applier?: NftApplier;
}

/**
 * The firewall verbs the engine calls. Every change is one nft transaction;
 * per-container verbs only insert or delete map elements.
 */
export class Firewall {
  readonly #nft: NftApplier;

  constructor(options: FirewallOptions = {}) {
    this.#nft = options.applier ?? new NftApplier();
  }

  /** Create the tables, sets, maps and base chains (idempotent; existing elements stay). */
  ensureBase(): void {
    this.#nft.apply(renderBaseTable() + renderSpoofBase(), "Cannot create nft tables inet berth and bridge berth");
  }

  /**
   * Make the per-network sets match `nets`, with the base ensured, in one
   * transaction. Published ports (map elements) are not touched.
   */
  syncNetworks(nets: readonly FirewallNetwork[]): void {
    this.#nft.apply(renderBaseTable() + renderSpoofBase() + renderNetworks(nets), "Cannot apply the networks' nftables rules");
  }

  /**
   * Filter containers' bridge ports to their own MAC and addresses
   * (render-spoof.ts): element inserts in one transaction. When the table
   * is gone (`nft flush ruleset`), it is made again in the same transaction.
   */
  guardPorts(ports: readonly GuardedPort[]): void {
    if (ports.length === 0) return;
    const what = `Cannot filter bridge port ${ports.map((p) => p.port).join(", ")}`;
    try {
      this.#nft.apply(renderGuardPorts(ports), what);
    } catch (e) {
      if (!(e instanceof BerthError) || e.code !== "FIREWALL") throw e;
      this.#nft.apply(renderSpoofBase() + renderGuardPorts(ports), what);
    }
  }

  /** Stop filtering these ports (their veths are going); elements or a table already gone are fine. */
  unguardPorts(ports: readonly GuardedPort[]): void {
    if (ports.length === 0) return;
    const what = `Cannot remove the filter of bridge port ${ports.map((p) => p.port).join(", ")}`;
    try {
      this.#nft.apply(renderUnguardPorts(ports), what);
    } catch (e) {
      if (!(e instanceof BerthError) || e.code !== "FIREWALL") throw e;
      this.#nft.apply(renderSpoofBase() + renderUnguardPorts(ports), what);
    }
  }

  /** Make the filtered ports exactly `ports` (reconcile), with the table ensured, in one transaction. */
  syncGuardedPorts(ports: readonly GuardedPort[]): void {
    this.#nft.apply(renderSyncGuardedPorts(ports), "Cannot apply the bridge ports' filters");
  }

  /** Publish ports: element inserts in one transaction. Fails with FIREWALL if a key is published elsewhere. */
  addPortMappings(ms: readonly PortMapping[]): void {
    if (ms.length === 0) return;
    this.#nft.apply(renderAddPortMappings(ms), `Cannot publish ${ms.map(describeMapping).join(", ")}`);
  }

  /**
   * Unpublish ports in one transaction. Mappings that are already gone (or
   * the whole table) are fine: teardown is a sweep. A key that is live with
   * another target belongs to someone else and is left in place.
   */
  removePortMappings(ms: readonly PortMapping[]): void {
    if (ms.length === 0) return;
    const script = renderDeletePortMappings(ms);
    try {
      this.#nft.apply(script, `Cannot unpublish ${ms.map(describeMapping).join(", ")}`);
      return;
    } catch (e) {
      if (!(e instanceof BerthError) || e.code !== "FIREWALL") throw e;
      // slow path: the table is gone, or a key points elsewhere; delete only our live elements
    }
    const live = this.listPortMappings();
    const ours = ms.map(checkPortMapping).filter((m) => live.some((l) => samePortMapping(l, m)));
    if (ours.length > 0) this.#nft.apply(renderDeleteLivePortMappings(ours), `Cannot unpublish ${ours.map(describeMapping).join(", ")}`);
  }

  /**
   * Point published ports somewhere else (a container's first network
   * changed): `from` is unpublished and `to` published in one transaction,
   * so there is no moment without a mapping. An element of `from` that is
   * already gone is fine, as in removePortMappings.
   */
  replacePortMappings(from: readonly PortMapping[], to: readonly PortMapping[]): void {
    if (from.length === 0) return this.addPortMappings(to);
    if (to.length === 0) return this.removePortMappings(from);
    const what = `Cannot move ${from.map(describeMapping).join(", ")} to ${to.map((m) => `${m.containerIp}:${m.containerPort}`).join(", ")}`;
    try {
      this.#nft.apply(renderDeletePortMappings(from) + renderAddPortMappings(to), what);
      return;
    } catch (e) {
      if (!(e instanceof BerthError) || e.code !== "FIREWALL") throw e;
      // a key points elsewhere or the table is gone: the sweeping path
    }
    this.removePortMappings(from);
    this.addPortMappings(to);
  }

  /** The published ports in the live maps (for reconcile); empty when the table is missing. */
  /**
   * Make the maps hold exactly `wanted`: remove live elements that are not
   * wanted, add the missing ones (e.g. after another tool ran `nft flush
   * ruleset`). Returns what it changed.
   */
  syncPortMappings(wanted: readonly PortMapping[]): { added: PortMapping[]; removed: PortMapping[] } {
    const live = this.listPortMappings();
    const removed = live.filter((l) => !wanted.some((w) => samePortMapping(l, w)));
    const added = wanted.filter((w) => !live.some((l) => samePortMapping(l, w)));
    if (removed.length > 0) this.#nft.apply(renderDeleteLivePortMappings(removed), `Cannot unpublish ${removed.map(describeMapping).join(", ")}`);
    this.addPortMappings(added);
    return { added, removed };
  }

  listPortMappings(): PortMapping[] {
    return parsePortMappings(this.#nft.listTable()?.nftables ?? []);
  }

  /** Chains, sets and maps of the table with their rule and element counts; undefined when the table is missing. */
  tableSummary(): TableSummary | undefined {
    const t = this.#nft.listTable();
    return t === undefined ? undefined : summarizeTable(t.nftables);
  }

  /**
   * Whether the live table drops loopback addresses arriving outside `lo`
   * (chain localhost_guard on prerouting with all its rules): without it a
   * port published on 127.0.0.1 answers raw packets from the host's links.
   */
  localhostGuarded(): boolean {
    const chain = this.tableSummary()?.chains.find((c) => c.name === CHAIN.localhostGuard);
    return chain?.hook === "prerouting" && chain.rules >= LOCALHOST_GUARD_RULES;
  }

  /** The elements of one set of the table (nft's JSON); empty when the set or the table is missing. */
  setElements(name: string): unknown[] {
    const t = this.#nft.listTable();
    return t === undefined ? [] : setElementsOf(t.nftables, name);
  }

  /** Delete the whole table; fine when it is already gone. */
  reset(): void {
    this.#nft.deleteTable();
    this.#nft.apply(`add table ${SPOOF_TABLE}\ndelete table ${SPOOF_TABLE}\n`, `Cannot delete nft table ${SPOOF_TABLE}`);
  }

  /**
   * Whether the table exists (it is gone after e.g. `nft flush ruleset`).
   * Asked of the kernel for this one table (`kernel/nft-table.ts`), which
   * costs the same with 1,000 containers as with one: nft 1.0 fetches its
   * cache first (a checked `create table` took 7.5 ms with one container
   * and 14 ms with 1,000 here; `list tables` fetches every set element).
   */
  tableExists(): boolean {
    return nftTableExists(TABLE_FAMILY, TABLE_NAME);
  }

  /** Sysctls the network's bridge needs (the engine writes them when it makes the bridge). */
  requiredSysctls(net: Pick<FirewallNetwork, "bridge" | "internal"> | string): Sysctl[] {
    return requiredSysctls(net);
  }

  /**
   * Other firewalls that would silently drop what Berth accepts: forward
   * base chains with policy drop in other nftables tables, and a legacy
   * iptables FORWARD policy of DROP. A chain that accepts each of
   * `bridges` (Berth's) both ways is no danger and is left out.
   */
  foreignDropPolicies(bridges: readonly string[] = []): ForeignDropPolicy[] {
    return [...foreignForwardDropChains(this.#nft.listRuleset().nftables, bridges), ...legacyIptablesForwardDrop()];
  }

  /** Base chains of other tables (another firewall's input, forward, ... hooks). */
  foreignBaseChains(): ForeignBaseChain[] {
    return foreignBaseChains(this.#nft.listRuleset().nftables);
  }

  /** Release the libnftables context. */
  close(): void {
    this.#nft.close();
  }
}
