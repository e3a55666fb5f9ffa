import { BerthError } from "../errors.js";

/** One entry of nft's JSON output, e.g. `{"chain": {...}}` or `{"map": {...}}`. */
export type NftObject = Record<string, unknown>;

/** The document `nft -j list ...` prints. */
export interface NftJson {
  readonly nftables: NftObject[];
}

/** Parse `nft -j` output; empty output (nothing listed) is an empty document. */
export function parseNftJson(text: string): NftJson {
  if (text.trim() === "") return { nftables: [] };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BerthError("FIREWALL", `Cannot read nft's JSON output: ${e instanceof Error ? e.message : String(e)}`, {
      hint: "Check that nft and libnftables are the same version (nft --version)",
      cause: e,
    });
  }
  const list = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)["nftables"] : undefined;
  if (!Array.isArray(list)) {
    throw new BerthError("FIREWALL", 'Cannot read nft\'s JSON output: no "nftables" array', {
      hint: "Check that nft and libnftables are the same version (nft --version)",
    });
  }
  return { nftables: list.filter((o): o is NftObject => typeof o === "object" && o !== null && !Array.isArray(o)) };
}
