import type { Engine } from "../context.js";
import { requireContainer } from "../network/network-lookup.js";
import type { Network } from "../../model/network.js";
import { isBerthError, messageOf } from "../../errors.js";
import { isProblem, type Check, type DoctorScope, type Finding } from "./finding.js";
import { checkTools } from "./tools.js";
import { checkIpForward } from "./ip-forward.js";
import { checkFirewallTable } from "./firewall-table.js";
import { checkForeignFirewall } from "./foreign-firewall.js";
import { checkFirewalld } from "./firewalld.js";
import { checkBrNetfilter } from "./br-netfilter.js";
import { checkSubnetOverlap } from "./subnet-overlap.js";
import { checkNeighbourTable } from "./neighbour-table.js";
import { checkLeftovers } from "./leftovers.js";
import { checkProbeTables } from "./probe-tables.js";
import { checkDns } from "./dns.js";
import { checkHostPorts } from "./host-ports.js";
import { checkContainer } from "./container.js";
import { checkContainerNetworks } from "./container-networks.js";
import { checkCgroupMounts } from "./cgroup-mounts.js";
import { checkUpstreamDns } from "./upstream-dns.js";

export type { Finding, Severity } from "./finding.js";
export { isProblem } from "./finding.js";
export { renderFindings, summaryLine } from "./report.js";

export interface DoctorReport {
  readonly findings: Finding[];
  /** No error or warning finding. */
  readonly ok: boolean;
}

/** The host-wide checks, in the order their findings are printed. */
const HOST_CHECKS: readonly (readonly [string, Check])[] = [
  ["tools", checkTools],
  ["cgroup mounts", checkCgroupMounts],
  ["ip_forward", checkIpForward],
  ["firewall table", checkFirewallTable],
  ["other firewalls", checkForeignFirewall],
  ["firewalld", checkFirewalld],
  ["br_netfilter", checkBrNetfilter],
  ["subnet overlap", checkSubnetOverlap],
  ["neighbour table", checkNeighbourTable],
  ["leftovers", checkLeftovers],
  ["probe tables", checkProbeTables],
  ["container networks", checkContainerNetworks],
  ["dns", checkDns],
  ["upstream dns", checkUpstreamDns],
  ["host ports", checkHostPorts],
];

/** A check that throws (nft missing, /proc unreadable) is a finding too, not the end of the run. */
async function runCheck(name: string, fn: () => Finding[] | Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await fn();
  } catch (e) {
    return [
      {
        code: "CHECK_FAILED",
        severity: "warning",
        summary: `The ${name} check could not run`,
        evidence: messageOf(e),
        fix: isBerthError(e) && e.hint ? e.hint : "run with BERTH_DEBUG=1 for details",
      },
    ];
  }
}

/**
 * `berth doctor [NAME]`: diagnose the host, or one container plus the
 * host-wide checks that concern its networks. Reads the kernel and the
 * store; changes nothing (it does not even repair interrupted containers,
 * so that it can report them).
 */
export async function runDoctor(engine: Engine, name?: string): Promise<DoctorReport> {
  let scope: DoctorScope;
  const findings: Finding[] = [];
  if (name === undefined) {
    scope = { wholeHost: true, networks: engine.store.networks.list(), containers: engine.store.containers.list() };
  } else {
    const c = requireContainer(engine, name);
    const networks = engine.store.attachments
      .forContainer(c.id)
      .map((a) => engine.store.networks.byId(a.networkId))
      .filter((n): n is Network => n !== undefined);
    scope = { wholeHost: false, networks, containers: [c] };
    findings.push(...(await runCheck(`container ${c.name}`, () => checkContainer(engine, c))));
  }
  for (const [checkName, check] of HOST_CHECKS) findings.push(...(await runCheck(checkName, () => check(engine, scope))));
  return { findings, ok: !findings.some(isProblem) };
}
