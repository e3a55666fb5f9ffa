import type { ZoneDelta } from "./zone-delta.js";
import type { DnsContainer, DnsNetwork, DnsZoneSnapshot } from "./zone-snapshot.js";

interface ModelNetwork {
  readonly network: DnsNetwork;
  /** container id -> its record on this network, in the order they came */
  readonly containers: Map<string, DnsContainer>;
}

/**
 * A zone snapshot kept as maps, so a change of a few containers costs only
 * those containers (`apply`), and the whole snapshot is made only when
 * someone needs it written or rebuilt (`snapshot`). The engine keeps the
 * zone it last published this way (`engine/sync/dns-sync.ts`), the
 * resolver the zone it serves.
 */
export class ZoneModel {
  #serial: number | undefined;
  readonly #nets = new Map<string, ModelNetwork>();

  constructor(snapshot: DnsZoneSnapshot) {
    this.#serial = snapshot.serial;
    for (const n of snapshot.networks) {
      if (this.#nets.has(n.id)) continue;
      const containers = new Map<string, DnsContainer>();
      // the same id twice on one network: the first record serves (as in Zone)
      for (const c of n.containers) if (!containers.has(c.id)) containers.set(c.id, c);
      this.#nets.set(n.id, { network: { ...n, containers: [] }, containers });
    }
  }

  get serial(): number | undefined {
    return this.#serial;
  }

  /** How many containers the network `id` has here (0 when it is not in the zone). */
  size(networkId: string): number {
    return this.#nets.get(networkId)?.containers.size ?? 0;
  }

  has(networkId: string): boolean {
    return this.#nets.has(networkId);
  }

  /** Container `id`'s record on network `networkId`, if it has one. */
  container(networkId: string, id: string): DnsContainer | undefined {
    return this.#nets.get(networkId)?.containers.get(id);
  }

  /** The ids of the zone's networks, in the snapshot's order. */
  get networkIds(): readonly string[] {
    return [...this.#nets.keys()];
  }

  /**
   * Apply a change (removals first, then additions; an addition replaces a
   * record the container already has). Returns false, changing nothing,
   * when it names a network the zone does not have.
   */
  apply(delta: ZoneDelta): boolean {
    if (!delta.removed.every((r) => this.#nets.has(r.network)) || !delta.added.every((a) => this.#nets.has(a.network))) return false;
    for (const r of delta.removed) this.#nets.get(r.network)!.containers.delete(r.id);
    for (const a of delta.added) {
      const cs = this.#nets.get(a.network)!.containers;
      cs.delete(a.container.id);
      cs.set(a.container.id, a.container);
    }
    this.#serial = delta.serial;
    return true;
  }

  /** The whole zone as a snapshot (O(containers): for writing zone.json or rebuilding a zone). */
  snapshot(): DnsZoneSnapshot {
    const networks = [...this.#nets.values()].map((n) => ({ ...n.network, containers: [...n.containers.values()] }));
    return { version: 1, ...(this.#serial === undefined ? {} : { serial: this.#serial }), networks };
  }
}
