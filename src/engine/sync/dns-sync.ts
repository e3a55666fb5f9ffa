import { mkdirSync, rmSync, statSync } from "node:fs";
import { replaceFile } from "../../private-paths.js";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { dnsDir } from "../../paths.js";
import { afterTheCaller } from "../resident.js";
import type { DnsContainer, DnsNetwork, DnsZoneSnapshot } from "../../dns/index.js";
import { appendJournal, formatJournalEntry, JournalReader, zoneFileSerial, type JournalEntry } from "../../dns/zone-journal.js";
import { ZoneModel } from "../../dns/zone-model.js";
import { containerKey } from "../../dns/zone-delta.js";

/** The zone the resolver serves: DNS-enabled networks that have containers, with their names and aliases. */
export function buildZone(engine: Engine, serial?: number): DnsZoneSnapshot {
  const networks: DnsNetwork[] = [];
  for (const n of engine.store.networks.list()) {
    if (!n.dnsEnabled) continue;
    const containers: DnsContainer[] = engine.store.attachments
      .namedForNetwork(n.id)
      .map((a) => ({ id: a.containerId, name: a.name, aliases: a.aliases, ipv4: a.ip, ipv6: a.ip6, dnsServers: a.dnsServers }));
    if (containers.length === 0) continue;
    networks.push({
      id: n.id,
      name: n.name,
      gateway: n.gateway,
      subnet: n.subnet,
      gateway6: n.gateway6,
      subnet6: n.subnet6,
      dnsServers: [...n.dnsServers],
      ...(n.internal ? { internal: true } : {}),
      containers,
    });
  }
  return { version: 1, ...(serial === undefined ? {} : { serial }), networks };
}

/** The serial of the published zone file (read from its first bytes); 0 when there is none. */
export const publishedSerial = zoneFileSerial;

export function zonePath(engine: Engine): string {
  return join(dnsDir(engine.paths), "zone.json");
}

export function journalPath(engine: Engine): string {
  return join(dnsDir(engine.paths), "zone.journal");
}

/**
 * Start writing zone.json again (not on the caller's time) once the
 * journal holds this many bytes and at least half the zone's own size: the
 * rewrite costs O(zone), so it comes once per O(zone) of changes.
 */
const COMPACT_MIN_BYTES = 64 * 1024;
/** Or this long after the last change (a resident engine only): a restarted resolver then replays nothing. */
const COMPACT_IDLE_MS = 1000;

/** What an engine last published, kept while it lives (the Berth service's engines live for many changes). */
interface Published {
  /** The zone as zone.json plus the journal give it. */
  readonly model: ZoneModel;
  /** The DNS-enabled networks, with containers or not (a container joining one the zone lacks needs a whole publish). */
  readonly dnsNetworks: ReadonlySet<string>;
  /** zone.json's and zone.journal's identity as this engine left them: another process's publish changes it. */
  files: string;
  /** The store's data_version then: another process's commit changes it. */
  dataVersion: number;
  zoneBytes: number;
  journalBytes: number;
  idle: NodeJS.Timeout | undefined;
}

const published = new WeakMap<Engine, Published>();

function fileId(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "-";
  }
}

function filesId(engine: Engine): string {
  return `${fileId(zonePath(engine))} ${fileId(journalPath(engine))}`;
}

/** The largest serial zone.json and the journal hold (every new one must be larger). */
function lastSerial(engine: Engine): number {
  let serial = zoneFileSerial(zonePath(engine));
  for (const e of new JournalReader(journalPath(engine)).read().entries) serial = Math.max(serial, e.serial);
  return serial;
}

/**
 * Write the whole zone from the store: zone.json (atomic replace), then
 * the journal removed (the file holds everything). Under the store's
 * write lock. Returns the zone's serial, or undefined when it is empty.
 */
function publishWhole(engine: Engine): number | undefined {
  const before = published.get(engine);
  clearTimeout(before?.idle);
  published.delete(engine);
  const zone = buildZone(engine, Math.max(lastSerial(engine) + 1, Date.now()));
  const text = JSON.stringify(zone);
  replaceFile(zonePath(engine), text, `.tmp-${process.pid}`);
  rmSync(journalPath(engine), { force: true });
  published.set(engine, {
    model: new ZoneModel(zone),
    dnsNetworks: new Set(
      engine.store.networks
        .list()
        .filter((n) => n.dnsEnabled)
        .map((n) => n.id),
    ),
    files: filesId(engine),
    dataVersion: engine.store.changeCounter(),
    zoneBytes: text.length,
    journalBytes: 0,
    idle: undefined,
  });
  return zone.networks.length === 0 ? undefined : zone.serial;
}

/** Container `id`'s records in the zone, per DNS network, as the store has them now. */
function recordsOf(engine: Engine, id: string): Map<string, DnsContainer> {
  const out = new Map<string, DnsContainer>();
  for (const a of engine.store.attachments.namedForContainer(id))
    out.set(a.networkId, { id: a.containerId, name: a.name, aliases: a.aliases, ipv4: a.ip, ipv6: a.ip6, dnsServers: a.dnsServers });
  return out;
}

/**
 * Publish only what changed since this engine's last publish: the changed
 * containers' records, read from the store by id, as one journal line.
 * O(changed containers). Returns "whole" when only a whole publish can say
 * it (a network comes into or leaves the zone).
 */
function publishDelta(engine: Engine, last: Published, changed: ReadonlySet<string>): number | undefined | "whole" {
  const removed: { network: string; id: string }[] = [];
  const added: { network: string; container: DnsContainer }[] = [];
  for (const id of changed) {
    const now = recordsOf(engine, id);
    for (const net of now.keys()) if (last.dnsNetworks.has(net) && !last.model.has(net)) return "whole";
    for (const net of last.model.networkIds) {
      const had = last.model.container(net, id);
      const has = now.get(net);
      if (had === undefined && has === undefined) continue;
      if (had !== undefined && has !== undefined && containerKey(had) === containerKey(has)) continue;
      if (had !== undefined) removed.push({ network: net, id });
      if (has !== undefined) added.push({ network: net, container: has });
    }
  }
  const base = last.model.serial ?? 0;
  if (removed.length === 0 && added.length === 0) return last.model.networkIds.length === 0 ? undefined : base;
  const entry: JournalEntry = { base, serial: Math.max(base + 1, Date.now()), removed, added };
  last.model.apply(entry);
  if (removed.some((r) => last.model.size(r.network) === 0)) return "whole";
  appendJournal(journalPath(engine), entry);
  last.journalBytes += Buffer.byteLength(formatJournalEntry(entry));
  last.files = filesId(engine);
  return entry.serial;
}

/** Write zone.json from the engine's model and drop the journal, unless another process has published since (run after the caller, or when idle). */
export function compactZone(engine: Engine): void {
  const last = published.get(engine);
  if (last === undefined || last.journalBytes === 0 || !engine.store.db.open) return;
  engine.store.write(() => {
    if (published.get(engine) !== last) return;
    if (filesId(engine) !== last.files) {
      published.delete(engine);
      return;
    }
    const text = JSON.stringify(last.model.snapshot());
    replaceFile(zonePath(engine), text, `.tmp-${process.pid}`);
    rmSync(journalPath(engine), { force: true });
    last.files = filesId(engine);
    last.zoneBytes = text.length;
    last.journalBytes = 0;
  });
}

function compactQuietly(engine: Engine): void {
  try {
    compactZone(engine);
  } catch {
    // the journal stays; the next change or a whole publish writes zone.json
  }
}

/** Publish the store's zone: a journal line when this engine published the last one, else zone.json whole. Under the store's write lock. */
function publishZone(engine: Engine): number | undefined {
  const changes = engine.store.changes.take();
  const last = published.get(engine);
  if (last !== undefined && !changes.networks && last.dataVersion === engine.store.changeCounter() && filesId(engine) === last.files) {
    const serial = publishDelta(engine, last, changes.containers);
    if (serial !== "whole") return serial;
  }
  return publishWhole(engine);
}

/**
 * Publish the zone to the resolver, starting the daemon when the first
 * DNS-enabled network gets a container, then wait until the daemon serves
 * it: when a berth command returns, its names resolve. What is published
 * is what changed: the containers this process's store writes touched
 * (`Store.changes`), read again by id and compared with the zone this
 * engine published last, go to `zone.journal` as one line, which the
 * resolver follows and applies; a network that comes or goes, the first
 * publish of a process, or a publish by another process since, writes the
 * whole zone to zone.json instead. zone.json is rewritten from memory once
 * the journal has grown to half its size (after the caller's reply), or a
 * second after the last change; zone.json plus the journal is always the
 * newest zone, so a restarted resolver starts from what it served or
 * newer. Everything is written under the store's write lock, so a slower
 * berth process can never publish an older view over a newer one, and
 * every change gets a larger serial than the last. The daemon exits by
 * itself when the zone is empty.
 */
export async function syncDns(engine: Engine): Promise<void> {
  mkdirSync(dnsDir(engine.paths), { recursive: true, mode: 0o700 });
  const serial = engine.store.write(() => publishZone(engine));
  const last = published.get(engine);
  if (last !== undefined && last.journalBytes > 0) {
    clearTimeout(last.idle);
    if (last.journalBytes >= Math.max(COMPACT_MIN_BYTES, last.zoneBytes / 2)) {
      afterTheCaller(() => compactQuietly(engine));
    } else {
      last.idle = setTimeout(() => compactQuietly(engine), COMPACT_IDLE_MS);
      last.idle.unref();
    }
  }
  if (serial === undefined) return;
  await engine.resolver.serve(serial);
}
