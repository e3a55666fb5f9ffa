import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { execFileSync } from "../exec.js";
import { iptablesForwardDrop, type ForeignDropPolicy } from "./foreign-policies.js";

/** The program's full path on PATH, or undefined. */
function onPath(program: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(delimiter)) {
    if (dir === "") continue;
    const p = join(dir, program);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Whether legacy (x_tables) iptables has a filter table in this network namespace. */
function legacyFilterLoaded(): boolean {
  try {
    return readFileSync("/proc/net/ip_tables_names", "utf8").split("\n").includes("filter");
  } catch {
    return false;
  }
}

/**
 * An iptables FORWARD policy of DROP that nftables cannot
 * show: the legacy (x_tables) filter table. iptables-nft rules already show
 * up in `nft list ruleset`. Reads /proc first, so no program runs (and no
 * module loads) when no legacy filter table exists.
 * Equivalent to: iptables-legacy -S FORWARD
 */
export function legacyIptablesForwardDrop(): ForeignDropPolicy[] {
  if (!legacyFilterLoaded()) return [];
  for (const program of ["iptables-legacy", "iptables"]) {
    const path = onPath(program);
    if (!path) continue;
    if (program === "iptables") {
      const v = execFileSync(path, ["--version"]);
      if (v.code !== 0 || !/legacy/.test(v.stdout)) continue;
    }
    const r = execFileSync(path, ["-w", "-S", "FORWARD"]);
    if (r.code !== 0) continue;
    const s = iptablesForwardDrop(program, r.stdout);
    return s ? [s] : [];
  }
  return [];
}
