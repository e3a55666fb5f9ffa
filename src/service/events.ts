import type { Engine } from "../engine/index.js";

/** One event, as `berth events --format json` prints it (Podman's field names where they exist). */
export interface BerthEvent {
  /** "network" or "container". */
  readonly Type: "network" | "container";
  /** network: create, remove; container: attach, detach, publish, unpublish. */
  readonly Status: string;
  /** The network's or container's name. */
  readonly Name: string;
  readonly ID: string;
  /** RFC 3339 with nanoseconds, as Podman. */
  readonly Time: string;
  readonly Attributes: Readonly<Record<string, string>>;
}

/** What the store says at one moment, as far as events go. */
export interface Snapshot {
  readonly networks: Map<string, { name: string; driver: string }>;
  /** "container network" -> address */
  readonly attachments: Map<string, { containerId: string; networkId: string; ip: string }>;
  /** "proto host-ip host-port" -> the mapping */
  readonly ports: Map<string, { containerId: string; proto: string; hostIp: string; hostPort: number; containerPort: number }>;
  readonly containerNames: Map<string, string>;
}

function snapshot(engine: Engine): Snapshot {
  const s = engine.store;
  return {
    networks: new Map(s.networks.list().map((n) => [n.id, { name: n.name, driver: n.driver }])),
    attachments: new Map(
      s.attachments.all().map((a) => [`${a.containerId} ${a.networkId}`, { containerId: a.containerId, networkId: a.networkId, ip: a.ip ?? a.ip6 ?? "" }]),
    ),
    ports: new Map(s.ports.all().map((p) => [`${p.proto} ${p.hostIp} ${p.hostPort}`, p])),
    containerNames: new Map(s.containers.list().map((c) => [c.id, c.name])),
  };
}

/**
 * The event stream: after each change the service compares the store with
 * what it was before and tells every follower what happened, whoever made
 * the change (a CLI command, Podman, a CNI runtime): the store is the one
 * truth. Changes made by a berth process outside the service (a
 * foreground `run`) show up with the next change the service makes. The
 * comparison runs only while someone follows.
 */
export class EventStream {
  readonly #followers = new Set<(e: BerthEvent) => void>();
  #last: Snapshot | undefined;

  follow(engine: Engine, send: (e: BerthEvent) => void): () => void {
    if (this.#followers.size === 0) this.#last = snapshot(engine);
    this.#followers.add(send);
    return () => {
      this.#followers.delete(send);
      if (this.#followers.size === 0) this.#last = undefined;
    };
  }

  /** After a change: tell the followers what it did. */
  changed(engine: Engine): void {
    if (this.#followers.size === 0 || this.#last === undefined) return;
    const before = this.#last;
    const after = snapshot(engine);
    this.#last = after;
    for (const e of diff(before, after)) for (const f of this.#followers) f(e);
  }
}

function now(): string {
  return new Date().toISOString().replace("Z", "000000Z");
}

/** The events between two snapshots, in an order that reads as it happened. */
export function diff(before: Snapshot, after: Snapshot): BerthEvent[] {
  const out: BerthEvent[] = [];
  const time = now();
  const nameOf = (id: string) => after.containerNames.get(id) ?? before.containerNames.get(id) ?? id.slice(0, 12);
  const netName = (id: string) => after.networks.get(id)?.name ?? before.networks.get(id)?.name ?? id.slice(0, 12);
  for (const [id, n] of after.networks)
    if (!before.networks.has(id)) out.push({ Type: "network", Status: "create", Name: n.name, ID: id, Time: time, Attributes: { driver: n.driver } });
  for (const [k, a] of after.attachments)
    if (!before.attachments.has(k))
      out.push({
        Type: "container",
        Status: "attach",
        Name: nameOf(a.containerId),
        ID: a.containerId,
        Time: time,
        Attributes: { network: netName(a.networkId), address: a.ip },
      });
  for (const [k, p] of after.ports)
    if (!before.ports.has(k))
      out.push({ Type: "container", Status: "publish", Name: nameOf(p.containerId), ID: p.containerId, Time: time, Attributes: portAttributes(p) });
  for (const [k, p] of before.ports)
    if (!after.ports.has(k))
      out.push({ Type: "container", Status: "unpublish", Name: nameOf(p.containerId), ID: p.containerId, Time: time, Attributes: portAttributes(p) });
  for (const [k, a] of before.attachments)
    if (!after.attachments.has(k))
      out.push({
        Type: "container",
        Status: "detach",
        Name: nameOf(a.containerId),
        ID: a.containerId,
        Time: time,
        Attributes: { network: netName(a.networkId), address: a.ip },
      });
  for (const [id, n] of before.networks)
    if (!after.networks.has(id)) out.push({ Type: "network", Status: "remove", Name: n.name, ID: id, Time: time, Attributes: { driver: n.driver } });
  return out;
}

function portAttributes(p: { proto: string; hostIp: string; hostPort: number; containerPort: number }): Record<string, string> {
  return { proto: p.proto, hostIp: p.hostIp, hostPort: String(p.hostPort), containerPort: String(p.containerPort) };
}
