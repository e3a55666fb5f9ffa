import type { Engine } from "../context.js";
import type { Finding } from "./finding.js";

const NFT = /^nftables table "(\S+) (\S+)" has a forward chain "([^"]+)" with policy drop: (.*?); (.*)\.$/s;
const IPTABLES = /^(\S+) has FORWARD policy DROP: (.*?); (.*)\.$/s;

/**
 * FOREIGN_DROP_POLICY from one of Firewall.foreignDropPolicies()'s
 * sentences: split into evidence, effect and fix. An ip6 table is only a
 * note (Berth's networks are IPv4). An unknown sentence is kept whole.
 */
export function foreignPolicyFinding(sentence: string): Finding {
  const nft = NFT.exec(sentence);
  if (nft) {
    const [, family = "", table = "", chain = "", effect = "", fix = ""] = nft;
    return {
      code: "FOREIGN_DROP_POLICY",
      severity: family === "ip6" ? "info" : "warning",
      summary: `Another firewall drops forwarded traffic by default: ${effect}`,
      evidence: `table ${family} ${table} chain ${chain} hook forward policy drop`,
      fix,
    };
  }
  const ipt = IPTABLES.exec(sentence);
  if (ipt) {
    const [, program = "", effect = "", fix = ""] = ipt;
    return {
      code: "FOREIGN_DROP_POLICY",
      severity: "warning",
      summary: `Another firewall drops forwarded traffic by default: ${effect}`,
      evidence: `${program} -S FORWARD: -P FORWARD DROP`,
      fix,
    };
  }
  return { code: "FOREIGN_DROP_POLICY", severity: "warning", summary: "Another firewall drops forwarded traffic by default", evidence: sentence, fix: "accept Berth's bridges in that firewall's forward chain" };
}

/** Check 4: forward chains with policy drop in other nft tables, and a legacy iptables FORWARD DROP. */
export function checkForeignFirewall(engine: Engine): Finding[] {
  return engine.firewall.foreignDropPolicies().map(foreignPolicyFinding);
}
