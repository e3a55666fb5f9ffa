/**
 * Names inside Berth's one nftables table. Every rule Berth owns lives in
 * `inet berth`; per-network facts are elements of the sets below and
 * published ports are elements of the two DNAT maps, so no per-container
 * change ever rewrites a rule.
 */

/** The table, as nft spells it in commands: `nft list table inet berth`. */
export const TABLE = "inet berth";
export const TABLE_FAMILY = "inet";
export const TABLE_NAME = "berth";

/** Named sets (all refilled by renderNetworks in one transaction). */
export const SET = {
  /** ifname: the bridge of every Berth network. */
  bridges: "bridges",
  /** ifname: bridges of internal networks (nothing in, nothing out). */
  internal: "internal_bridges",
  /** ifname: bridges of isolated networks (no traffic to/from other Berth bridges). */
  isolated: "isolated_bridges",
  /** ifname: bridges of networks isolated from each other only (isolate=peers, Podman's isolate=true). */
  isolatedPeers: "isolated_peer_bridges",
  /** ifname . ifname: "br" . "br" for every bridge, i.e. "stays inside one network". */
  sameBridge: "same_bridge",
  /** ipv4_addr interval: subnets masqueraded when they leave through a non-Berth interface. */
  natSubnets: "nat_subnets",
  /** ipv4_addr . ifname interval: subnet . its bridge, for hairpin masquerade. */
  hairpin: "hairpin",
  /** ipv6_addr interval: IPv6 subnets masqueraded when they leave through a non-Berth interface. */
  natSubnets6: "nat_subnets6",
  /** ipv6_addr . ifname interval: IPv6 subnet . its bridge, for hairpin masquerade. */
  hairpin6: "hairpin6",
  /** ipv4_addr . ipv4_addr interval: subnet . cluster CIDR, routed both ways without NAT (other nodes' pods). */
  cluster: "cluster_peers",
  /** ipv6_addr . ipv6_addr interval: the same for IPv6. */
  cluster6: "cluster_peers6",
  /** ipv4_addr . ipv4_addr interval: subnet . node CIDR, let in (routed from other nodes) but masqueraded going out. */
  nodes: "node_peers",
  /** ipv6_addr . ipv6_addr interval: the same for IPv6. */
  nodes6: "node_peers6",
} as const;

/** DNAT maps for published ports. */
export const MAP = {
  /** inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service (one host address). */
  byAddress: "dnat_addr",
  /** inet_proto . inet_service : ipv4_addr . inet_service (every local address, host IP 0.0.0.0). */
  anyAddress: "dnat_any",
  /** inet_proto . ipv6_addr . inet_service : ipv6_addr . inet_service (one IPv6 host address). */
  byAddress6: "dnat_addr6",
  /** inet_proto . inet_service : ipv6_addr . inet_service (every local IPv6 address but ::1, host IP ::). */
  anyAddress6: "dnat_any6",
} as const;

/**
 * The conntrack label bit Berth sets on connections to its own published
 * ports (a label bit, not a mark: marks are shared with kube-proxy and
 * others, each label bit is independent). Hairpin masquerade applies only to
 * these, so DNAT done by others (kube-proxy's ClusterIPs) keeps pod sources.
 */
export const PUBLISHED_LABEL = 100;

/** Base chains. */
export const CHAIN = {
  /** Filter on prerouting before any NAT: loopback addresses never come in from outside `lo`. */
  localhostGuard: "localhost_guard",
  forward: "forward",
  prerouting: "prerouting",
  output: "output",
  postrouting: "postrouting",
} as const;
