import type { Db } from "./database.js";
import { findByNameOrId } from "./find-by-name-or-id.js";
import { ChangeLog } from "./change-log.js";
import type { Network } from "../model/network.js";

interface NetworkRow {
  id: string;
  name: string;
  driver: string;
  bridge: string;
  subnet: string | null;
  gateway: string | null;
  ip_range: string | null;
  subnet6: string | null;
  gateway6: string | null;
  driver_options: string;
  internal: number;
  dns_enabled: number;
  isolate: number;
  mtu: number | null;
  labels: string;
  dns_servers: string;
  next_ip: number;
  created: string;
  managed_by: string | null;
  bridge_external: number;
}

function toNetwork(r: NetworkRow): Network {
  return {
    id: r.id,
    name: r.name,
    driver: r.driver === "macvlan" ? "macvlan" : "bridge",
    bridge: r.bridge,
    subnet: r.subnet ?? undefined,
    gateway: r.gateway ?? undefined,
    ipRange: r.ip_range ?? undefined,
    subnet6: r.subnet6 ?? undefined,
    gateway6: r.gateway6 ?? undefined,
    driverOptions: JSON.parse(r.driver_options) as Record<string, string>,
    internal: r.internal === 1,
    dnsEnabled: r.dns_enabled === 1,
    isolate: r.isolate === 1,
    mtu: r.mtu ?? undefined,
    labels: JSON.parse(r.labels) as Record<string, string>,
    dnsServers: JSON.parse(r.dns_servers) as string[],
    created: r.created,
    managedBy: r.managed_by ?? undefined,
    ...(r.bridge_external === 1 ? { bridgeExternal: true } : {}),
  };
}

/** Networks table access. */
export class NetworkRows {
  constructor(
    private readonly db: Db,
    private readonly changes = new ChangeLog(),
  ) {}

  insert(n: Network): void {
    this.changes.network();
    this.db
      .prepare(
        `INSERT INTO networks (id, name, driver, bridge, subnet, gateway, ip_range, subnet6, gateway6, internal, dns_enabled, isolate, mtu, labels, dns_servers, driver_options, created, managed_by, bridge_external)
         VALUES (@id, @name, @driver, @bridge, @subnet, @gateway, @ipRange, @subnet6, @gateway6, @internal, @dnsEnabled, @isolate, @mtu, @labels, @dnsServers, @driverOptions, @created, @managedBy, @bridgeExternal)`,
      )
      .run({
        ...n,
        subnet: n.subnet ?? null,
        gateway: n.gateway ?? null,
        ipRange: n.ipRange ?? null,
        subnet6: n.subnet6 ?? null,
        gateway6: n.gateway6 ?? null,
        driverOptions: JSON.stringify(n.driverOptions),
        internal: n.internal ? 1 : 0,
        dnsEnabled: n.dnsEnabled ? 1 : 0,
        isolate: n.isolate ? 1 : 0,
        mtu: n.mtu ?? null,
        labels: JSON.stringify(n.labels),
        dnsServers: JSON.stringify(n.dnsServers),
        managedBy: n.managedBy ?? null,
        bridgeExternal: n.bridgeExternal ? 1 : 0,
      });
  }

  list(): Network[] {
    return (this.db.prepare("SELECT * FROM networks ORDER BY created, name").all() as NetworkRow[]).map(toNetwork);
  }

  byName(name: string): Network | undefined {
    const r = this.db.prepare("SELECT * FROM networks WHERE name = ?").get(name) as NetworkRow | undefined;
    return r && toNetwork(r);
  }

  byId(id: string): Network | undefined {
    const r = this.db.prepare("SELECT * FROM networks WHERE id = ?").get(id) as NetworkRow | undefined;
    return r && toNetwork(r);
  }

  /** Find by exact name, full id, or unique id prefix (as Podman does). */
  find(nameOrId: string): Network | undefined {
    const r = findByNameOrId<NetworkRow>(this.db, "networks", nameOrId);
    return r && toNetwork(r);
  }

  setDnsServers(id: string, servers: readonly string[]): void {
    this.changes.network();
    this.db.prepare("UPDATE networks SET dns_servers = ? WHERE id = ?").run(JSON.stringify(servers), id);
  }

  delete(id: string): void {
    this.changes.network();
    this.db.prepare("DELETE FROM networks WHERE id = ?").run(id);
  }

  /** The round-robin IPAM cursor: where the next search for a free address starts. */
  nextIp(id: string): number {
    const r = this.db.prepare("SELECT next_ip FROM networks WHERE id = ?").get(id) as { next_ip: number } | undefined;
    return r?.next_ip ?? 0;
  }

  setNextIp(id: string, ip: number): void {
    this.db.prepare("UPDATE networks SET next_ip = ? WHERE id = ?").run(ip, id);
  }

  /** The IPv6 round-robin cursor (an address text), undefined before the first lease. */
  nextIp6(id: string): string | undefined {
    const r = this.db.prepare("SELECT next_ip6 FROM networks WHERE id = ?").get(id) as { next_ip6: string | null } | undefined;
    return r?.next_ip6 ?? undefined;
  }

  setNextIp6(id: string, ip: string): void {
    this.db.prepare("UPDATE networks SET next_ip6 = ? WHERE id = ?").run(ip, id);
  }
}
