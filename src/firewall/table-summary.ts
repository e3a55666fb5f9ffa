import { TABLE_FAMILY, TABLE_NAME } from "./table.js";
import type { NftObject } from "./nft-json.js";

/** What `nft list table inet berth` holds, counted: for `berth system info`. */
export interface TableSummary {
  readonly chains: readonly { readonly name: string; readonly hook: string | undefined; readonly policy: string | undefined; readonly rules: number }[];
  readonly sets: readonly { readonly name: string; readonly elements: number }[];
  readonly maps: readonly { readonly name: string; readonly elements: number }[];
}

function ours(o: Record<string, unknown>): boolean {
  return o["family"] === TABLE_FAMILY && o["table"] === TABLE_NAME;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** Count chains (with their rules), sets and maps (with their elements) of Berth's table in nft JSON output. */
export function summarizeTable(objects: readonly NftObject[]): TableSummary {
  const chains: { name: string; hook: string | undefined; policy: string | undefined; rules: number }[] = [];
  const sets: { name: string; elements: number }[] = [];
  const maps: { name: string; elements: number }[] = [];
  for (const o of objects) {
    const chain = record(o["chain"]);
    if (chain && ours(chain)) chains.push({ name: text(chain["name"]) ?? "", hook: text(chain["hook"]), policy: text(chain["policy"]), rules: 0 });
    const rule = record(o["rule"]);
    if (rule && ours(rule)) {
      const c = chains.find((x) => x.name === rule["chain"]);
      if (c) c.rules++;
    }
    for (const [key, out] of [
      ["set", sets],
      ["map", maps],
    ] as const) {
      const s = record(o[key]);
      if (!s || !ours(s)) continue;
      const elem = s["elem"];
      out.push({ name: text(s["name"]) ?? "", elements: Array.isArray(elem) ? elem.length : 0 });
    }
  }
  return { chains, sets, maps };
}

/** The elements of one of the table's sets as nft's JSON gives them ("10.0.0.1", { prefix: ... }, { range: ... }); empty when the set is missing. */
export function setElementsOf(objects: readonly Record<string, unknown>[], name: string): unknown[] {
  for (const o of objects) {
    const s = record(o["set"]);
    if (s && ours(s) && s["name"] === name) return Array.isArray(s["elem"]) ? (s["elem"] as unknown[]) : [];
  }
  return [];
}
