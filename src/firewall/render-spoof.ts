import { formatIpv4, parseIpv4 } from "../model/ipv4.js";
import { formatIpv6, parseIpv6 } from "../model/ipv6.js";
import { macToBytes, parseMac } from "../model/mac.js";
import { parseIfName } from "../model/names.js";

/**
 * Anti-spoofing on bridge ports: a table of the `bridge` family, whose
 * prerouting hook sees every frame a container sends into its bridge before
 * the bridge learns its source MAC or passes it on (to another container or
 * up to the host). Each filtered port (the host end of a container's veth)
 * may send only from its own MAC and its own addresses; the per-port facts
 * are set elements keyed by the port's name, so attaching a container is
 * one element insert, never a rule change.
 */
export const SPOOF_TABLE = "bridge berth";
export const SPOOF_TABLE_FAMILY = "bridge";
export const SPOOF_CHAIN = "port_guard";

export const SPOOF_SET = {
  /** ifname: the ports that are filtered (a port not listed is not: another tool's, or its network's opt-out). */
  ports: "guarded_ports",
  /** ifname . ether_addr: the port's one MAC. */
  macs: "port_macs",
  /** ifname . ipv4_addr: the port's IPv4 addresses. */
  ips: "port_ips",
  /** ifname . ipv6_addr: the port's IPv6 addresses, its link-local one (EUI-64 of its MAC) included. */
  ips6: "port_ips6",
  /** The same IPv6 addresses as 128-bit numbers, for the target of neighbour discovery messages (nft 1.0.6 has no `icmpv6 taddr`). */
  ndTargets: "port_nd_targets",
} as const;

/** One filtered bridge port and what it may send from. */
export interface GuardedPort {
  /** The host end of the container's veth (a port of the network's bridge). */
  readonly port: string;
  readonly mac: string;
  readonly ips: readonly string[];
  readonly ips6: readonly string[];
}

const T = SPOOF_TABLE;
/** The target address of a neighbour solicitation or advertisement: bytes 8-23 of the ICMPv6 header. */
const ND_TARGET = "@th,64,128";

const DECLARATIONS: readonly string[] = [
  `add table ${T} { comment "Berth: each container's bridge port sends only from its own MAC and addresses"; }`,
  `add set ${T} ${SPOOF_SET.ports} { type ifname; comment "bridge ports filtered to their container's MAC and addresses"; }`,
  `add set ${T} ${SPOOF_SET.macs} { type ifname . ether_addr; }`,
  `add set ${T} ${SPOOF_SET.ips} { type ifname . ipv4_addr; }`,
  `add set ${T} ${SPOOF_SET.ips6} { type ifname . ipv6_addr; }`,
  `add set ${T} ${SPOOF_SET.ndTargets} { typeof iifname . ${ND_TARGET}; }`,
  // before the bridge learns the source MAC and before br_netfilter's ip hooks (priority -200 is the filter default)
  `add chain ${T} ${SPOOF_CHAIN} { type filter hook prerouting priority -300; policy accept; }`,
];

/**
 * In order. What a container needs besides its own addresses: ARP probes
 * (sender 0.0.0.0), a DHCP client's first messages (from 0.0.0.0),
 * duplicate address detection (a neighbour solicitation from :: for one of
 * its own addresses) and MLD reports from :: before it has an address.
 * Containers are not routers: router advertisements and redirects are
 * dropped. Only ARP, IPv4 and IPv6 pass (no VLAN tags around the filter).
 */
const RULES: readonly string[] = [
  `iifname != @${SPOOF_SET.ports} accept comment "not a filtered container port"`,
  `iifname . ether saddr != @${SPOOF_SET.macs} drop comment "a container sends from its own MAC only"`,
  `meta protocol arp iifname . arp saddr ether != @${SPOOF_SET.macs} drop comment "ARP names the sender's own MAC"`,
  `meta protocol arp arp saddr ip 0.0.0.0 accept comment "ARP probe"`,
  `meta protocol arp iifname . arp saddr ip != @${SPOOF_SET.ips} drop comment "ARP for the container's own IPv4 address only"`,
  `meta protocol arp accept`,
  `meta protocol ip ip saddr 0.0.0.0 udp sport 68 udp dport 67 accept comment "DHCP client without an address"`,
  `meta protocol ip iifname . ip saddr != @${SPOOF_SET.ips} drop comment "IPv4 from the container's own address only"`,
  `meta protocol ip accept`,
  `meta protocol ip6 ip6 saddr :: icmpv6 type nd-neighbor-solicit iifname . ${ND_TARGET} @${SPOOF_SET.ndTargets} accept comment "duplicate address detection of its own address"`,
  `meta protocol ip6 ip6 saddr :: icmpv6 type { mld-listener-report, mld2-listener-report } accept comment "MLD before an address"`,
  `meta protocol ip6 iifname . ip6 saddr != @${SPOOF_SET.ips6} drop comment "IPv6 from the container's own addresses only"`,
  `icmpv6 type { nd-router-advert, nd-redirect } drop comment "containers are not routers"`,
  `icmpv6 type nd-neighbor-advert iifname . ${ND_TARGET} != @${SPOOF_SET.ndTargets} drop comment "neighbour advertisements for its own addresses only"`,
  `meta protocol ip6 accept`,
  `drop comment "only ARP, IPv4 and IPv6 from a container"`,
];

/** How many rules the chain has when complete (for doctor and the port audit). */
export const SPOOF_RULES = RULES.length;

/** The table, its sets and its chain (idempotent: the sets keep their elements, the chain is refilled). */
export function renderSpoofBase(): string {
  return [...DECLARATIONS, `flush chain ${T} ${SPOOF_CHAIN}`, ...RULES.map((r) => `add rule ${T} ${SPOOF_CHAIN} ${r}`)].join("\n") + "\n";
}

/** The link-local address the kernel gives an interface with this MAC (EUI-64, addr_gen_mode 0, the default in a new namespace). */
export function linkLocalOf(mac: string): string {
  const b = macToBytes(parseMac(mac));
  const eui = [(b[0] ?? 0) ^ 0x02, b[1] ?? 0, b[2] ?? 0, 0xff, 0xfe, b[3] ?? 0, b[4] ?? 0, b[5] ?? 0];
  let id = 0n;
  for (const x of eui) id = (id << 8n) | BigInt(x);
  return formatIpv6((0xfe80n << 112n) | id);
}

/** Validated and normalized: nothing unparsed reaches a script. */
function checked(p: GuardedPort): GuardedPort {
  return {
    port: parseIfName(p.port, "bridge port"),
    mac: parseMac(p.mac),
    ips: p.ips.map((ip) => formatIpv4(parseIpv4(ip, "container address"))),
    ips6: [...new Set([...p.ips6, linkLocalOf(p.mac)].map((ip) => formatIpv6(parseIpv6(ip, "container address"))))],
  };
}

function elements(ports: readonly GuardedPort[]): [string, string[]][] {
  const cs = ports.map(checked);
  const q = (s: string) => `"${s}"`;
  return [
    [SPOOF_SET.macs, cs.map((p) => `${q(p.port)} . ${p.mac}`)],
    [SPOOF_SET.ips, cs.flatMap((p) => p.ips.map((ip) => `${q(p.port)} . ${ip}`))],
    [SPOOF_SET.ips6, cs.flatMap((p) => p.ips6.map((ip) => `${q(p.port)} . ${ip}`))],
    [SPOOF_SET.ndTargets, cs.flatMap((p) => p.ips6.map((ip) => `${q(p.port)} . 0x${parseIpv6(ip).toString(16).padStart(32, "0")}`))],
    // the port is listed last, so it is filtered only with all its facts in place (one transaction anyway)
    [SPOOF_SET.ports, cs.map((p) => q(p.port))],
  ];
}

function lines(verb: "add" | "delete", sets: readonly [string, string[]][]): string[] {
  return sets.filter(([, items]) => items.length > 0).map(([set, items]) => `${verb} element ${T} ${set} { ${items.join(", ")} }`);
}

/** Filter these ports: element inserts only (adding what is there already is a no-op). */
export function renderGuardPorts(ports: readonly GuardedPort[]): string {
  return lines("add", elements(ports))
    .map((l) => `${l}\n`)
    .join("");
}

/**
 * Stop filtering these ports, tolerant of elements already gone: each is
 * added first (a no-op when present), then deleted, so a missing one cannot
 * fail the transaction. The port leaves the `ports` set first.
 */
export function renderUnguardPorts(ports: readonly GuardedPort[]): string {
  const sets = elements(ports);
  const deletes = lines("delete", [...sets].reverse());
  return [...lines("add", sets), ...deletes].map((l) => `${l}\n`).join("");
}

/** Make the sets hold exactly `ports` (reconcile): base ensured, sets flushed and refilled in one transaction. */
export function renderSyncGuardedPorts(ports: readonly GuardedPort[]): string {
  const flush = Object.values(SPOOF_SET).map((s) => `flush set ${T} ${s}\n`);
  return renderSpoofBase() + flush.join("") + renderGuardPorts(ports);
}
