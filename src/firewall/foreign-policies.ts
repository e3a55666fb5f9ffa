import { TABLE_FAMILY, TABLE_NAME } from "./table.js";
import type { NftObject } from "./nft-json.js";

const EFFECT: Record<string, string> = {
  ip: "forwarded IPv4 traffic that Berth accepts is still dropped there unless that chain accepts it, so containers may not reach the outside and published ports may not answer",
  inet: "forwarded traffic that Berth accepts is still dropped there unless that chain accepts it, so containers may not reach the outside and published ports may not answer",
  ip6: "forwarded IPv6 traffic is dropped there (Berth's IPv4 traffic is not affected)",
  bridge: "bridged frames are dropped there, so containers on one Berth network may not reach each other",
};

function fixFor(family: string, table: string, chain: string): string {
  if (family === "ip6") return "nothing to do for Berth's IPv4 networks";
  const rule = (match: string) => `\`nft insert rule ${family} ${table} ${chain} ${match} accept\``;
  const rules = family === "bridge" ? rule(`meta ibrname "BRIDGE"`) : `${rule(`iifname "BRIDGE"`)} and ${rule(`oifname "BRIDGE"`)}`;
  return `accept Berth's traffic in that chain (for each bridge in \`nft list set inet berth bridges\`: ${rules}; Berth's own table still filters it), or make its policy accept`;
}

/**
 * Another firewall's default that would silently drop what Berth accepts.
 * `where` names it as the user would look it up, `effect` says what breaks,
 * `fix` what to run; describeForeignDropPolicy() makes the one-line warning.
 */
export interface ForeignDropPolicy {
  /** The warning's opening words: `nftables table "ip filter" has a forward chain "FORWARD" with policy drop`. */
  readonly where: string;
  /** How to see it for oneself: `table ip filter chain FORWARD hook forward policy drop`. */
  readonly evidence: string;
  readonly effect: string;
  readonly fix: string;
  /** `info` when it cannot affect Berth's traffic (an ip6 table while networks are IPv4). */
  readonly severity: "warning" | "info";
}

/** The one-line warning `run` prints: where, effect and fix. */
export function describeForeignDropPolicy(p: ForeignDropPolicy): string {
  return `${p.where}: ${p.effect}; ${p.fix}.`;
}

/**
 * Base chains with hook forward and policy drop in a table other than
 * Berth's, read from `nft -j list ruleset` output.
 */
export function foreignForwardDropChains(ruleset: readonly NftObject[], bridges: readonly string[] = []): ForeignDropPolicy[] {
  const out: ForeignDropPolicy[] = [];
  for (const o of ruleset) {
    const c = o["chain"];
    if (typeof c !== "object" || c === null) continue;
    const chain = c as Record<string, unknown>;
    if (chain["hook"] !== "forward" || chain["policy"] !== "drop") continue;
    const family = String(chain["family"] ?? "");
    const table = String(chain["table"] ?? "");
    const name = String(chain["name"] ?? "");
    if (family === TABLE_FAMILY && table === TABLE_NAME) continue;
    // a chain that accepts each of Berth's bridges both ways (dockerd's FORWARD through DOCKER-USER, where
    // Berth's Docker driver adds them) drops none of Berth's traffic
    if (bridges.length > 0 && bridges.every((b) => acceptsBridge(ruleset, family, table, name, b, 4))) continue;
    out.push({
      where: `nftables table "${family} ${table}" has a forward chain "${name}" with policy drop`,
      evidence: `table ${family} ${table} chain ${name} hook forward policy drop`,
      effect: EFFECT[family] ?? "forwarded traffic may be dropped there",
      fix: fixFor(family, table, name),
      severity: family === "ip6" ? "info" : "warning",
    });
  }
  return out;
}

/**
 * An iptables FORWARD policy of DROP, from the output of `PROGRAM -S
 * FORWARD` (whose first line is `-P FORWARD DROP`), or undefined when the
 * policy is not drop.
 */
export function iptablesForwardDrop(program: string, output: string): ForeignDropPolicy | undefined {
  if (!/^-P FORWARD DROP\b/m.test(output)) return undefined;
  return {
    where: `${program} has FORWARD policy DROP`,
    evidence: `${program} -S FORWARD: -P FORWARD DROP`,
    effect: "forwarded traffic that Berth accepts is still dropped by iptables, so containers may not reach the outside and published ports may not answer",
    fix: `accept Berth's bridges there (e.g. \`${program} -I FORWARD -i BRIDGE -j ACCEPT\` and \`${program} -I FORWARD -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED,DNAT -j ACCEPT\` for each bridge in \`nft list set inet berth bridges\`), or set the policy to ACCEPT`,
    severity: "warning",
  };
}

type Expr = Record<string, unknown>;

/** Expressions that neither match nor decide (counters, comments, iptables' comment match). */
function isNeutral(e: Expr): boolean {
  if ("counter" in e) return true;
  const xt = e["xt"] as { name?: unknown } | undefined;
  return xt !== undefined && xt.name === "comment";
}

/** `meta iifname|oifname == NAME`: the direction and the name. */
function ifnameMatch(e: Expr): { key: string; name: string } | undefined {
  const m = e["match"] as { op?: unknown; left?: { meta?: { key?: unknown } }; right?: unknown } | undefined;
  const key = m?.left?.meta?.key;
  if (!m || m.op !== "==" || (key !== "iifname" && key !== "oifname") || typeof m.right !== "string") return undefined;
  return { key, name: m.right };
}

/**
 * Whether the chain (or a chain it jumps to unconditionally, `depth` deep)
 * has a rule `iifname BRIDGE accept` and one `oifname BRIDGE accept`.
 */
export function acceptsBridge(ruleset: readonly NftObject[], family: string, table: string, chain: string, bridge: string, depth: number): boolean {
  const found = new Set<string>();
  const visit = (c: string, d: number): void => {
    for (const o of ruleset) {
      const r = o["rule"] as { family?: unknown; table?: unknown; chain?: unknown; expr?: unknown } | undefined;
      if (!r || r.family !== family || r.table !== table || r.chain !== c || !Array.isArray(r.expr)) continue;
      const exprs = (r.expr as Expr[]).filter((e) => !isNeutral(e));
      const [first, second] = exprs;
      if (exprs.length === 1 && first && "jump" in first && d > 0) {
        const target = (first["jump"] as { target?: unknown }).target;
        if (typeof target === "string") visit(target, d - 1);
      } else if (exprs.length === 2 && first && second && "accept" in second) {
        const m = ifnameMatch(first);
        if (m && m.name === bridge) found.add(m.key);
      }
    }
  };
  visit(chain, depth);
  return found.has("iifname") && found.has("oifname");
}
