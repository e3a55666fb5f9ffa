import type { DnsContainer, DnsNetwork, DnsZoneSnapshot } from "./zone-snapshot.js";

/**
 * What changed between two zone snapshots whose networks are the same:
 * containers that left a network (or changed: out, then in again) and
 * containers that joined one. A container that changes in place is both.
 */
export interface ZoneDelta {
  readonly serial: number | undefined;
  readonly removed: readonly { readonly network: string; readonly id: string }[];
  readonly added: readonly { readonly network: string; readonly container: DnsContainer }[];
}

/** The network's own fields (everything but its containers), as one comparable string. */
function networkKey(n: DnsNetwork): string {
  return JSON.stringify([n.id, n.name, n.gateway, n.subnet, n.gateway6, n.subnet6, n.dnsServers, n.internal === true]);
}

/** A container's record as one comparable string (the same record, the same string). */
export function containerKey(c: DnsContainer): string {
  return JSON.stringify([c.name, c.aliases, c.ipv4, c.ipv6, c.dnsServers]);
}

/**
 * The containers that changed from `prev` to `next`, or undefined when a
 * network came, went or changed (its gateway, subnets, servers): then the
 * zone is rebuilt whole. Comparing costs a string per container; applying
 * the delta costs only the changed containers, so one container's setup
 * on a network of 1,000 does not rebuild the other 999's names.
 */
export function diffZones(prev: DnsZoneSnapshot, next: DnsZoneSnapshot): ZoneDelta | undefined {
  if (prev.networks.length !== next.networks.length) return undefined;
  const removed: { network: string; id: string }[] = [];
  const added: { network: string; container: DnsContainer }[] = [];
  for (let i = 0; i < next.networks.length; i++) {
    const a = prev.networks[i];
    const b = next.networks[i];
    if (a === undefined || b === undefined || networkKey(a) !== networkKey(b)) return undefined;
    const before = new Map<string, string>();
    for (const c of a.containers) {
      // the same id twice on one network is not a zone the engine publishes: rebuild it whole
      if (before.has(c.id)) return undefined;
      before.set(c.id, containerKey(c));
    }
    const seen = new Set<string>();
    for (const c of b.containers) {
      if (seen.has(c.id)) return undefined;
      seen.add(c.id);
      const was = before.get(c.id);
      if (was === containerKey(c)) continue;
      if (was !== undefined) removed.push({ network: b.id, id: c.id });
      added.push({ network: b.id, container: c });
    }
    for (const id of before.keys()) if (!seen.has(id)) removed.push({ network: b.id, id });
  }
  return { serial: next.serial, removed, added };
}
