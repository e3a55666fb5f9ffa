import { cidrContains, parseCidr4, tryParseIpv4, type Cidr4 } from "../model/ipv4.js";
import { cidr6Contains, formatIpv6, parseCidr6, tryParseIpv6, type Cidr6 } from "../model/ipv6.js";
import type { DnsContainer, DnsZoneSnapshot } from "./zone-snapshot.js";
import type { ZoneDelta } from "./zone-delta.js";

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
  readonly id: string;
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
  /** container id -> what it has on this network */
  readonly members: Map<string, Member>;
  /** each key of `names`, `ptr`, `ptr6` -> the containers that give it (in the order they came) */
  readonly nameHolders: Map<string, Set<string>>;
  readonly ptrHolders: Map<number, Set<string>>;
  readonly ptr6Holders: Map<string, Set<string>>;
}

/** One container on one network, as the zone indexes it. */
interface Member {
  readonly container: DnsContainer;
  readonly ip: number | undefined;
  readonly ip6: string | undefined;
  readonly names: readonly string[];
  readonly fqdns: readonly string[];
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

/** The value under `key`, made with `make` and stored first if there is none. */
function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/** `list` with `x` appended unless it has it (a new array: answers handed out are never changed). */
function withNew<T>(list: readonly T[], x: T | undefined): readonly T[] {
  return x === undefined || list.includes(x) ? list : [...list, x];
}

/** Append `x` to `list` unless it has it (a list nothing has been handed yet). */
function addMissing<T>(list: T[], x: T | undefined): void {
  if (x !== undefined && !list.includes(x)) list.push(x);
}

/** `list` with the items of `more` it lacks appended (a new array when any). */
function withAll<T>(list: readonly T[], more: readonly T[]): readonly T[] {
  const add = more.filter((x, i) => !list.includes(x) && more.indexOf(x) === i);
  return add.length === 0 ? list : [...list, ...add];
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
 * networks. Built from a snapshot, then kept up to date one container at
 * a time (`apply`, with the changes `diffZones` finds), so a container's
 * setup costs the resolver its own names, not the whole zone's. A lookup
 * is a map hit per network of the client. Answers handed out are never
 * changed afterwards: a change replaces them.
 */
export class Zone {
  #gateways: readonly string[] = [];
  #serial: number | undefined;
  /** While #fill builds the zone (before anything of it is handed out). */
  #filling = false;
  readonly #byGateway = new Map<string, NetIndex>();
  readonly #byId = new Map<string, NetIndex>();
  /** client address -> the containers that have it (more than one only with overlapping subnets) */
  readonly #clients = new Map<string, ClientView[]>();
  /** container id -> its networks, and the client view made of them with the addresses it is listed under */
  readonly #memberships = new Map<string, Map<NetIndex, Member>>();
  readonly #views = new Map<string, { readonly view: ClientView; readonly addrs: readonly string[] }>();
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
    this.#filling = true;
    let done = 0;
    for (const n of snapshot.networks) {
      const idx: NetIndex = {
        id: n.id,
        subnet: tryCidr(parseCidr4, n.subnet),
        subnet6: tryCidr(parseCidr6, n.subnet6),
        dnsServers: n.dnsServers,
        internal: n.internal === true,
        names: new Map(),
        ptr: new Map(),
        ptr6: new Map(),
        members: new Map(),
        nameHolders: new Map(),
        ptrHolders: new Map(),
        ptr6Holders: new Map(),
      };
      this.#nets.push(idx);
      if (!this.#byId.has(n.id)) this.#byId.set(n.id, idx);
      for (const g of [n.gateway, n.gateway6]) if (g !== undefined && !this.#byGateway.has(g)) this.#byGateway.set(g, idx);
      for (const c of n.containers) {
        if (++done % slice === 0) yield;
        this.#add(idx, c);
      }
    }
    this.#gateways = [...this.#byGateway.keys()];
    this.#serial = snapshot.serial;
    this.#filling = false;
  }

  /**
   * Apply the changes from the snapshot this zone serves to the next one
   * (`diffZones`). Returns false, changing nothing, when the delta names a
   * network the zone does not have: the caller builds the zone anew.
   */
  apply(delta: ZoneDelta): boolean {
    const known = (id: string) => this.#byId.has(id);
    if (!delta.removed.every((r) => known(r.network)) || !delta.added.every((a) => known(a.network))) return false;
    for (const r of delta.removed) this.#remove(this.#byId.get(r.network)!, r.id);
    for (const a of delta.added) {
      const net = this.#byId.get(a.network)!;
      // a container listed twice: its later record wins, as in a rebuild's client view
      if (net.members.has(a.container.id)) this.#remove(net, a.container.id);
      this.#add(net, a.container);
    }
    this.#serial = delta.serial;
    return true;
  }

  /** Index container `c` on network `net`: its names, reverse names and its client view. */
  #add(net: NetIndex, c: DnsContainer): void {
    const ip = c.ipv4 === undefined ? undefined : tryParseIpv4(c.ipv4);
    const parsed6 = c.ipv6 === undefined ? undefined : tryParseIpv6(c.ipv6);
    const ip6 = parsed6 === undefined ? undefined : formatIpv6(parsed6);
    if (ip === undefined && ip6 === undefined) return;
    if (net.members.has(c.id)) return; // the same id twice on one network: the first record serves
    const m: Member = {
      container: c,
      ip,
      ip6,
      names: namesOf(c),
      fqdns: [c.name, ...c.aliases].map((x) => `${x.replace(/\.$/, "")}.${SEARCH_DOMAIN}`),
    };
    net.members.set(c.id, m);
    for (const key of m.names) {
      getOrAdd(net.nameHolders, key, () => new Set<string>()).add(c.id);
      const old = net.names.get(key);
      if (old !== undefined && this.#filling) {
        // nothing of a zone being built has been handed out yet: grow its lists in place
        // (a new list per holder made a name held by n containers cost n² copies)
        addMissing(old.ips as number[], ip);
        addMissing(old.ips6 as string[], ip6);
        continue;
      }
      net.names.set(key, {
        kind: "local",
        ips: withNew(old?.ips ?? [], ip),
        ips6: withNew(old?.ips6 ?? [], ip6),
      });
    }
    if (ip !== undefined) {
      getOrAdd(net.ptrHolders, ip, () => new Set<string>()).add(c.id);
      net.ptr.set(ip, withAll(net.ptr.get(ip) ?? [], m.fqdns));
    }
    if (ip6 !== undefined) {
      getOrAdd(net.ptr6Holders, ip6, () => new Set<string>()).add(c.id);
      net.ptr6.set(ip6, withAll(net.ptr6.get(ip6) ?? [], m.fqdns));
    }
    getOrAdd(this.#memberships, c.id, () => new Map<NetIndex, Member>()).set(net, m);
    this.#refreshView(c.id);
  }

  /** Take container `id` off network `net`: what only it gave goes, what others give too is recomputed from them. */
  #remove(net: NetIndex, id: string): void {
    const m = net.members.get(id);
    if (!m) return;
    net.members.delete(id);
    const holdersOf = (holders: Set<string> | undefined) => {
      holders?.delete(id);
      return holders === undefined || holders.size === 0 ? [] : [...holders].flatMap((h) => net.members.get(h) ?? []);
    };
    for (const key of m.names) {
      const rest = holdersOf(net.nameHolders.get(key));
      if (rest.length === 0) {
        net.nameHolders.delete(key);
        net.names.delete(key);
        continue;
      }
      const ips = new Set<number>();
      const ips6 = new Set<string>();
      for (const r of rest) {
        if (r.ip !== undefined) ips.add(r.ip);
        if (r.ip6 !== undefined) ips6.add(r.ip6);
      }
      net.names.set(key, { kind: "local", ips: [...ips], ips6: [...ips6] });
    }
    const dropPtr = <K>(ptr: Map<K, readonly string[]>, holders: Map<K, Set<string>>, key: K | undefined) => {
      if (key === undefined) return;
      const rest = holdersOf(holders.get(key));
      if (rest.length === 0) {
        holders.delete(key);
        ptr.delete(key);
      } else ptr.set(key, [...new Set(rest.flatMap((r) => r.fqdns))]);
    };
    dropPtr(net.ptr, net.ptrHolders, m.ip);
    dropPtr(net.ptr6, net.ptr6Holders, m.ip6);
    this.#memberships.get(id)?.delete(net);
    this.#refreshView(id);
  }

  /** Make container `id`'s client view again from the networks it is on now, and list it under its addresses. */
  #refreshView(id: string): void {
    const old = this.#views.get(id);
    if (old) {
      for (const a of old.addrs) {
        const list = this.#clients.get(a);
        if (!list) continue;
        const i = list.indexOf(old.view);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.#clients.delete(a);
      }
      this.#views.delete(id);
    }
    const on = this.#memberships.get(id);
    if (!on || on.size === 0) {
      this.#memberships.delete(id);
      return;
    }
    const nets = [...on.keys()];
    let servers: readonly string[] | undefined;
    const addrs = new Set<string>();
    for (const m of on.values()) {
      if (m.container.dnsServers.length > 0) servers = m.container.dnsServers;
      if (m.container.ipv4 !== undefined) addrs.add(m.container.ipv4);
      if (m.container.ipv6 !== undefined) addrs.add(m.container.ipv6);
    }
    const view: ClientView = { nets, upstreams: servers ?? [...new Set(nets.flatMap((x) => x.dnsServers))], forwards: nets.some((x) => !x.internal) };
    for (const a of addrs) getOrAdd(this.#clients, a, (): ClientView[] => []).push(view);
    this.#views.set(id, { view, addrs: [...addrs] });
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
