/**
 * Pure rendering of Berth's nftables table `inet berth`. Everything Berth
 * does to packets lives in this one table; per-network facts are set
 * elements, so adding a network or a container never rewrites rules.
 */

export const TABLE = "inet berth";

export interface FirewallNetwork {
  readonly name: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly internal: boolean;
  readonly isolate: boolean;
}

/**
 * The table's skeleton: named sets and the base chains. Idempotent (`add`
 * only), so it can run before every change; rules are re-created by
 * flushing the chains in the same transaction.
 */
export function renderBaseTable(): string {
  return [
    `add table ${TABLE}`,
    `add set ${TABLE} bridges { type ifname; comment "bridges of all Berth networks"; }`,
    `add set ${TABLE} nat_subnets { type ipv4_addr; flags interval; comment "subnets masqueraded when leaving the host"; }`,
    `add chain ${TABLE} forward { type filter hook forward priority filter; policy accept; }`,
    `add chain ${TABLE} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add map ${TABLE} pub_any { type inet_proto . inet_service : ipv4_addr . inet_service; comment "ports published on every host address"; }`,
    `add map ${TABLE} pub_addr { type inet_proto . ipv4_addr . inet_service : ipv4_addr . inet_service; comment "ports published on one host address"; }`,
    `add chain ${TABLE} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${TABLE} output { type nat hook output priority -100; policy accept; }`,
    `add chain ${TABLE} internal`,
    `add chain ${TABLE} isolation`,
    `flush chain ${TABLE} forward`,
    `flush chain ${TABLE} postrouting`,
    `flush chain ${TABLE} prerouting`,
    `flush chain ${TABLE} output`,
    // published ports: one map lookup whatever the number of mappings
    ...["prerouting", "output"].flatMap((chain) => [
      `add rule ${TABLE} ${chain} meta l4proto { tcp, udp } dnat ip to meta l4proto . ip daddr . th dport map @pub_addr comment "published on one address"`,
      `add rule ${TABLE} ${chain} meta l4proto { tcp, udp } fib daddr type local dnat ip to meta l4proto . th dport map @pub_any comment "published on every address"`,
    ]),
    `add rule ${TABLE} forward jump internal`,
    `add rule ${TABLE} forward ct state established,related accept`,
    `add rule ${TABLE} forward ct status dnat accept comment "published ports"`,
    `add rule ${TABLE} forward jump isolation`,
    `add rule ${TABLE} forward iifname @bridges accept comment "containers may go out"`,
    `add rule ${TABLE} forward oifname @bridges drop comment "no unsolicited traffic into container networks"`,
    `add rule ${TABLE} postrouting ip saddr @nat_subnets oifname != @bridges masquerade comment "outbound masquerade"`,
    `add rule ${TABLE} postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade comment "published port reached through localhost"`,
    // (postrouting has no input interface, so "from a container" is "from a container subnet")
    `add rule ${TABLE} postrouting ct status dnat ip saddr @nat_subnets oifname @bridges masquerade comment "published port reached from a container (hairpin)"`,
  ].join("\n") + "\n";
}

/**
 * Per-network facts, refilled in one transaction: the sets, and one pair of
 * rules per internal or isolated network. Rules compare a bridge with
 * itself ("oifname != X") so traffic inside one bridge always passes, even
 * when br_netfilter sends bridged frames through this chain.
 */
export function renderNetworks(nets: readonly FirewallNetwork[]): string {
  const lines: string[] = [`flush chain ${TABLE} internal`, `flush chain ${TABLE} isolation`];
  const fill = (set: string, items: readonly string[]) => {
    lines.push(`flush set ${TABLE} ${set}`);
    if (items.length > 0) lines.push(`add element ${TABLE} ${set} { ${items.join(", ")} }`);
  };
  fill("bridges", nets.map((n) => `"${n.bridge}"`));
  fill("nat_subnets", nets.filter((n) => !n.internal).map((n) => n.subnet));
  for (const n of nets) {
    const b = `"${n.bridge}"`;
    if (n.internal) {
      lines.push(`add rule ${TABLE} internal iifname ${b} oifname != ${b} drop comment "internal network ${n.name}: nothing leaves"`);
      lines.push(`add rule ${TABLE} internal oifname ${b} iifname != ${b} drop comment "internal network ${n.name}: nothing enters"`);
    } else if (n.isolate) {
      lines.push(`add rule ${TABLE} isolation iifname ${b} oifname != ${b} oifname @bridges drop comment "network ${n.name} is isolated"`);
      lines.push(`add rule ${TABLE} isolation oifname ${b} iifname != ${b} iifname @bridges drop comment "network ${n.name} is isolated"`);
    }
  }
  return lines.join("\n") + "\n";
}

/** A published port with the container address it is forwarded to. */
export interface DnatMapping {
  readonly proto: "tcp" | "udp";
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

const ANY = "0.0.0.0";

function key(m: DnatMapping): string {
  return m.hostIp === ANY ? `${m.proto} . ${m.hostPort}` : `${m.proto} . ${m.hostIp} . ${m.hostPort}`;
}

function mapOf(m: DnatMapping): string {
  return m.hostIp === ANY ? "pub_any" : "pub_addr";
}

function elements(ms: readonly DnatMapping[], withValue: boolean): string[] {
  const lines: string[] = [];
  for (const map of ["pub_any", "pub_addr"]) {
    const items = ms.filter((m) => mapOf(m) === map).map((m) => (withValue ? `${key(m)} : ${m.containerIp} . ${m.containerPort}` : key(m)));
    if (items.length > 0) lines.push(`${map} { ${items.join(", ")} }`);
  }
  return lines;
}

/** One transaction adding a container's published ports: map elements, no rule changes. */
export function renderAddPortMappings(ms: readonly DnatMapping[]): string {
  return elements(ms, true).map((e) => `add element ${TABLE} ${e}\n`).join("");
}

/**
 * One transaction removing published ports. Each element is added first
 * (a no-op when present), so removing one that is already gone does not
 * fail the transaction: teardown is a sweep.
 */
export function renderDeletePortMappings(ms: readonly DnatMapping[]): string {
  return [...elements(ms, true).map((e) => `add element ${TABLE} ${e}`), ...elements(ms, false).map((e) => `delete element ${TABLE} ${e}`)].map((l) => `${l}\n`).join("");
}

/** Sysctls a network's bridge needs (set by the engine when the bridge is made). */
export function requiredSysctls(bridge: string): { key: string; value: string }[] {
  return [{ key: `net.ipv4.conf.${bridge}.route_localnet`, value: "1" }];
}
