/** The snapshot the engine publishes (zone.json): DNS-enabled networks with their containers. */
export interface DnsZoneSnapshot {
  readonly version: 1;
  readonly networks: readonly DnsNetwork[];
}

export interface DnsNetwork {
  readonly id: string;
  readonly name: string;
  /** Where the resolver listens for this network. */
  readonly gateway: string;
  readonly subnet: string;
  readonly dnsServers: readonly string[];
  readonly containers: readonly DnsContainer[];
}

export interface DnsContainer {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  readonly ipv4: string;
  readonly dnsServers: readonly string[];
}

export const SEARCH_DOMAIN = "dns.berth";

export type Lookup =
  | { readonly kind: "answer"; readonly ips: readonly string[] }
  | { readonly kind: "ptr"; readonly names: readonly string[] }
  | { readonly kind: "nxdomain" }
  | { readonly kind: "forward"; readonly upstreams: readonly string[] };

/**
 * Names as a client container sees them: only containers that share a
 * network with the client, by name, alias or 12-hex short id, bare or under
 * dns.berth, case-insensitively.
 */
export class Zone {
  readonly #networks: readonly DnsNetwork[];
  /** client address -> every network of the container that has that address */
  readonly #clientNets = new Map<string, DnsNetwork[]>();

  constructor(snapshot: DnsZoneSnapshot) {
    this.#networks = snapshot.networks;
    const netsOf = new Map<string, DnsNetwork[]>();
    for (const n of snapshot.networks) for (const c of n.containers) netsOf.set(c.id, [...(netsOf.get(c.id) ?? []), n]);
    for (const n of snapshot.networks) for (const c of n.containers) this.#clientNets.set(c.ipv4, netsOf.get(c.id) ?? []);
  }

  get gateways(): string[] {
    return [...new Set(this.#networks.map((n) => n.gateway))];
  }

  get empty(): boolean {
    return this.#networks.length === 0;
  }

  /** Answer `qname` (type A or PTR) for the client at `clientIp`. */
  lookup(clientIp: string, qname: string, qtype: "A" | "PTR" | "OTHER"): Lookup {
    const nets = this.#clientNets.get(clientIp) ?? [];
    const name = qname.toLowerCase().replace(/\.$/, "");
    const client = nets.flatMap((n) => n.containers).find((c) => c.ipv4 === clientIp);
    const upstreams = [...(client?.dnsServers ?? []), ...nets.flatMap((n) => n.dnsServers)];
    if (qtype === "PTR") {
      const m = /^([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)\.in-addr\.arpa$/.exec(name);
      if (m) {
        const ip = `${m[4]}.${m[3]}.${m[2]}.${m[1]}`;
        const names = nets.flatMap((n) => n.containers.filter((c) => c.ipv4 === ip).map((c) => `${c.name}.${SEARCH_DOMAIN}`));
        if (names.length > 0) return { kind: "ptr", names };
      }
      return { kind: "forward", upstreams };
    }
    const bare = name.endsWith(`.${SEARCH_DOMAIN}`) ? name.slice(0, -SEARCH_DOMAIN.length - 1) : name;
    const ips: string[] = [];
    for (const n of nets) {
      for (const c of n.containers) {
        if (c.name.toLowerCase() === bare || c.id.slice(0, 12) === bare || c.aliases.some((a) => a.toLowerCase() === bare)) ips.push(c.ipv4);
      }
    }
    if (ips.length > 0) return qtype === "A" ? { kind: "answer", ips } : { kind: "answer", ips: [] };
    if (name.endsWith(`.${SEARCH_DOMAIN}`) || name === SEARCH_DOMAIN || (!name.includes(".") && this.#knownAnywhere(bare))) return { kind: "nxdomain" };
    return { kind: "forward", upstreams };
  }

  /** A name that exists on some other network: answer NXDOMAIN rather than leak it upstream. */
  #knownAnywhere(bare: string): boolean {
    return this.#networks.some((n) => n.containers.some((c) => c.name.toLowerCase() === bare || c.aliases.some((a) => a.toLowerCase() === bare)));
  }
}
