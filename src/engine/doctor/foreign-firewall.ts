import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { ForeignDropPolicy } from "../../firewall/index.js";
import type { Finding } from "./finding.js";

/** FOREIGN_DROP_POLICY from one of the firewall's findings: where it is, what breaks, what to run. */
export function foreignPolicyFinding(p: ForeignDropPolicy): Finding {
  return {
    code: "FOREIGN_DROP_POLICY",
    severity: p.severity,
    summary: `Another firewall drops forwarded traffic by default: ${p.effect}`,
    evidence: p.evidence,
    fix: p.fix,
  };
}

/** Check 4: forward chains with policy drop in other nft tables, and a legacy iptables FORWARD DROP. */
export function checkForeignFirewall(engine: Engine): Finding[] {
  const bridges = engine.store.networks
    .list()
    .filter((n) => driverOf(n).throughHost)
    .map((n) => n.bridge);
  return engine.firewall.foreignDropPolicies(bridges).map(foreignPolicyFinding);
}
