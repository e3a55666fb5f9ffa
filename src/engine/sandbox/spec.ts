import type { PortRequest } from "../../model/port-spec.js";

/**
 * The engine API for sandboxes owned by another engine (Podman through the
 * netavark protocol, a CNI runtime): that engine owns the container and its
 * network namespace, Berth builds the container's networking in it. These
 * types are adapter-neutral: an adapter translates its wire format into them.
 */

/** A network as the other engine defines it; Berth adopts it (see adopt-network.ts). */
export interface SandboxNetworkDefinition {
  readonly name: string;
  /** "bridge" (the default) or "macvlan". */
  readonly driver?: "bridge" | "macvlan";
  /** Host bridge interface name (e.g. podman1); for macvlan, the parent interface. */
  readonly bridge: string;
  /** IPv4 subnet in CIDR notation; absent for an IPv6-only network or one without addresses. */
  readonly subnet?: string;
  /** The IPv4 gateway (given with `subnet`). */
  readonly gateway?: string;
  /** IPv6 subnet in CIDR notation (a dual-stack or IPv6-only network). */
  readonly subnet6?: string;
  /** The IPv6 gateway (given with `subnet6`). */
  readonly gateway6?: string;
  /** No subnet at all: containers get an interface without addresses or routes (Podman's `--ipam-driver none`). */
  readonly noAddresses?: boolean;
  /** The metric of the default routes through this network (netavark's `metric`). */
  readonly metric?: number;
  /** macvlan mode: bridge, private, vepa, passthru or source. */
  readonly macvlanMode?: string;
  readonly internal: boolean;
  readonly dnsEnabled: boolean;
  /** Whether the network is cut off from other Berth networks; "peers": only from other "peers" networks (Podman's isolate=true). */
  readonly isolate: boolean | "peers";
  readonly mtu?: number;
  /** Upstream DNS servers for the network's containers (empty: the host's). */
  readonly dnsServers?: readonly string[];
  /** CIDRs routed to and from the subnet without NAT (a cluster's pod CIDR); see `--opt cluster_cidr`. */
  readonly clusterCidrs?: readonly string[];
  /** The nodes' own CIDRs, let in but masqueraded going out; see `--opt node_cidr`. */
  readonly nodeCidrs?: readonly string[];
  /** false: the bridge ports are not held to their container's MAC and addresses; see `--opt spoof_filter`. @default true */
  readonly spoofFilter?: boolean;
}

/** One network the sandbox joins. */
export interface SandboxNetworkRequest {
  /** A Berth network by name or id, or a definition to adopt. */
  readonly network: string | SandboxNetworkDefinition;
  /** Interface name inside the sandbox (default: the next free ethN). */
  readonly ifname?: string;
  /** A static IPv4 address; absent: Berth's IPAM picks one. */
  readonly ip?: string;
  /** A static IPv6 address; absent: Berth's IPAM picks one (when the network has IPv6). */
  readonly ip6?: string;
  /** A static MAC address; absent: a random one. */
  readonly mac?: string;
  /** Extra DNS names for the container on this network. */
  readonly aliases?: readonly string[];
  /**
   * Hairpin mode on the sandbox's bridge port, so a DNAT done by someone
   * else (a chained `portmap`, kube-proxy) can send its packets back to it.
   * Berth's own published ports turn it on for the first network anyway.
   */
  readonly hairpin?: boolean;
  /**
   * For an owner that moves the interface itself (Docker, see handover.ts):
   * the name of the container end, made in the host's namespace. Required
   * for such owners, refused for others.
   */
  readonly handoverName?: string;
}

export interface SandboxAttachSpec {
  /** Who owns the sandbox, a short lowercase word: "podman", "cni". */
  readonly managedBy: string;
  /** The owner's container id: letters, digits, "_", ".", "-" (at most 128). */
  readonly id: string;
  /** The container's name, served by Berth's resolver. */
  readonly name: string;
  /**
   * The name is a label, not an identity (CNI: a pod re-created under the
   * same name is a new sandbox while the old one may still be torn down):
   * when another container holds it, the sandbox is named NAME-ID (the id's
   * first 8 characters) instead of failing with NAME_IN_USE.
   */
  readonly nameIsLabel?: boolean;
  /** Path of the network namespace the owner made (e.g. /run/netns/netns-...). */
  readonly netns: string;
  readonly networks: readonly SandboxNetworkRequest[];
  /** Published ports, DNATed to the sandbox's address on its first network. */
  readonly ports?: readonly PortRequest[];
  /** Upstream DNS servers for this container's queries that Berth does not answer. */
  readonly dnsServers?: readonly string[];
}

export interface SandboxDetachSpec {
  readonly managedBy: string;
  readonly id: string;
  /** Only these networks (names); absent: all of them, and the sandbox is forgotten. */
  readonly networks?: readonly string[];
  /**
   * Only the membership on this interface (CNI: a sandbox's attachment is its
   * container id and interface name). A sandbox left with no membership at all
   * (a failed attach) is forgotten.
   */
  readonly ifname?: string;
}

/** What the sandbox got on one network, for the adapter's reply. */
export interface SandboxEndpoint {
  readonly network: string;
  readonly networkId: string;
  readonly ifname: string;
  readonly hostVeth: string;
  readonly mac: string;
  /** The container's addresses on the network, IPv4 first; empty on a network without addresses. */
  readonly addresses: readonly SandboxAddress[];
  /** The bridge; for macvlan, the parent interface. */
  readonly bridge: string;
  /** The resolver's addresses for this sandbox on this network (empty when the network has no DNS). */
  readonly dnsServerIps: readonly string[];
}

/** One address of a sandbox on a network. */
export interface SandboxAddress {
  readonly ip: string;
  readonly prefix: number;
  readonly gateway: string;
}
