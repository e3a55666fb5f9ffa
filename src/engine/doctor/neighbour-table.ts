import type { Engine } from "../context.js";
import type { DoctorScope, Finding } from "./finding.js";
import { networksInUse, plural, type NetworkUse } from "./networks-in-use.js";
import { readProcValue } from "../../kernel/proc/read-proc.js";

export const NEIGH4_THRESH3_PATH = "/proc/sys/net/ipv4/neigh/default/gc_thresh3";
export const NEIGH6_THRESH3_PATH = "/proc/sys/net/ipv6/neigh/default/gc_thresh3";

/**
 * Live neighbour entries one container endpoint holds when it talks: its
 * entry for the gateway in its own namespace, and the host's entry for it
 * on the bridge. The table is one for the whole host, every namespace
 * together, and entries refreshed in the last 5 seconds cannot be
 * collected (docs/reliability.md).
 */
const ENTRIES_PER_ENDPOINT = 2;

interface NeighFamily {
  readonly code: string;
  readonly sysctl: string;
  readonly endpoints: (u: NetworkUse) => number;
}

const IPV4: NeighFamily = {
  code: "NEIGH_TABLE_SMALL",
  sysctl: "net.ipv4.neigh.default",
  endpoints: (u) => (u.network.subnet === undefined ? 0 : u.containers),
};
const IPV6: NeighFamily = {
  code: "NEIGH6_TABLE_SMALL",
  sysctl: "net.ipv6.neigh.default",
  endpoints: (u) => (u.network.subnet6 === undefined ? 0 : u.containers),
};

/** A gc_thresh3 for `needed` entries with room to spare, in steps of 1,024. */
function suggested(needed: number): number {
  return Math.ceil((needed * 2) / 1024) * 1024;
}

function neighbourFindings(family: NeighFamily, thresh3: string | undefined, inUse: readonly NetworkUse[]): Finding[] {
  const limit = Number(thresh3);
  if (thresh3 === undefined || !Number.isInteger(limit) || limit <= 0) return [];
  const endpoints = inUse.reduce((n, u) => n + family.endpoints(u), 0);
  const needed = endpoints * ENTRIES_PER_ENDPOINT;
  if (needed <= limit) return [];
  const t3 = suggested(needed);
  return [
    {
      code: family.code,
      severity: "warning",
      summary: `The host's neighbour table is smaller than ${plural(endpoints, "container endpoint")} need when they all talk: new neighbours get dropped ("neighbour table overflow" in dmesg) and connections stall`,
      evidence: `${family.sysctl}.gc_thresh3 = ${limit} entries for all namespaces together; ${plural(endpoints, "endpoint")} need up to ${needed} (one in each container for its gateway, one on the host for each container)`,
      fix: `sysctl -w ${family.sysctl}.gc_thresh3=${t3} ${family.sysctl}.gc_thresh2=${t3 / 2} (on the host; persist it in /etc/sysctl.d/)`,
    },
  ];
}

/** NEIGH_TABLE_SMALL when IPv4 endpoints could hold more live neighbour entries than gc_thresh3 allows. */
export const neighbourTableFindings = (thresh3: string | undefined, inUse: readonly NetworkUse[]): Finding[] => neighbourFindings(IPV4, thresh3, inUse);

/** NEIGH6_TABLE_SMALL: the same for IPv6 endpoints and the IPv6 neighbour table. */
export const neighbour6TableFindings = (thresh3: string | undefined, inUse: readonly NetworkUse[]): Finding[] => neighbourFindings(IPV6, thresh3, inUse);

/**
 * The host's neighbour tables against every container endpoint on the host
 * (the tables are host-wide, whatever the scope). The knobs exist only in
 * the host's own network namespace: elsewhere there is nothing to read and
 * nothing is reported.
 */
export function checkNeighbourTable(engine: Engine, _scope: DoctorScope): Finding[] {
  const inUse = networksInUse(engine, engine.store.networks.list());
  return [...neighbourTableFindings(readProcValue(NEIGH4_THRESH3_PATH), inUse), ...neighbour6TableFindings(readProcValue(NEIGH6_THRESH3_PATH), inUse)];
}
