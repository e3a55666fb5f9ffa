import type { Engine } from "../context.js";

/** One interface in a namespace, as CNI CHECK compares it. */
export interface NetnsInterfaceState {
  readonly name: string;
  /** "veth", "bridge", ...; undefined for plain devices such as lo. */
  readonly kind: string | undefined;
  readonly mac: string;
  /** Its addresses, both families, as "ip/prefix". */
  readonly addresses: readonly string[];
}

/** One route of a namespace's main table. */
export interface NetnsRouteState {
  /** "10.0.0.0/24"; "0.0.0.0/0" or "::/0" for a default route. */
  readonly dst: string;
  readonly gateway: string | undefined;
  /** The interface it leaves by, when it names one. */
  readonly ifname: string | undefined;
}

/** What a namespace has: its interfaces with their addresses, and its routes. */
export interface NetnsState {
  readonly interfaces: readonly NetnsInterfaceState[];
  readonly routes: readonly NetnsRouteState[];
}

/**
 * Read the namespace at `netnsPath` (a sandbox's, for CNI CHECK): every
 * link with its IPv4 and IPv6 addresses, and the main table's routes of both
 * families. Changes nothing; NETNS_NOT_FOUND when the namespace is gone.
 */
export function readNetnsState(engine: Engine, netnsPath: string): NetnsState {
  const h = engine.kernel.open(netnsPath);
  try {
    const links = h.linkList();
    const nameOf = new Map(links.map((l) => [l.index, l.name]));
    const interfaces = links.map((l) => ({
      name: l.name,
      kind: l.kind,
      mac: l.mac,
      addresses: [...h.addrList(l.index), ...h.addrList6(l.index)].map((a) => `${a.ip}/${a.prefix}`),
    }));
    const routes = [...h.routeList().map((r) => ({ ...r, dst: r.dst ?? "0.0.0.0/0" })), ...h.routeList6().map((r) => ({ ...r, dst: r.dst ?? "::/0" }))].map(
      (r) => ({ dst: r.dst, gateway: r.gateway, ifname: r.ifindex === undefined ? undefined : nameOf.get(r.ifindex) }),
    );
    return { interfaces, routes };
  } finally {
    h.close();
  }
}
