import type { Engine } from "../engine/index.js";
import type { Attachment } from "../model/container.js";
import type { ChangeReader, Store, StoredPort } from "../store/index.js";

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

interface NetworkFacts {
  readonly name: string;
  readonly driver: string;
}

interface PortFacts {
  readonly proto: string;
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** What events tell of one container. */
export interface ContainerFacts {
  readonly name: string;
  /** network id -> the container's address on it */
  readonly attachments: ReadonlyMap<string, string>;
  /** "proto host-ip host-port" -> the mapping */
  readonly ports: ReadonlyMap<string, PortFacts>;
}

/** What the store says at one moment, as far as events go: every network, and the containers it covers. */
export interface Snapshot {
  readonly networks: ReadonlyMap<string, NetworkFacts>;
  readonly containers: ReadonlyMap<string, ContainerFacts>;
}

function networksOf(store: Store): Map<string, NetworkFacts> {
  return new Map(store.networks.list().map((n) => [n.id, { name: n.name, driver: n.driver }]));
}

function portKey(p: PortFacts): string {
  return `${p.proto} ${p.hostIp} ${p.hostPort}`;
}

function facts(name: string, attachments: readonly Attachment[], ports: readonly StoredPort[]): ContainerFacts {
  return {
    name,
    attachments: new Map(attachments.map((a) => [a.networkId, a.ip ?? a.ip6 ?? ""])),
    ports: new Map(ports.map((p) => [portKey(p), { proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort }])),
  };
}

function byContainer<T extends { readonly containerId: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.containerId);
    if (list === undefined) out.set(r.containerId, [r]);
    else list.push(r);
  }
  return out;
}

/** What a watch holds: a snapshot it updates in place, container by container. */
interface Known {
  networks: ReadonlyMap<string, NetworkFacts>;
  readonly containers: Map<string, ContainerFacts>;
}

/** The whole store: when following starts, and after another process changed it. */
function snapshot(store: Store): Known {
  const attachments = byContainer(store.attachments.all());
  const ports = byContainer(store.ports.all());
  return {
    networks: networksOf(store),
    containers: new Map(store.containers.list().map((c) => [c.id, facts(c.name, attachments.get(c.id) ?? [], ports.get(c.id) ?? [])])),
  };
}

/** Just these containers, as the store has them now (a removed one is absent). */
function containersNow(store: Store, ids: ReadonlySet<string>): Map<string, ContainerFacts> {
  const out = new Map<string, ContainerFacts>();
  for (const id of ids) {
    const c = store.containers.byId(id);
    if (c !== undefined) out.set(id, facts(c.name, store.attachments.forContainer(id), store.ports.forContainer(id)));
  }
  return out;
}

type Send = (e: BerthEvent) => void;

/** One store's followers, and what they were last told the store held. */
interface Watch {
  readonly store: Store;
  readonly followers: Set<Send>;
  /** What this process's writes touched since the last comparison. */
  readonly touched: ChangeReader;
  last: Known;
  /** The store's data_version at `last`: another process's commit changes it. */
  dataVersion: number;
}

/**
 * The event stream: after each change the service compares the store with
 * what it was before and tells every follower what happened, whoever made
 * the change (a CLI command, Podman, a CNI runtime): the store is the one
 * truth. The comparison runs only while someone follows, and costs what
 * the change touched (the store's change log), not what the store holds.
 * Changes made by a berth process outside the service (a foreground
 * `run`) show up with the next change the service makes: then the whole
 * store is compared.
 */
export class EventStream {
  readonly #watches = new Map<Store, Watch>();

  follow(engine: Engine, send: Send): () => void {
    const store = engine.store;
    let w = this.#watches.get(store);
    if (w === undefined) {
      w = { store, followers: new Set(), touched: store.changes.reader(), last: snapshot(store), dataVersion: store.changeCounter() };
      this.#watches.set(store, w);
    }
    const watch = w;
    watch.followers.add(send);
    return () => {
      watch.followers.delete(send);
      if (watch.followers.size > 0) return;
      watch.touched.close();
      this.#watches.delete(store);
    };
  }

  /** After a change: tell the followers what it did. */
  changed(): void {
    for (const w of this.#watches.values()) {
      const events = advance(w);
      for (const e of events) for (const f of w.followers) f(e);
    }
  }
}

/** What changed in a watched store since its last comparison; `w.last` is brought up to date. */
function advance(w: Watch): BerthEvent[] {
  const touched = w.touched.take();
  const version = w.store.changeCounter();
  if (version !== w.dataVersion) {
    const after = snapshot(w.store);
    const events = diff(w.last, after);
    w.last = after;
    w.dataVersion = version;
    return events;
  }
  if (touched.containers.size === 0 && !touched.networks) return [];
  const networks = touched.networks ? networksOf(w.store) : w.last.networks;
  const before = new Map<string, ContainerFacts>();
  for (const id of touched.containers) {
    const c = w.last.containers.get(id);
    if (c !== undefined) before.set(id, c);
  }
  const now = containersNow(w.store, touched.containers);
  const events = diff({ networks: w.last.networks, containers: before }, { networks, containers: now });
  for (const id of touched.containers) {
    const c = now.get(id);
    if (c === undefined) w.last.containers.delete(id);
    else w.last.containers.set(id, c);
  }
  w.last.networks = networks;
  return events;
}

function now(): string {
  return new Date().toISOString().replace("Z", "000000Z");
}

/** The events between two snapshots (of the same containers), in an order that reads as it happened. */
export function diff(before: Snapshot, after: Snapshot): BerthEvent[] {
  const out: BerthEvent[] = [];
  const time = now();
  const netName = (id: string) => after.networks.get(id)?.name ?? before.networks.get(id)?.name ?? id.slice(0, 12);
  const container = (id: string, c: ContainerFacts, Status: string, Attributes: Record<string, string>): BerthEvent => ({
    Type: "container",
    Status,
    Name: c.name,
    ID: id,
    Time: time,
    Attributes,
  });
  const none: ContainerFacts = { name: "", attachments: new Map(), ports: new Map() };
  for (const [id, n] of after.networks)
    if (!before.networks.has(id)) out.push({ Type: "network", Status: "create", Name: n.name, ID: id, Time: time, Attributes: { driver: n.driver } });
  for (const [id, c] of after.containers)
    for (const [net, address] of c.attachments)
      if (!(before.containers.get(id) ?? none).attachments.has(net)) out.push(container(id, c, "attach", { network: netName(net), address }));
  for (const [id, c] of after.containers)
    for (const [k, p] of c.ports) if (!(before.containers.get(id) ?? none).ports.has(k)) out.push(container(id, c, "publish", portAttributes(p)));
  for (const [id, c] of before.containers)
    for (const [k, p] of c.ports) if (!(after.containers.get(id) ?? none).ports.has(k)) out.push(container(id, c, "unpublish", portAttributes(p)));
  for (const [id, c] of before.containers)
    for (const [net, address] of c.attachments)
      if (!(after.containers.get(id) ?? none).attachments.has(net)) out.push(container(id, c, "detach", { network: netName(net), address }));
  for (const [id, n] of before.networks)
    if (!after.networks.has(id)) out.push({ Type: "network", Status: "remove", Name: n.name, ID: id, Time: time, Attributes: { driver: n.driver } });
  return out;
}

function portAttributes(p: PortFacts): Record<string, string> {
  return { proto: p.proto, hostIp: p.hostIp, hostPort: String(p.hostPort), containerPort: String(p.containerPort) };
}
