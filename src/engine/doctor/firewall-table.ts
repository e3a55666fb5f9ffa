import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { describeMapping, samePortMapping, type PortMapping } from "../../firewall/index.js";
import { dnatMappings } from "../ports/ports.js";
import type { DoctorScope, Finding } from "./finding.js";
import { plural } from "./networks-in-use.js";

/** A mapping the store says is published, with the container that publishes it. */
export interface ExpectedMapping {
  readonly container: string;
  readonly mapping: PortMapping;
}

const RECONCILE = "berth system reconcile";

/**
 * FIREWALL_TABLE_MISSING when `inet berth` is gone while networks exist;
 * PORT_MAPPING_MISSING for each published port without its map element;
 * PORT_MAPPING_STALE for map elements no container publishes (only when
 * `all` expected mappings are given, i.e. for the whole host).
 */
export function firewallTableFindings(input: {
  readonly tableExists: boolean;
  readonly networks: number;
  readonly expected: readonly ExpectedMapping[];
  readonly live: readonly PortMapping[];
  readonly checkStale: boolean;
}): Finding[] {
  if (!input.tableExists) {
    if (input.networks === 0 && input.expected.length === 0) return [];
    return [
      {
        code: "FIREWALL_TABLE_MISSING",
        severity: "error",
        summary: "Berth's nftables table is gone (e.g. after `nft flush ruleset` or a firewall reload): no masquerade, no isolation, no published ports",
        evidence: `nft list table inet berth: no such table; the store has ${plural(input.networks, "network")} and ${plural(input.expected.length, "published port")}`,
        fix: RECONCILE,
      },
    ];
  }
  const out: Finding[] = [];
  for (const e of input.expected) {
    if (input.live.some((l) => samePortMapping(l, e.mapping))) continue;
    out.push({
      code: "PORT_MAPPING_MISSING",
      severity: "error",
      summary: `Port ${e.mapping.hostPort}/${e.mapping.proto} of container ${e.container} is not forwarded: its DNAT map element is missing`,
      evidence: `published ${describeMapping(e.mapping)}, but no such element in map inet berth ${e.mapping.hostIp === "0.0.0.0" ? "dnat_any" : "dnat_addr"}`,
      fix: RECONCILE,
    });
  }
  if (input.checkStale) {
    for (const l of input.live) {
      if (input.expected.some((e) => samePortMapping(l, e.mapping))) continue;
      out.push({
        code: "PORT_MAPPING_STALE",
        severity: "warning",
        summary: `Host port ${l.hostPort}/${l.proto} is forwarded to ${l.containerIp}:${l.containerPort}, but no container publishes it`,
        evidence: `element ${describeMapping(l)} in table inet berth`,
        fix: RECONCILE,
      });
    }
  }
  return out;
}

function expectedOf(engine: Engine, containers: readonly Container[]): ExpectedMapping[] {
  return containers.flatMap((c) => dnatMappings(engine, c).map((mapping) => ({ container: c.name, mapping })));
}

/** Check 3: the live table and maps against the store's networks and published ports. */
export function checkFirewallTable(engine: Engine, scope: DoctorScope): Finding[] {
  const tableExists = engine.firewall.tableExists();
  return firewallTableFindings({
    tableExists,
    networks: scope.networks.length,
    expected: expectedOf(engine, scope.wholeHost ? engine.store.containers.list() : scope.containers),
    live: tableExists ? engine.firewall.listPortMappings() : [],
    checkStale: scope.wholeHost,
  });
}
