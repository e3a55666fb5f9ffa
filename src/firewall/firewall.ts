import { NftApplier } from "./nft-applier.js";
import { TABLE, renderAddPortMappings, renderBaseTable, renderDeletePortMappings, renderNetworks, requiredSysctls, type DnatMapping, type FirewallNetwork } from "./ruleset.js";

/**
 * The firewall verbs the engine calls. Each is one nft transaction.
 */
export class Firewall {
  readonly #nft = new NftApplier();

  /** Create the table, sets and base chains (idempotent). */
  ensureBase(): void {
    this.#nft.apply(renderBaseTable());
  }

  /** Make the per-network sets match `nets` (and the base exist), in one transaction. */
  syncNetworks(nets: readonly FirewallNetwork[]): void {
    this.#nft.apply(renderBaseTable() + renderNetworks(nets));
  }

  /** Publish ports: element inserts in one transaction, whatever the number of existing mappings. */
  addPortMappings(ms: readonly DnatMapping[]): void {
    if (ms.length > 0) this.#nft.apply(renderAddPortMappings(ms));
  }

  /** Unpublish ports; succeeds for mappings that are already gone. */
  removePortMappings(ms: readonly DnatMapping[]): void {
    if (ms.length > 0) this.#nft.apply(renderDeletePortMappings(ms));
  }

  /** The published ports in the live maps (for reconcile and troubleshooting). */
  listPortMappings(): DnatMapping[] {
    const out: DnatMapping[] = [];
    for (const o of this.#nft.listJson(`table inet berth`)) {
      const map = o["map"] as { name?: string; elem?: unknown[] } | undefined;
      if (!map || (map.name !== "pub_any" && map.name !== "pub_addr")) continue;
      for (const e of map.elem ?? []) {
        const [k, v] = e as [{ concat: (string | number)[] }, { concat: (string | number)[] }];
        const kc = k.concat;
        const vc = v.concat;
        const proto = String(kc[0]) as "tcp" | "udp";
        out.push(
          map.name === "pub_any"
            ? { proto, hostIp: "0.0.0.0", hostPort: Number(kc[1]), containerIp: String(vc[0]), containerPort: Number(vc[1]) }
            : { proto, hostIp: String(kc[1]), hostPort: Number(kc[2]), containerIp: String(vc[0]), containerPort: Number(vc[1]) },
        );
      }
    }
    return out;
  }

  /**
   * Other firewalls that would silently drop forwarded container traffic:
   * a forward base chain with policy drop in another nftables table.
   */
  foreignDropPolicies(): string[] {
    const out: string[] = [];
    for (const o of this.#nft.listJson("ruleset")) {
      const c = o["chain"] as { family?: string; table?: string; name?: string; hook?: string; policy?: string } | undefined;
      if (c?.hook === "forward" && c.policy === "drop" && !(c.family === "inet" && c.table === "berth")) {
        out.push(`the forward chain "${c.name ?? ""}" of table ${c.family ?? ""} ${c.table ?? ""} drops by default, so containers may not reach out and published ports may not answer; add an accept rule for Berth's bridges (berth*) there`);
      }
    }
    return out;
  }

  requiredSysctls(bridge: string): { key: string; value: string }[] {
    return requiredSysctls(bridge);
  }

  /** Delete the whole table; fine when it is already gone. */
  reset(): void {
    this.#nft.apply(`add table ${TABLE}\ndelete table ${TABLE}\n`);
  }

  /** Whether the table exists (e.g. after someone ran `nft flush ruleset`). */
  tableExists(): boolean {
    return this.#nft.listJson("tables").some((o) => {
      const t = o["table"] as { family?: string; name?: string } | undefined;
      return t?.family === "inet" && t.name === "berth";
    });
  }
}
