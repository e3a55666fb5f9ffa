import { randomInt } from "node:crypto";
import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Container } from "../../model/container.js";
import { shortId } from "../../model/container.js";
import { ANY_FAMILY, ANY_IPV4, ANY_IPV6, type PortMapping, type PortRequest } from "../../model/port-spec.js";
import { describeMapping, samePortMapping, type DnatMapping } from "../../firewall/index.js";
import { BerthError } from "../../errors.js";
import { localnetForPorts } from "../network/bridge.js";
import { HostPortSnapshot, type SocketOwner } from "./host-port-snapshot.js";
import type { StoredPort } from "../../store/port-rows.js";

const RANDOM_FIRST = 40000;
const RANDOM_LAST = 60999;

/**
 * At most this many host ports (after ranges, protocols and address
 * families are expanded) in one request. Every port is a row in the store
 * and an element in an nft map, written while the store's write lock is
 * held; a cap keeps one request from holding every other berth process
 * (and every other Podman or CNI call) up for long. 32,768 (half the port
 * space of a protocol) is far more than any range published in practice
 * (RTP/media servers use 10,000-20,000) and, at the rate bench/ports.ts
 * measures, keeps the lock to seconds.
 */
export const MAX_PORTS_PER_REQUEST = 32_768;

export interface ReserveOptions {
  /** The host's sockets, read before the store's write lock was taken; read here if absent. */
  readonly hostPorts?: HostPortSnapshot;
  /** A host socket whose owner passes this is the container's own (Podman's conmon holding its ports): no conflict. */
  readonly ownHolder?: (owner: SocketOwner) => boolean;
}

/** Ports one request publishes once ranges, protocols and families are expanded (a bare -p counts each family). */
export function checkPortCount(count: number): void {
  if (count > MAX_PORTS_PER_REQUEST) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot publish ${count} host ports in one request: at most ${MAX_PORTS_PER_REQUEST} are allowed`, {
      hint: `Publish a smaller range (ranges count once per protocol and per address family), or split it across containers`,
    });
  }
}

/**
 * Turn -p requests into mappings and record them, inside store.write(): a
 * host port already published (by any container) or bound by a host process
 * is refused before anything changes, naming who holds it. Host port 0 gets
 * a free random port. A mapping the container already has is kept and not
 * returned (a caller may send all of a container's ports again, as Podman
 * does on `network connect`). The socket tables and the store's ports are
 * each read once per call.
 */
export function reservePorts(engine: Engine, c: Container, requests: readonly PortRequest[], opts: ReserveOptions = {}): PortMapping[] {
  const out: PortMapping[] = [];
  if (requests.length === 0) return out;
  const families = portFamilies(engine, c);
  const expanded = requests.reduce((n, r) => n + (r.hostIp === ANY_FAMILY ? Number(families.v4) + Number(families.v6) : 1), 0);
  checkPortCount(expanded);
  const hostPorts = opts.hostPorts ?? HostPortSnapshot.read();
  const published = new PublishedPorts(engine.store.ports.all());
  const own = new Set(published.ofContainer(c.id).map(mappingKey));
  for (const r of requests) {
    const hostIps = hostAddressesOf(r, families);
    let port = r.hostPort;
    if (port === 0) port = pickRandom(r, hostIps, published, hostPorts).hostPort;
    for (const hostIp of hostIps) {
      const m: PortMapping = { proto: r.proto, hostIp, hostPort: port, containerPort: r.containerPort };
      if (r.hostPort !== 0) {
        if (own.has(mappingKey(m))) continue;
        const clash = published.holder(m);
        if (clash && clash.containerId === c.id && out.some((o) => samePort(o, clash))) {
          throw new BerthError("PORT_IN_USE", `Port ${m.hostPort}/${m.proto} on ${m.hostIp} is given twice`, { hint: "Publish each host port once" });
        }
        if (clash) throw publishedBy(engine, m, clash);
        checkNoHostSocket(m, hostPorts, opts.ownHolder);
      }
      engine.store.ports.insert(c.id, m);
      published.add({ ...m, containerId: c.id });
      out.push(m);
    }
  }
  return out;
}

function mappingKey(m: PortMapping): string {
  return `${m.proto} ${m.hostIp} ${m.hostPort} ${m.containerPort}`;
}

function samePort(a: Pick<PortMapping, "proto" | "hostIp" | "hostPort">, b: Pick<PortMapping, "proto" | "hostIp" | "hostPort">): boolean {
  return a.proto === b.proto && a.hostIp === b.hostIp && a.hostPort === b.hostPort;
}

/** The store's published ports indexed by (proto, port), with 0.0.0.0 and :: counting as every address of their family. */
class PublishedPorts {
  readonly #byPort = new Map<string, StoredPort[]>();

  constructor(rows: readonly StoredPort[]) {
    for (const r of rows) this.add(r);
  }

  add(p: StoredPort): void {
    const k = `${p.proto} ${p.hostPort}`;
    const list = this.#byPort.get(k);
    if (list) list.push(p);
    else this.#byPort.set(k, [p]);
  }

  ofContainer(id: string): StoredPort[] {
    return [...this.#byPort.values()].flat().filter((p) => p.containerId === id);
  }

  holder(m: Pick<PortMapping, "proto" | "hostIp" | "hostPort">): StoredPort | undefined {
    const v6 = m.hostIp.includes(":");
    const any = v6 ? ANY_IPV6 : ANY_IPV4;
    return (this.#byPort.get(`${m.proto} ${m.hostPort}`) ?? []).find(
      (x) => x.hostIp.includes(":") === v6 && (x.hostIp === m.hostIp || x.hostIp === any || m.hostIp === any),
    );
  }
}

/** The address families of the container's first network (the one its ports are DNATed to). */
function portFamilies(engine: Engine, c: Container): { v4: boolean; v6: boolean } {
  const first = c.networks[0];
  const net = first === undefined ? undefined : engine.store.networks.find(first.network);
  // another engine's sandbox has its ports reserved before its networks are adopted: its adapter
  // names each host address from the network's definition (a bare -p is not left to Berth)
  if (!net) return { v4: true, v6: c.managedBy !== undefined };
  if (!driverOf(net).throughHost) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `Cannot publish ports of a container on ${net.driver} network "${net.name}": its traffic does not pass through the host`,
      {
        hint: "Reach the container at its own address on the parent's segment, or put it on a bridge network first (--network BRIDGENET,MACVLANNET) to publish there",
      },
    );
  }
  return { v4: net.subnet !== undefined, v6: net.subnet6 !== undefined };
}

/** A bare -p publishes on 0.0.0.0 and :: for the families the network has; a given host address must match one. */
function hostAddressesOf(r: PortRequest, families: { v4: boolean; v6: boolean }): string[] {
  if (r.hostIp === ANY_FAMILY) return [...(families.v4 ? [ANY_IPV4] : []), ...(families.v6 ? [ANY_IPV6] : [])];
  const v6 = r.hostIp.includes(":");
  if (v6 ? !families.v6 : !families.v4) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `Cannot publish port ${r.containerPort}/${r.proto} on ${r.hostIp}: the container's first network has no IPv${v6 ? 6 : 4} subnet`,
      {
        hint: v6
          ? "Publish on an IPv4 address, or use a network made with --ipv6"
          : "Publish on an IPv6 address in brackets (-p [::]:8080:80), or leave out the host address",
      },
    );
  }
  return [r.hostIp];
}

function publishedBy(engine: Engine, m: PortMapping, holder: StoredPort): BerthError {
  const other = engine.store.containers.byId(holder.containerId);
  const name = other?.name ?? shortId(holder.containerId);
  return new BerthError(
    "PORT_IN_USE",
    `port ${m.hostPort}/${m.proto} on ${holder.hostIp} is already published by container ${name} (id ${shortId(holder.containerId)})`,
    {
      hint: `Choose another host port or stop ${name}`,
    },
  );
}

/** Refuse a host port a host process has bound, unless that process is the container's own holder. */
function checkNoHostSocket(m: PortMapping, hostPorts: HostPortSnapshot, ownHolder: ReserveOptions["ownHolder"]): void {
  for (const sock of hostPorts.clashes(m.proto, m.hostIp, m.hostPort)) {
    const owner = hostPorts.ownerOf(sock.inode);
    if (owner && ownHolder?.(owner)) continue;
    const who = owner ? `host process ${owner.name} (pid ${owner.pid})` : "a host process";
    throw new BerthError("PORT_IN_USE", `port ${m.hostPort}/${m.proto} on ${sock.address} is already in use by ${who}`, {
      hint: `Choose another host port${owner ? ` or stop ${owner.name} (pid ${owner.pid})` : ""}`,
    });
  }
}

/** One random host port free on every address in `hostIps` (so a bare -p gets the same port for both families). */
function pickRandom(r: PortRequest, hostIps: readonly string[], published: PublishedPorts, hostPorts: HostPortSnapshot): PortMapping {
  for (let i = 0; i < 200; i++) {
    const hostPort = randomInt(RANDOM_FIRST, RANDOM_LAST + 1);
    const clash = hostPorts.anyOn(r.proto, hostPort) || hostIps.some((hostIp) => published.holder({ proto: r.proto, hostIp, hostPort }));
    if (clash) continue;
    return { proto: r.proto, hostIp: hostIps[0] ?? ANY_IPV4, hostPort, containerPort: r.containerPort };
  }
  throw new BerthError("PORT_IN_USE", `Cannot find a free host port for ${r.containerPort}/${r.proto}`, {
    hint: "Give a host port explicitly with -p HOSTPORT:CONTAINERPORT",
  });
}

/**
 * Publish a running container's ports: map elements in one nft transaction,
 * and hairpin mode on its bridge port so it can reach its own ports through
 * a host address.
 */
export function publishPorts(engine: Engine, c: Container): void {
  const ms = dnatMappings(engine, c);
  if (ms.length === 0) return;
  const first = engine.store.attachments.forContainer(c.id)[0];
  if (first) localnetOf(engine, first.networkId);
  const port = first ? engine.host.linkByName(first.hostVeth) : undefined;
  if (port) engine.host.bridgePortSetHairpin(port.index, true);
  engine.firewall.addPortMappings(ms);
}

/** route_localnet on the bridge of a container's first network, before its ports are published there. */
export function localnetOf(engine: Engine, networkId: string): void {
  const net = engine.store.networks.byId(networkId);
  if (net !== undefined && net.driver === "bridge") localnetForPorts(engine, net.bridge);
}

/** The kernel side of a container's published ports: DNAT to its address of the same family on its first network. */
export function dnatMappings(engine: Engine, c: Container): DnatMapping[] {
  const first = engine.store.attachments.forContainer(c.id)[0];
  if (!first) return [];
  return engine.store.ports.forContainer(c.id).flatMap((p) => {
    const containerIp = p.hostIp.includes(":") ? first.ip6 : first.ip;
    return containerIp === undefined ? [] : [{ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp, containerPort: p.containerPort }];
  });
}

/**
 * A container's ports follow its first network. When a connect or
 * disconnect changes which attachment is first (or leaves none), move its
 * map elements to the new address (or remove them), in one nft
 * transaction, and give the new first bridge port hairpin mode. Call inside
 * the store.write() that changed the attachments, with the mappings from
 * before the change: no other berth process can lease the old address
 * while the map still points at it.
 */
export function followFirstNetwork(engine: Engine, c: Container, before: readonly DnatMapping[]): void {
  const after = dnatMappings(engine, c);
  if (sameMappings(before, after)) return;
  if (after.length > 0) {
    const first = engine.store.attachments.forContainer(c.id)[0];
    if (first) localnetOf(engine, first.networkId);
    const port = first ? engine.host.linkByName(first.hostVeth) : undefined;
    if (port) engine.host.bridgePortSetHairpin(port.index, true);
  }
  try {
    engine.firewall.replacePortMappings(before, after);
  } catch (e) {
    throw new BerthError("FIREWALL", `Cannot move the published ports of container "${c.name}" (${before.concat(after).map(describeMapping).join(", ")})`, {
      hint: "Run `berth system reconcile` to re-apply every published port",
      cause: e,
    });
  }
}

function sameMappings(a: readonly DnatMapping[], b: readonly DnatMapping[]): boolean {
  return (
    a.length === b.length &&
    a.every((m, i) => {
      const other = b[i];
      return other !== undefined && samePortMapping(m, other);
    })
  );
}
