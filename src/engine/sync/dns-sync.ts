import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { replaceFile } from "../../private-paths.js";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { dnsDir } from "../../paths.js";
import type { DnsContainer, DnsNetwork, DnsZoneSnapshot } from "../../dns/index.js";

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

/**
 * The serial of the published zone, read from the file's first bytes
 * (buildZone puts it before the networks) instead of parsing the whole
 * zone again on every change; 0 when there is none.
 */
export function publishedSerial(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return 0;
  }
  try {
    const head = Buffer.alloc(64);
    const n = readSync(fd, head, 0, head.length, 0);
    const m = /^\{"version":1,"serial":(\d{1,16})[,}]/.exec(head.subarray(0, n).toString("latin1"));
    const serial = m ? Number(m[1]) : 0;
    return Number.isSafeInteger(serial) ? serial : 0;
  } catch {
    return 0;
  } finally {
    closeSync(fd);
  }
}

export function zonePath(engine: Engine): string {
  return join(dnsDir(engine.paths), "zone.json");
}

/**
 * Publish the zone to the resolver (atomic file replace; the daemon watches
 * it and swaps its tables without a restart), starting the daemon when the
 * first DNS-enabled network gets a container, then wait until the daemon
 * serves it: when a berth command returns, its names resolve. The zone is
 * built and written under the store's write lock, so a slower berth process
 * can never publish an older view over a newer one, and every snapshot gets
 * a larger serial than the last. The daemon exits by itself when the zone
 * is empty.
 */
export async function syncDns(engine: Engine): Promise<void> {
  const file = zonePath(engine);
  mkdirSync(dnsDir(engine.paths), { recursive: true, mode: 0o700 });
  const zone = engine.store.write(() => {
    const z = buildZone(engine, Math.max(publishedSerial(file) + 1, Date.now()));
    replaceFile(file, JSON.stringify(z), `.tmp-${process.pid}`);
    return z;
  });
  if (zone.networks.length === 0) return;
  await engine.resolver.serve(zone.serial ?? 0);
}
