import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "./context.js";
import { ensureResolverRunning, type DnsContainer, type DnsNetwork, type DnsZoneSnapshot } from "../dns/index.js";
import { selfScriptArgs } from "./self-command.js";

/** The zone the resolver serves: DNS-enabled networks that have containers, with their names and aliases. */
export function buildZone(engine: Engine): DnsZoneSnapshot {
  const networks: DnsNetwork[] = [];
  for (const n of engine.store.networks.list()) {
    if (!n.dnsEnabled) continue;
    const containers: DnsContainer[] = [];
    for (const a of engine.store.attachments.forNetwork(n.id)) {
      const c = engine.store.containers.byId(a.containerId);
      if (!c) continue;
      containers.push({ id: c.id, name: c.name, aliases: [...a.aliases], ipv4: a.ip, dnsServers: [...c.dns.servers] });
    }
    if (containers.length === 0) continue;
    networks.push({ id: n.id, name: n.name, gateway: n.gateway, subnet: n.subnet, dnsServers: [...n.dnsServers], containers });
  }
  return { version: 1, networks };
}

export function zonePath(engine: Engine): string {
  return join(engine.paths.runDir, "dns", "zone.json");
}

/**
 * Publish the zone to the resolver (atomic file replace; the daemon watches
 * it and swaps its tables without a restart), starting the daemon when the
 * first DNS-enabled network gets a container. It exits by itself when the
 * zone is empty.
 */
export async function syncDns(engine: Engine): Promise<void> {
  const zone = buildZone(engine);
  const file = zonePath(engine);
  mkdirSync(join(engine.paths.runDir, "dns"), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(zone), { mode: 0o600 });
  renameSync(tmp, file);
  if (zone.networks.length > 0) await ensureResolverRunning(engine.paths, selfScriptArgs(["dns", "serve"]));
}
