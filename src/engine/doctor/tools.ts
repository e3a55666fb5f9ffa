import { findExecutable } from "../../runtime/runtime-binary.js";
import type { Finding } from "./finding.js";

/** A program Berth runs, and the Debian package that provides it. */
interface Tool {
  /** Any one of these names will do (runc or crun). */
  readonly names: readonly string[];
  readonly pkg: string;
  readonly why: string;
}

export const TOOLS: readonly Tool[] = [
  { names: ["nft"], pkg: "nftables", why: "the fallback path for firewall rules and `berth` diagnostics" },
  { names: ["ip"], pkg: "iproute2", why: "`ip netns exec` and the commands doctor suggests" },
  { names: ["runc", "crun"], pkg: "runc", why: "running containers (the OCI runtime)" },
  { names: ["conmon"], pkg: "conmon", why: "monitoring detached containers (`run -d`)" },
];

/** TOOL_MISSING findings for the tools `which` cannot find (`which` returns a path or undefined). */
export function missingToolFindings(which: (name: string) => string | undefined, path: string): Finding[] {
  const out: Finding[] = [];
  for (const t of TOOLS) {
    if (t.names.some((n) => which(n) !== undefined)) continue;
    const name = t.names.join(" or ");
    out.push({
      code: "TOOL_MISSING",
      severity: "error",
      summary: `${name} is not installed: Berth needs it for ${t.why}`,
      evidence: `${name} not found on PATH (${path})`,
      fix: `apt-get install ${t.pkg}`,
    });
  }
  return out;
}

/** Check 1: nft, ip, runc (or crun, or $BERTH_RUNTIME) and conmon on PATH. */
export function checkTools(): Finding[] {
  const env = process.env;
  const runtime = env["BERTH_RUNTIME"];
  const which = (n: string) => findExecutable(runtime && (n === "runc" || n === "crun") ? runtime : n, env);
  return missingToolFindings(which, env["PATH"] ?? "");
}
