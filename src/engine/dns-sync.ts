import { mkdirSync, readFileSync } from "node:fs";
import { replaceFile } from "../private-paths.js";
import { join } from "node:path";
import type { Engine } from "./context.js";
import { ensureResolverRunning, waitForZoneLoaded, type DnsContainer, type DnsNetwork, type DnsZoneSnapshot } from "../dns/index.js";
import { fileURLToPath } from "node:url";

/** The resolver daemon's own entry (from engine/ and from the adapters' bundles in interop/ alike). */
const RESOLVER_MAIN = fileURLToPath(new URL("../dns/daemon-main.js", import.meta.url));

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

function publishedSerial(file: string): number {
  try {
    const serial: unknown = (JSON.parse(readFileSync(file, "utf8")) as { serial?: unknown }).serial;
    return typeof serial === "number" && Number.isSafeInteger(serial) ? serial : 0;
  } catch {
    return 0;
  }
}

export function zonePath(engine: Engine): string {
  return join(engine.paths.runDir, "dns", "zone.json");
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
  mkdirSync(join(engine.paths.runDir, "dns"), { recursive: true, mode: 0o700 });
  const zone = engine.store.write(() => {
    const z = buildZone(engine, Math.max(publishedSerial(file) + 1, Date.now()));
    replaceFile(file, JSON.stringify(z), `.tmp-${process.pid}`);
    return z;
  });
  if (zone.networks.length === 0) return;
  await ensureResolverRunning(engine.paths, [RESOLVER_MAIN, engine.paths.hostResolvConf]);
  await waitForZoneLoaded(engine.paths, zone.serial ?? 0);
}
