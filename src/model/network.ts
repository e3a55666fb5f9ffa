/** A Berth network as stored and shown by `network inspect`. */
export interface Network {
  readonly id: string;
  readonly name: string;
  readonly driver: NetworkDriver;
  /** Bridge interface on the host (berth0, berth1, ...); for macvlan, the name reserved for the host shim. */
  readonly bridge: string;
  /** IPv4 subnet; undefined for an IPv6-only network. */
  readonly subnet: string | undefined;
  /** IPv4 gateway; undefined for an IPv6-only network. */
  readonly gateway: string | undefined;
  readonly ipRange: string | undefined;
  /** IPv6 subnet (a /64 unless given); undefined for an IPv4-only network. */
  readonly subnet6: string | undefined;
  /** IPv6 gateway on the bridge; undefined for an IPv4-only network. */
  readonly gateway6: string | undefined;
  /** Driver options (`--opt`), e.g. parent and mode of a macvlan network. */
  readonly driverOptions: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly dnsEnabled: boolean;
  /** Isolated networks cannot exchange traffic with other Berth networks. */
  readonly isolate: boolean;
  readonly mtu: number | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly dnsServers: readonly string[];
  readonly created: string;
  /**
   * Set when the network was adopted from another engine's definition
   * (e.g. "podman"): Berth removes it when that engine's last container
   * leaves it. Undefined for networks made by `berth network create`.
   */
  readonly managedBy: string | undefined;
  /**
   * The bridge was on the host before the network named it (`--interface-name`,
   * a CNI `bridge`, Podman's `network_interface`): Berth never deletes it and
   * never changes its addresses. Absent (false) for bridges Berth makes.
   */
  readonly bridgeExternal?: boolean;
}

export type NetworkDriver = "bridge" | "macvlan";

/** The network's cluster CIDRs (`--opt cluster_cidr`, normalized when the network was made): routed to and from it without NAT. */
export function clusterCidrsOf(n: Pick<Network, "driverOptions">): string[] {
  return n.driverOptions["cluster_cidr"]?.split(",") ?? [];
}

/**
 * Whether the network's containers are held to their own MAC and addresses
 * on its bridge (Berth's anti-spoofing filter, on unless `--opt
 * spoof_filter=false`, a CNI `"spoofFilter": false`). macvlan traffic never
 * passes the host, so macvlan networks are not filtered.
 */
export function spoofFilterOf(n: Pick<Network, "driver" | "driverOptions">): boolean {
  return n.driver === "bridge" && n.driverOptions["spoof_filter"] !== "false";
}

/**
 * The network's node CIDRs (`--opt node_cidr`): routed sources let in (other
 * nodes, NodePort traffic SNATed to a node's address); unlike cluster CIDRs,
 * traffic to them is still masqueraded.
 */
export function nodeCidrsOf(n: Pick<Network, "driverOptions">): string[] {
  return n.driverOptions["node_cidr"]?.split(",") ?? [];
}

/**
 * The metric of the default routes through the network (`--opt metric=N`,
 * as netavark's option), or undefined: Berth's own rule, one default route
 * per family through the container's first network, metric 0. A network
 * with a metric gives every container on it its own default routes with
 * that metric, as netavark does, and the kernel picks the lowest.
 */
export function routeMetricOf(n: Pick<Network, "driverOptions">): number | undefined {
  const m = n.driverOptions["metric"];
  return m === undefined ? undefined : Number(m);
}

/** The built-in default network, made on first use. */
export const DEFAULT_NETWORK = {
  name: "berth",
  bridge: "berth0",
  subnet: "10.88.0.0/16",
} as const;

/** Podman's name for the default network in `--network bridge`. */
export const BRIDGE_MODE = "bridge";

/**
 * `isolate=peers` (Podman's `isolate=true`): the network is cut off only
 * from other networks with that option, not from every network as
 * `isolate=true` does. Kept in the bridge's options; `isolate` is then false.
 */
export function isolatesPeersOnly(n: Pick<Network, "driverOptions">): boolean {
  return n.driverOptions["isolate"] === "peers";
}
