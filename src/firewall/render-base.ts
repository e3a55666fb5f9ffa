import { CHAIN, MAP, PUBLISHED_LABEL, SET, TABLE } from "./table.js";

const T = TABLE;

/** Sets and maps of the table: `add` is a no-op when they exist, so their elements survive. */
const DECLARATIONS: readonly string[] = [
  `add table ${T} { comment "Berth container networking; managed by berth, see nft list table ${T}"; }`,
  `add set ${T} ${SET.bridges} { type ifname; comment "bridges of all Berth networks"; }`,
  `add set ${T} ${SET.internal} { type ifname; comment "bridges of internal networks"; }`,
  `add set ${T} ${SET.isolated} { type ifname; comment "bridges of isolated networks"; }`,
  `add set ${T} ${SET.isolatedPeers} { type ifname; comment "bridges of networks isolated from each other (isolate=peers)"; }`,
  `add set ${T} ${SET.sameBridge} { type ifname . ifname; comment "in . out interface pairs that stay inside one network"; }`,
  `add set ${T} ${SET.natSubnets} { type ipv4_addr; flags interval; auto-merge; comment "subnets masqueraded when leaving the host"; }`,
  `add set ${T} ${SET.hairpin} { type ipv4_addr . ifname; flags interval; comment "subnet . bridge of every network, for hairpin masquerade"; }`,
  `add map ${T} ${MAP.byAddress} { type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service; comment "ports published on one host address"; }`,
  `add map ${T} ${MAP.anyAddress} { type inet_proto . inet_service : ipv4_addr . inet_service; comment "ports published on every host address"; }`,
  `add set ${T} ${SET.natSubnets6} { type ipv6_addr; flags interval; auto-merge; comment "IPv6 subnets masqueraded when leaving the host"; }`,
  `add set ${T} ${SET.hairpin6} { type ipv6_addr . ifname; flags interval; comment "IPv6 subnet . bridge of every network, for hairpin masquerade"; }`,
  `add set ${T} ${SET.cluster} { type ipv4_addr . ipv4_addr; flags interval; comment "subnet . cluster CIDR: routed both ways without NAT"; }`,
  `add set ${T} ${SET.cluster6} { type ipv6_addr . ipv6_addr; flags interval; comment "IPv6 subnet . cluster CIDR: routed both ways without NAT"; }`,
  `add set ${T} ${SET.nodes} { type ipv4_addr . ipv4_addr; flags interval; comment "subnet . node CIDR: let in from other nodes (masqueraded going out)"; }`,
  `add set ${T} ${SET.nodes6} { type ipv6_addr . ipv6_addr; flags interval; comment "IPv6 subnet . node CIDR: let in from other nodes"; }`,
  `add map ${T} ${MAP.byAddress6} { type inet_proto . ipv6_addr . inet_service : ipv6_addr . inet_service; comment "ports published on one IPv6 host address"; }`,
  `add map ${T} ${MAP.anyAddress6} { type inet_proto . inet_service : ipv6_addr . inet_service; comment "ports published on every IPv6 host address"; }`,
  // raw priority (-300): before conntrack and before the DNAT maps in prerouting (-100)
  `add chain ${T} ${CHAIN.localhostGuard} { type filter hook prerouting priority -300; policy accept; }`,
  `add chain ${T} ${CHAIN.forward} { type filter hook forward priority filter; policy accept; }`,
  `add chain ${T} ${CHAIN.prerouting} { type nat hook prerouting priority dstnat; policy accept; }`,
  // nft 1.0.6 accepts the name "dstnat" only on prerouting; -100 is the same priority
  `add chain ${T} ${CHAIN.output} { type nat hook output priority -100; policy accept; }`,
  `add chain ${T} ${CHAIN.postrouting} { type nat hook postrouting priority srcnat; policy accept; }`,
];

/**
 * Forward filter, in order. Traffic inside one bridge is accepted first: it
 * only reaches this hook when br_netfilter is loaded, and then in and out
 * interface are both the bridge.
 */
const FORWARD: readonly string[] = [
  `ct state established,related accept comment "replies to allowed connections"`,
  `iifname . oifname @${SET.sameBridge} accept comment "inside one network"`,
  `iifname @${SET.internal} drop comment "internal networks reach nothing outside their bridge"`,
  `oifname @${SET.internal} drop comment "nothing outside reaches an internal network"`,
  `ct status dnat oifname @${SET.bridges} accept comment "published ports"`,
  `iifname @${SET.isolated} oifname @${SET.bridges} drop comment "isolated network to another network"`,
  `iifname @${SET.bridges} oifname @${SET.isolated} drop comment "another network to an isolated network"`,
  `iifname @${SET.isolatedPeers} oifname @${SET.isolatedPeers} drop comment "between networks isolated from each other"`,
  `iifname @${SET.bridges} accept comment "containers may go out"`,
  `ip daddr . ip saddr @${SET.cluster} accept comment "from the network's cluster CIDR (pods on other nodes)"`,
  `ip6 daddr . ip6 saddr @${SET.cluster6} accept comment "from the network's IPv6 cluster CIDR"`,
  `ip daddr . ip saddr @${SET.nodes} accept comment "from the network's node CIDR (other nodes, NodePort traffic SNATed to a node)"`,
  `ip6 daddr . ip6 saddr @${SET.nodes6} accept comment "from the network's IPv6 node CIDR"`,
  `oifname @${SET.bridges} drop comment "no unsolicited traffic into container networks"`,
];

/**
 * Loopback addresses only ever arrive on `lo`. Without this, a raw packet to
 * 127.0.0.1 sent to the host's MAC (by a machine on the host's link, or a
 * container with CAP_NET_RAW) is DNATed like any other to a port published
 * on 127.0.0.1 (the class of CVE-2020-8558), and `route_localnet=1` on the
 * bridges lets a container reach host services bound to 127.0.0.1. Replies
 * to the host's own connections through 127.0.0.1 arrive with the bridge's
 * address (masqueraded) and are turned back into 127.0.0.1 only later, in
 * NAT, so they pass.
 */
const LOCALHOST_GUARD: readonly string[] = [
  `iifname != "lo" ip daddr 127.0.0.0/8 drop comment "127.0.0.0/8 arrives only on lo (published 127.0.0.1 ports, route_localnet on bridges)"`,
  `iifname != "lo" ip saddr 127.0.0.0/8 drop comment "nothing from outside lo claims a loopback source"`,
  `iifname != "lo" ip6 daddr ::1 drop comment "::1 arrives only on lo"`,
  `iifname != "lo" ip6 saddr ::1 drop comment "nothing from outside lo claims ::1"`,
];

/** How many rules a complete localhost guard chain has (what `berth port --audit` checks for). */
export const LOCALHOST_GUARD_RULES = LOCALHOST_GUARD.length;

/**
 * DNAT for published ports: one map lookup each, whatever the number of
 * mappings. Each is preceded by the same lookup as a set, labelling the
 * connection as Berth's (a DNAT statement ends its rule), for hairpin.
 */
const LABEL = `ct label set ${PUBLISHED_LABEL} comment "a Berth published port (hairpin masquerade)"`;
const DNAT: readonly string[] = [
  `meta l4proto { tcp, udp } meta l4proto . ip daddr . th dport @${MAP.byAddress} ${LABEL}`,
  `meta l4proto { tcp, udp } dnat ip to meta l4proto . ip daddr . th dport map @${MAP.byAddress} comment "published on one host address"`,
  `meta nfproto ipv4 meta l4proto { tcp, udp } fib daddr type local meta l4proto . th dport @${MAP.anyAddress} ${LABEL}`,
  `meta nfproto ipv4 meta l4proto { tcp, udp } fib daddr type local dnat ip to meta l4proto . th dport map @${MAP.anyAddress} comment "published on every host address"`,
  `meta l4proto { tcp, udp } meta l4proto . ip6 daddr . th dport @${MAP.byAddress6} ${LABEL}`,
  `meta l4proto { tcp, udp } dnat ip6 to meta l4proto . ip6 daddr . th dport map @${MAP.byAddress6} comment "published on one IPv6 host address"`,
  // ::1 is left alone: the kernel drops a packet from ::1 that is routed out of lo (IPv6 has no route_localnet)
  `meta nfproto ipv6 ip6 daddr != ::1 meta l4proto { tcp, udp } fib daddr type local meta l4proto . th dport @${MAP.anyAddress6} ${LABEL}`,
  `meta nfproto ipv6 ip6 daddr != ::1 meta l4proto { tcp, udp } fib daddr type local dnat ip6 to meta l4proto . th dport map @${MAP.anyAddress6} comment "published on every IPv6 host address but ::1"`,
];

const POSTROUTING: readonly string[] = [
  `ip saddr @${SET.natSubnets} oifname != @${SET.bridges} ip saddr . ip daddr != @${SET.cluster} masquerade comment "containers leave with the host's address (not to their cluster CIDR)"`,
  `ip saddr 127.0.0.0/8 oifname @${SET.bridges} masquerade comment "published port reached through localhost (route_localnet on the bridge)"`,
  `ct status dnat ct label ${PUBLISHED_LABEL} ip saddr . oifname @${SET.hairpin} masquerade comment "hairpin: a container reaching a published port of its own network (not others' DNAT: kube-proxy keeps pod sources)"`,
  `ip6 saddr @${SET.natSubnets6} oifname != @${SET.bridges} ip6 saddr . ip6 daddr != @${SET.cluster6} masquerade comment "containers leave with the host's IPv6 address (not to their cluster CIDR)"`,
  `ct status dnat ct label ${PUBLISHED_LABEL} ip6 saddr . oifname @${SET.hairpin6} masquerade comment "hairpin over IPv6"`,
];

/**
 * The table's skeleton: table, named sets and maps, base chains and their
 * rules. Idempotent: declarations use `add` (existing sets and maps keep
 * their elements) and each base chain is flushed and refilled in the same
 * transaction, so running it again is harmless and never duplicates rules.
 */
export function renderBaseTable(): string {
  const lines = [...DECLARATIONS];
  const chains: [string, readonly string[]][] = [
    [CHAIN.localhostGuard, LOCALHOST_GUARD],
    [CHAIN.forward, FORWARD],
    [CHAIN.prerouting, DNAT],
    [CHAIN.output, DNAT],
    [CHAIN.postrouting, POSTROUTING],
  ];
  for (const [chain, rules] of chains) {
    lines.push(`flush chain ${T} ${chain}`);
    for (const r of rules) lines.push(`add rule ${T} ${chain} ${r}`);
  }
  return lines.join("\n") + "\n";
}
