import type { Engine } from "../context.js";
import { TRUSTED_ZONE, trustedSourcesOf } from "../sync/trusted-zone.js";
import { networksInUse, plural } from "./networks-in-use.js";
import type { DoctorScope, Finding } from "./finding.js";

/**
 * Where firewalld runs, its own table rejects what no zone lets through:
 * a container's traffic out of the host and its DNS queries to the
 * gateway. Berth binds each bridge network's subnets to the trusted zone
 * (sync/trusted-zone.ts), in firewalld's runtime configuration only, so a
 * `firewall-cmd --reload` or a restart unbinds them until the next setup
 * or `berth system reconcile`. This check asks firewalld, for each
 * network with containers, which zone holds each subnet now.
 */
export function checkFirewalld(engine: Engine, scope: DoctorScope): Finding[] {
  const inUse = networksInUse(engine, scope.networks);
  if (inUse.length === 0 || !engine.firewalld.running()) return [];
  const containers = new Map(inUse.map((u) => [u.network.name, u.containers]));
  const findings: Finding[] = [];
  for (const { source, network } of trustedSourcesOf(inUse.map((u) => u.network))) {
    const zone = engine.firewalld.zoneOfSource(source);
    if (zone === TRUSTED_ZONE) continue;
    const who = `network ${network} (${plural(containers.get(network) ?? 0, "container")})`;
    findings.push(
      zone === ""
        ? {
            code: "FIREWALLD_NO_ZONE",
            severity: "error",
            summary: `firewalld runs and no zone of it holds ${source}, the subnet of ${who}: its table rejects their traffic out of the host and their DNS queries to the gateway`,
            evidence: `firewalld's zone of source ${source}: none (it was bound to the trusted zone in firewalld's runtime configuration, which a reload or restart clears)`,
            fix: "berth system reconcile (binds the subnets of Berth's networks to firewalld's trusted zone again)",
          }
        : {
            code: "FIREWALLD_OTHER_ZONE",
            severity: "warning",
            summary: `firewalld's zone "${zone}" holds ${source}, the subnet of ${who}: that zone's rules, not the trusted zone's, decide what their traffic may do`,
            evidence: `firewalld's zone of source ${source}: ${zone}`,
            fix: `allow the containers' traffic in zone ${zone}, or firewall-cmd --zone=${zone} --remove-source=${source} and then berth system reconcile`,
          },
    );
  }
  return findings;
}
