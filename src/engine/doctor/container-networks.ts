import type { Engine } from "../context.js";
import { networkDrift } from "../views/network-drift.js";
import type { DoctorScope, Finding } from "./finding.js";

/**
 * CONTAINER_NETWORK_BROKEN for every running container whose kernel
 * objects do not match the store: namespace gone, bridge or veth missing
 * (`ip link del`, another tool's cleanup), veth off its bridge or down,
 * interface or address missing inside, no default route.
 */
export function checkContainerNetworks(engine: Engine, scope: DoctorScope): Finding[] {
  const out: Finding[] = [];
  for (const c of scope.containers) {
    if (c.status !== "running") continue;
    const drift = networkDrift(engine, c);
    if (drift.length === 0) continue;
    const nets = [...new Set(drift.map((d) => d.network))];
    out.push({
      code: "CONTAINER_NETWORK_BROKEN",
      severity: "error",
      summary: `Container ${c.name} has lost its network on ${nets.join(", ")}: ${drift.some((d) => d.what === "route") && drift.every((d) => d.what === "route") ? "it cannot reach beyond its subnet" : "traffic to and from it on that network goes nowhere"}`,
      evidence: drift.map((d) => `${d.network}: ${d.detail}`).join("; "),
      fix: drift.some((d) => d.what === "namespace")
        ? `its namespace is gone: berth rm -f ${c.name}, then run it again`
        : c.managedBy !== undefined
          ? `${c.managedBy} owns it: restart it there (e.g. podman restart ${c.name})`
          : "berth system reconcile (re-creates the veth, addresses and routes while the container runs)",
    });
  }
  return out;
}
