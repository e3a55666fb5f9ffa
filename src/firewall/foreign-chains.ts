import { TABLE_FAMILY, TABLE_NAME } from "./table.js";
import type { NftObject } from "./nft-json.js";

/** A base chain (one attached to a netfilter hook) in a table that is not Berth's. */
export interface ForeignBaseChain {
  readonly family: string;
  readonly table: string;
  readonly name: string;
  readonly hook: string;
  /** "accept" or "drop". */
  readonly policy: string;
  readonly priority: number | undefined;
}

/** The base chains of other tables, read from `nft -j list ruleset` output. */
export function foreignBaseChains(ruleset: readonly NftObject[]): ForeignBaseChain[] {
  const out: ForeignBaseChain[] = [];
  for (const o of ruleset) {
    const c = o["chain"];
    if (typeof c !== "object" || c === null) continue;
    const chain = c as Record<string, unknown>;
    if (typeof chain["hook"] !== "string") continue;
    const family = String(chain["family"] ?? "");
    const table = String(chain["table"] ?? "");
    if (family === TABLE_FAMILY && table === TABLE_NAME) continue;
    const prio = chain["prio"];
    out.push({
      family,
      table,
      name: String(chain["name"] ?? ""),
      hook: chain["hook"],
      policy: String(chain["policy"] ?? "accept"),
      priority: typeof prio === "number" ? prio : undefined,
    });
  }
  return out;
}
