import type { Engine } from "../context.js";
import { ProbeTables } from "../../firewall/index.js";
import type { DoctorScope, Finding } from "./finding.js";

/** LEFTOVER_PROBE_TABLE: the temporary tables of a `berth trace --probe` whose process was killed before it could remove them. */
export function checkProbeTables(_engine: Engine, scope: DoctorScope): Finding[] {
  if (!scope.wholeHost) return [];
  const tables = new ProbeTables();
  try {
    return tables.stale().map((name) => ({
      code: "LEFTOVER_PROBE_TABLE",
      severity: "warning",
      summary: `nftables tables ${name} (inet and bridge) were left by a \`berth trace --probe\` that was killed: they trace nothing else, but they are not Berth's to keep`,
      evidence: `table inet ${name}; process ${name.replace(/^[^0-9]*/, "")} is gone`,
      fix: `nft delete table inet ${name}; nft delete table bridge ${name} (the next \`berth trace --probe\` removes them too)`,
    }));
  } finally {
    tables.close();
  }
}
