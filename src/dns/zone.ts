import { cidrContains, parseCidr4, tryParseIpv4, type Cidr4 } from "../model/ipv4.js";
import { cidr6Contains, formatIpv6, parseCidr6, tryParseIpv6, type Cidr6 } from "../model/ipv6.js";
import type { DnsZoneSnapshot } from "./zone-snapshot.js";

/** The search domain containers get in resolv.conf; every name is also served under it. */
export const SEARCH_DOMAIN = "dns.berth";
/** Podman's search domain (netavark returns it): names are served under it too, for Podman's containers. */
export const PODMAN_DOMAIN = "dns.podman";
/** Every name is served bare and under each of these. */
export const SERVED_DOMAINS: readonly string[] = [SEARCH_DOMAIN, PODMAN_DOMAIN];

/** Whether `name` (lowercased, no trailing dot) is one of the served domains or under one. */
export function inServedDomain(name: string): boolean {
  return SERVED_DOMAINS.some((d) => name === d || name.endsWith(`.${d}`));
}

/** A name the client may see: its addresses on the networks it shares with the client (maybe none, for NODATA). */
export interface LocalAnswer {
  readonly kind: "local";
  /** IPv4 addresses (A records). */
  readonly ips: readonly number[];
  /** IPv6 addresses in canonical text (AAAA records). */
  readonly ips6: readonly string[];
}
export interface PtrAnswer {
  readonly kind: "ptr";
  readonly names: readonly string[];
}
export interface NxDomain {
  readonly kind: "nxdomain";
}
export interface Forward {
  readonly kind: "forward";
}
/** A name the zone does not own, asked by a client that may not go outside (all its networks are internal). */
export interface Refused {
  readonly kind: "refused";
}

export const NXDOMAIN: NxDomain = { kind: "nxdomain" };
export const FORWARD: Forward = { kind: "forward" };
export const REFUSED: Refused = { kind: "refused" };

interface NetIndex {
  readonly subnet: Cidr4 | undefined;
  readonly subnet6: Cidr6 | undefined;
  readonly dnsServers: readonly string[];
  readonly internal: boolean;
  /** lowercased name, alias, short id, each bare and under dns.berth -> addresses on this network */
  readonly names: Map<string, LocalAnswer>;
  /** address -> FQDNs of the container that has it */
  readonly ptr: Map<number, readonly string[]>;
  /** IPv6 address (canonical text) -> FQDNs of the container that has it */
  readonly ptr6: Map<string, readonly string[]>;
}

/** A container seen as a client: every network it is on, and where its forwarded queries go. */
interface ClientView {
  readonly nets: readonly NetIndex[];
  readonly upstreams: readonly string[];
  /** False when every network of the container is internal: nothing is forwarded for it (DNS would be its way out). */
  readonly forwards: boolean;
}

function namesOf(c: { id: string; name: string; aliases: readonly string[] }): string[] {
  const bare = [c.name, ...c.aliases];
  // the 12-character short id, for ids that are hex like Berth's and Podman's (a CNI runtime's may be any word)
  if (/^[0-9a-f]{12,}$/.test(c.id)) bare.push(c.id.slice(0, 12));
  const names = new Set<string>();
  for (const b of bare) {
    const n = b.toLowerCase().replace(/\.$/, "");
    names.add(n);
    for (const d of SERVED_DOMAINS) names.add(`${n}.${d}`);
  }
  return [...names];
}

/** An answer being built: the zone adds to it while it is built and never after. */
interface AnswerInProgress {
  readonly kind: "local";
  readonly ips: number[];
  readonly ips6: string[];
}

/** The value under `key`, made with `make` and stored first if there is none. */
function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** Append `x` unless `list` has it. */
function pushNew<T>(list: T[], x: T): void {
  if (!list.includes(x)) list.push(x);
}

function add(map: Map<string, AnswerInProgress>, key: string, ip: number | undefined, ip6: string | undefined): void {
  const e = getOrAdd(map, key, (): AnswerInProgress => ({ kind: "local", ips: [], ips6: [] }));
  if (ip !== undefined) pushNew(e.ips, ip);
  if (ip6 !== undefined) pushNew(e.ips6, ip6);
}

/** Append the items of `more` that the list under `key` lacks. */
function addAll<T>(map: Map<T, string[]>, key: T, more: readonly string[]): void {
  const list = getOrAdd(map, key, (): string[] => []);
  for (const x of more) pushNew(list, x);
}

function tryCidr<T>(parse: (s: string) => T, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return parse(text);
  } catch {
    return undefined;
  }
}

/** Zone's constructor argument for "leave it empty: inSlices() fills it". */
const FILLED_IN_SLICES = Symbol("filled in slices");

/**
 * The names a client container may resolve: only containers that share a
 * network with it, by name, alias or 12-hex short id, bare or under
 * dns.berth, case-insensitively, with their addresses on the shared
 * networks. Built once per snapshot (immutable; the daemon swaps whole
 * zones), so a lookup is a map hit per network of the client.
 */
export class Zone {
  #gateways: readonly string[] = [];
  #serial: number | undefined;
  readonly #byGateway = new Map<string, NetIndex>();
  /** client address -> the containers that have it (more than one only with overlapping subnets) */
  readonly #clients = new Map<string, ClientView[]>();
  readonly #nets: NetIndex[] = [];

  constructor(snapshot: DnsZoneSnapshot, filledInSlices?: typeof FILLED_IN_SLICES) {
    if (filledInSlices === FILLED_IN_SLICES) return;
    for (const _ of this.#fill(snapshot, Infinity)) {
      // all at once
    }
  }

  /**
   * Build the zone a slice at a time: each next() adds up to `slice`
   * containers, and the last returns the zone. The resolver's UDP thread
   * builds a new zone between batches of queries this way, answering from
   * the old one meanwhile (1,000 containers take 30-60 ms in one go).
   */
  static *inSlices(snapshot: DnsZoneSnapshot, slice = 32): Generator<void, Zone, void> {
    const zone = new Zone(snapshot, FILLED_IN_SLICES);
    yield* zone.#fill(snapshot, slice);
    return zone;
  }

  /** The gateways of the zone's networks (where the resolver listens). */
  get gateways(): readonly string[] {
    return this.#gateways;
  }

  /** The snapshot's serial (see DnsZoneSnapshot). */
  get serial(): number | undefined {
    return this.#serial;
  }

  *#fill(snapshot: DnsZoneSnapshot, slice: number): Generator<void, void, void> {
    let done = 0;
    const netsOf = new Map<string, NetIndex[]>();
    const serversOf = new Map<string, readonly string[]>();
    for (const n of snapshot.networks) {
      const names = new Map<string, AnswerInProgress>();
      const ptr = new Map<number, string[]>();
      const ptr6 = new Map<string, string[]>();
      const idx: NetIndex = {
        subnet: tryCidr(parseCidr4, n.subnet),
        subnet6: tryCidr(parseCidr6, n.subnet6),
        dnsServers: n.dnsServers,
        internal: n.internal === true,
        names,
        ptr,
        ptr6,
      };
      for (const c of n.containers) {
        if (++done % slice === 0) yield;
        const ip = c.ipv4 === undefined ? undefined : tryParseIpv4(c.ipv4);
        const parsed6 = c.ipv6 === undefined ? undefined : tryParseIpv6(c.ipv6);
        const ip6 = parsed6 === undefined ? undefined : formatIpv6(parsed6);
        if (ip === undefined && ip6 === undefined) continue;
        for (const key of namesOf(c)) add(names, key, ip, ip6);
        const fqdns = [c.name, ...c.aliases].map((x) => `${x.replace(/\.$/, "")}.${SEARCH_DOMAIN}`);
        if (ip !== undefined) addAll(ptr, ip, fqdns);
        if (ip6 !== undefined) addAll(ptr6, ip6, fqdns);
        getOrAdd(netsOf, c.id, (): NetIndex[] => []).push(idx);
        if (c.dnsServers.length > 0) serversOf.set(c.id, c.dnsServers);
      }
      this.#nets.push(idx);
      for (const g of [n.gateway, n.gateway6]) if (g !== undefined && !this.#byGateway.has(g)) this.#byGateway.set(g, idx);
    }
    for (const n of snapshot.networks) {
      for (const c of n.containers) {
        if (++done % slice === 0) yield;
        const nets = netsOf.get(c.id) ?? [];
        const fromNets = [...new Set(nets.flatMap((x) => x.dnsServers))];
        const view: ClientView = { nets, upstreams: serversOf.get(c.id) ?? fromNets, forwards: nets.some((x) => !x.internal) };
        for (const addr of [c.ipv4, c.ipv6]) {
          if (addr === undefined) continue;
          const list = getOrAdd(this.#clients, addr, (): ClientView[] => []);
          if (!list.some((v) => v.nets === nets)) list.push(view);
        }
      }
    }
    this.#gateways = [...this.#byGateway.keys()];
    this.#serial = snapshot.serial;
  }

  /** Whether `clientIp` is a container on the network whose gateway (IPv4 or IPv6) is `gateway`. */
  isMember(clientIp: string, gateway: string): boolean {
    const net = this.#byGateway.get(gateway);
    return net !== undefined && (this.#clients.get(clientIp)?.some((v) => v.nets.includes(net)) ?? false);
  }

  /** Whether `ip` is the address of a container in the zone (only those are served). */
  knowsClient(ip: string): boolean {
    return this.#clients.has(ip);
  }

  get empty(): boolean {
    return this.#nets.length === 0;
  }

  /** The container behind `clientIp`, preferring the one on the network whose gateway got the query. */
  #client(clientIp: string, gateway: string): ClientView | undefined {
    const list = this.#clients.get(clientIp);
    if (!list) return undefined;
    if (list.length === 1) return list[0];
    const net = this.#byGateway.get(gateway);
    return list.find((v) => net !== undefined && v.nets.includes(net)) ?? list[0];
  }

  /** Networks of the client, the one the query arrived on first (its addresses are the directly reachable ones). */
  #netsFor(view: ClientView, gateway: string): readonly NetIndex[] {
    const first = this.#byGateway.get(gateway);
    if (view.nets.length < 2 || first === undefined || view.nets[0] === first || !view.nets.includes(first)) return view.nets;
    return [first, ...view.nets.filter((n) => n !== first)];
  }

  /**
   * Whether a query the zone cannot answer may go upstream for this client:
   * not when all its networks are internal (query names would carry data
   * out of a network that has no way out, and answers back in).
   */
  mayForward(clientIp: string, gateway: string): boolean {
    return this.#client(clientIp, gateway)?.forwards ?? true;
  }

  /** FORWARD, or REFUSED for a client that may not go outside. */
  #outside(clientIp: string, gateway: string): Forward | Refused {
    return this.mayForward(clientIp, gateway) ? FORWARD : REFUSED;
  }

  /**
   * Resolve `name` (lowercased, no trailing dot) for the client at
   * `clientIp` that asked the resolver at `gateway`: its addresses when it
   * is a name on one of the client's networks; NXDOMAIN for other names
   * under dns.berth and dns.podman; anything else goes upstream (REFUSED
   * for a client on internal networks only). A name known only on other
   * networks is treated as any outside name, so a container learns nothing
   * about networks it is not on, and an alias that is a real domain on one
   * network does not hide that domain from the others.
   */
  lookupName(clientIp: string, gateway: string, name: string): LocalAnswer | NxDomain | Forward | Refused {
    const view = this.#client(clientIp, gateway);
    if (view) {
      const nets = view.nets;
      if (nets.length === 1) {
        const hit = nets[0]!.names.get(name);
        if (hit) return hit;
      } else {
        let merged: { ips: number[]; ips6: string[] } | undefined;
        for (const n of this.#netsFor(view, gateway)) {
          const hit = n.names.get(name);
          if (!hit) continue;
          merged ??= { ips: [], ips6: [] };
          for (const ip of hit.ips) if (!merged.ips.includes(ip)) merged.ips.push(ip);
          for (const ip of hit.ips6) if (!merged.ips6.includes(ip)) merged.ips6.push(ip);
        }
        if (merged) return { kind: "local", ...merged };
      }
    }
    if (inServedDomain(name)) return NXDOMAIN;
    return this.#outside(clientIp, gateway);
  }

  /** Reverse lookup of `ip`: names of a container sharing a network with the client; NXDOMAIN for other addresses in our subnets. */
  lookupAddress(clientIp: string, gateway: string, ip: number): PtrAnswer | NxDomain | Forward | Refused {
    const view = this.#client(clientIp, gateway);
    if (view) {
      const names: string[] = [];
      for (const n of this.#netsFor(view, gateway)) for (const x of n.ptr.get(ip) ?? []) if (!names.includes(x)) names.push(x);
      if (names.length > 0) return { kind: "ptr", names };
    }
    return this.#nets.some((n) => n.subnet !== undefined && cidrContains(n.subnet, ip)) ? NXDOMAIN : this.#outside(clientIp, gateway);
  }

  /** Reverse lookup of an IPv6 address (canonical text), as lookupAddress. */
  lookupAddress6(clientIp: string, gateway: string, ip6: string): PtrAnswer | NxDomain | Forward | Refused {
    const view = this.#client(clientIp, gateway);
    if (view) {
      const names: string[] = [];
      for (const n of this.#netsFor(view, gateway)) for (const x of n.ptr6.get(ip6) ?? []) if (!names.includes(x)) names.push(x);
      if (names.length > 0) return { kind: "ptr", names };
    }
    const ip = tryParseIpv6(ip6);
    return ip !== undefined && this.#nets.some((n) => n.subnet6 !== undefined && cidr6Contains(n.subnet6, ip)) ? NXDOMAIN : this.#outside(clientIp, gateway);
  }

  /** Where the client's other queries go: its --dns servers, else its networks' --dns servers; empty means the host's. */
  upstreamsFor(clientIp: string, gateway: string): readonly string[] {
    const view = this.#client(clientIp, gateway);
    if (view) return view.upstreams;
    return this.#byGateway.get(gateway)?.dnsServers ?? [];
  }
}

/** "4.3.2.1.in-addr.arpa" (lowercased, no trailing dot) -> 1.2.3.4 as a number; undefined for any other name. */
export function reverseNameToIpv4(name: string): number | undefined {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.in-addr\.arpa$/.exec(name);
  if (!m) return undefined;
  const [, a = "", b = "", c = "", d = ""] = m;
  return tryParseIpv4(`${d}.${c}.${b}.${a}`);
}

/** "b.a.9.8....ip6.arpa" (32 nibbles, lowercased, no trailing dot) -> the IPv6 address in canonical text; undefined for any other name. */
export function reverseNameToIpv6(name: string): string | undefined {
  const m = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(name);
  if (!m) return undefined;
  const nibbles = (m[1] ?? "")
    .split(".")
    .filter((x) => x !== "")
    .reverse()
    .join("");
  return formatIpv6(BigInt(`0x${nibbles}`));
}
