import { randomInt } from "node:crypto";
import type { Engine } from "./context.js";
import type { Container } from "../model/container.js";
import { shortId } from "../model/container.js";
import { ANY_FAMILY, ANY_IPV4, ANY_IPV6, type PortMapping, type PortRequest } from "../model/port-spec.js";
import { describeMapping, mapElementOf, samePortMapping, type DnatMapping } from "../firewall/index.js";
import { BerthError } from "../errors.js";
import { hostSocketOn, socketOwner } from "./host-sockets.js";

const RANDOM_FIRST = 40000;
const RANDOM_LAST = 60999;

/**
 * Turn -p requests into mappings and record them, inside store.write(): a
 * host port already published (by any container) or bound by a host process
 * is refused before anything changes, naming who holds it. Host port 0 gets
 * a free random port.
 */
export function reservePorts(engine: Engine, c: Container, requests: readonly PortRequest[]): PortMapping[] {
  const out: PortMapping[] = [];
  const sameFamily = (a: string, b: string) => a.includes(":") === b.includes(":");
  const taken = (m: PortMapping) =>
    out.some((o) => o.proto === m.proto && o.hostPort === m.hostPort && sameFamily(o.hostIp, m.hostIp) && (o.hostIp === m.hostIp || o.hostIp === ANY_IPV4 || m.hostIp === ANY_IPV4 || o.hostIp === ANY_IPV6 || m.hostIp === ANY_IPV6));
  if (requests.length === 0) return out;
  const families = portFamilies(engine, c);
  for (const r of requests) {
    const hostIps = hostAddressesOf(r, families);
    let port = r.hostPort;
    if (port === 0) port = pickRandom(engine, r, hostIps, (cand) => taken(cand)).hostPort;
    for (const hostIp of hostIps) {
      const m: PortMapping = { proto: r.proto, hostIp, hostPort: port, containerPort: r.containerPort };
      if (r.hostPort !== 0) {
        if (taken(m)) {
          throw new BerthError("PORT_IN_USE", `Port ${m.hostPort}/${m.proto} on ${m.hostIp} is given twice`, { hint: "Publish each host port once" });
        }
        checkFree(engine, m);
      }
      engine.store.ports.insert(c.id, m);
      out.push(m);
    }
  }
  return out;
}

/** The address families of the container's first network (the one its ports are DNATed to). */
function portFamilies(engine: Engine, c: Container): { v4: boolean; v6: boolean } {
  const first = c.networks[0];
  const net = first === undefined ? undefined : engine.store.networks.find(first.network);
  // another engine's sandbox has its ports reserved before its networks are adopted: its adapter
  // names each host address from the network's definition (a bare -p is not left to Berth)
  if (!net) return { v4: true, v6: c.managedBy !== undefined };
  if (net.driver === "macvlan") {
    throw new BerthError("INVALID_ARGUMENT", `Cannot publish ports of a container on macvlan network "${net.name}": its traffic does not pass through the host`, {
      hint: "Reach the container at its own address on the parent's segment, or put it on a bridge network first (--network BRIDGENET,MACVLANNET) to publish there",
    });
  }
  return { v4: net.subnet !== undefined, v6: net.subnet6 !== undefined };
}

/** A bare -p publishes on 0.0.0.0 and :: for the families the network has; a given host address must match one. */
function hostAddressesOf(r: PortRequest, families: { v4: boolean; v6: boolean }): string[] {
  if (r.hostIp === ANY_FAMILY) return [...(families.v4 ? [ANY_IPV4] : []), ...(families.v6 ? [ANY_IPV6] : [])];
  const v6 = r.hostIp.includes(":");
  if (v6 ? !families.v6 : !families.v4) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot publish port ${r.containerPort}/${r.proto} on ${r.hostIp}: the container's first network has no IPv${v6 ? 6 : 4} subnet`, {
      hint: v6 ? "Publish on an IPv4 address, or use a network made with --ipv6" : "Publish on an IPv6 address in brackets (-p [::]:8080:80), or leave out the host address",
    });
  }
  return [r.hostIp];
}

function checkFree(engine: Engine, m: PortMapping): void {
  const holder = engine.store.ports.holder(m.proto, m.hostIp, m.hostPort);
  if (holder) {
    const other = engine.store.containers.byId(holder.containerId);
    const name = other?.name ?? shortId(holder.containerId);
    throw new BerthError("PORT_IN_USE", `port ${m.hostPort}/${m.proto} on ${holder.hostIp} is already published by container ${name} (id ${shortId(holder.containerId)})`, {
      hint: `Choose another host port or stop ${name}`,
    });
  }
  const sock = hostSocketOn(m.proto, m.hostIp, m.hostPort);
  if (sock) {
    const owner = socketOwner(sock.inode);
    const who = owner ? `host process ${owner.name} (pid ${owner.pid})` : "a host process";
    throw new BerthError("PORT_IN_USE", `port ${m.hostPort}/${m.proto} on ${sock.address} is already in use by ${who}`, {
      hint: `Choose another host port${owner ? ` or stop ${owner.name} (pid ${owner.pid})` : ""}`,
    });
  }
}

/** One random host port free on every address in `hostIps` (so a bare -p gets the same port for both families). */
function pickRandom(engine: Engine, r: PortRequest, hostIps: readonly string[], takenHere: (m: PortMapping) => boolean): PortMapping {
  for (let i = 0; i < 200; i++) {
    const hostPort = randomInt(RANDOM_FIRST, RANDOM_LAST + 1);
    const clash = hostIps.some((hostIp) => {
      const m: PortMapping = { proto: r.proto, hostIp, hostPort, containerPort: r.containerPort };
      return takenHere(m) || engine.store.ports.holder(m.proto, m.hostIp, m.hostPort) || hostSocketOn(m.proto, m.hostIp, m.hostPort);
    });
    if (clash) continue;
    return { proto: r.proto, hostIp: hostIps[0] ?? ANY_IPV4, hostPort, containerPort: r.containerPort };
  }
  throw new BerthError("PORT_IN_USE", `Cannot find a free host port for ${r.containerPort}/${r.proto}`, { hint: "Give a host port explicitly with -p HOSTPORT:CONTAINERPORT" });
}

/**
 * Publish a running container's ports: map elements in one nft transaction,
 * and hairpin mode on its bridge port so it can reach its own ports through
 * a host address.
 */
export function publishPorts(engine: Engine, c: Container): void {
  const ms = dnatMappings(engine, c);
  if (ms.length === 0) return;
  if (engine.plan) {
    for (const m of ms) {
      const { map, element } = mapElementOf(m);
      engine.plan.add("nft", `add element ${element} to map ${map}`);
    }
    return;
  }
  const first = engine.store.attachments.forContainer(c.id)[0];
  const port = first ? engine.host.linkByName(first.hostVeth) : undefined;
  if (port) engine.host.bridgePortSetHairpin(port.index, true);
  engine.firewall.addPortMappings(ms);
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
  if (engine.plan) {
    for (const m of before) engine.plan.add("nft", `delete element ${mapElementOf(m).element} from map ${mapElementOf(m).map}`);
    for (const m of after) engine.plan.add("nft", `add element ${mapElementOf(m).element} to map ${mapElementOf(m).map}`);
    return;
  }
  if (after.length > 0) {
    const first = engine.store.attachments.forContainer(c.id)[0];
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
  return a.length === b.length && a.every((m, i) => {
    const other = b[i];
    return other !== undefined && samePortMapping(m, other);
  });
}
