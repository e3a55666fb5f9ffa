import { NftApplier } from "./nft-applier.js";
import { TABLE, renderBaseTable, renderNetworks, requiredSysctls, type FirewallNetwork } from "./ruleset.js";

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
