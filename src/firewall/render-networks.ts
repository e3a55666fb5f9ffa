import { sysctlIfName } from "../kernel/sysctl.js";
import { BerthError } from "../errors.js";
import { formatCidr4, parseCidr4 } from "../model/ipv4.js";
import { formatCidr6, parseCidr6 } from "../model/ipv6.js";
import { parseIfName, parseNetworkName } from "../model/names.js";
import { SET, TABLE } from "./table.js";

/** What the firewall needs to know about one network. */
export interface FirewallNetwork {
  readonly name: string;
  /** The network's Linux bridge, e.g. "berth1". */
  readonly bridge: string;
  /** IPv4 subnet in CIDR form, e.g. "10.89.0.0/24"; undefined for an IPv6-only network. */
  readonly subnet: string | undefined;
  /** IPv6 subnet, e.g. "fd00:89::/64"; undefined for an IPv4-only network. */
  readonly subnet6?: string | undefined;
  /** No traffic leaves the bridge and none enters from elsewhere; never masqueraded. */
  readonly internal: boolean;
  /** No traffic to or from other Berth bridges (published ports excepted). */
  readonly isolate: boolean;
  /** Cut off only from other networks with isolatePeers (Podman's isolate=true). */
  readonly isolatePeers?: boolean;
  /**
   * CIDRs routed to and from the subnet without NAT, typically a
   * cluster's pod CIDR (the other nodes' pods): not masqueraded on the way
   * out, let in from outside the host. Either family.
   */
  readonly clusterCidrs?: readonly string[];
  /**
   * CIDRs of the nodes themselves: let in from outside the host (a node
   * reaching a pod here, NodePort traffic another node SNATed to its own
   * address) but masqueraded on the way out like anywhere else. Either family.
   */
  readonly nodeCidrs?: readonly string[];
}

/** A sysctl the engine must set for a network: `sysctl -w KEY=VALUE`. */
export interface Sysctl {
  readonly key: string;
  readonly value: string;
}

interface CheckedNetwork {
  readonly name: string;
  readonly bridge: string;
  readonly subnet: string | undefined;
  readonly subnet6: string | undefined;
  readonly internal: boolean;
  readonly isolate: boolean;
  /** Cut off only from other networks with isolatePeers (Podman's isolate=true). */
  readonly isolatePeers?: boolean;
  readonly cluster4: readonly string[];
  readonly cluster6: readonly string[];
  readonly node4: readonly string[];
  readonly node6: readonly string[];
}

function check(n: FirewallNetwork): CheckedNetwork {
  const cidrs = n.clusterCidrs ?? [];
  const nodes = n.nodeCidrs ?? [];
  return {
    name: parseNetworkName(n.name),
    bridge: parseIfName(n.bridge, "bridge"),
    subnet: n.subnet === undefined ? undefined : formatCidr4(parseCidr4(n.subnet)),
    subnet6: n.subnet6 === undefined ? undefined : formatCidr6(parseCidr6(n.subnet6)),
    internal: n.internal,
    isolate: n.isolate,
    isolatePeers: n.isolatePeers ?? false,
    cluster4: cidrs.filter((c) => !c.includes(":")).map((c) => formatCidr4(parseCidr4(c))),
    cluster6: cidrs.filter((c) => c.includes(":")).map((c) => formatCidr6(parseCidr6(c))),
    node4: nodes.filter((c) => !c.includes(":")).map((c) => formatCidr4(parseCidr4(c))),
    node6: nodes.filter((c) => c.includes(":")).map((c) => formatCidr6(parseCidr6(c))),
  };
}

function checkAll(nets: readonly FirewallNetwork[]): CheckedNetwork[] {
  const out = nets.map(check);
  const seen = new Map<string, string>();
  for (const n of out) {
    const other = seen.get(n.bridge);
    if (other !== undefined) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot render firewall rules: networks "${other}" and "${n.name}" both use bridge "${n.bridge}"`, {
        hint: "Each network needs its own bridge; run `berth system reconcile` to repair the state",
      });
    }
    seen.set(n.bridge, n.name);
  }
  return out;
}

/**
 * The per-network part of the table: every network set flushed and refilled
 * in one transaction (no per-network rules exist, so a network change never
 * touches a chain, and published ports in the maps are left alone).
 * Validates every name and subnet first, so nothing unparsed reaches nft.
 */
export function renderNetworks(nets: readonly FirewallNetwork[]): string {
  const checked = checkAll(nets);
  const lines: string[] = [];
  const fill = (set: string, items: readonly string[]) => {
    lines.push(`flush set ${TABLE} ${set}`);
    if (items.length > 0) lines.push(`add element ${TABLE} ${set} { ${items.join(", ")} }`);
  };
  const q = (bridge: string) => `"${bridge}"`;
  fill(
    SET.bridges,
    checked.map((n) => `${q(n.bridge)} comment "network ${n.name}"`),
  );
  fill(
    SET.internal,
    checked.filter((n) => n.internal).map((n) => q(n.bridge)),
  );
  fill(
    SET.isolated,
    checked.filter((n) => !n.internal && n.isolate).map((n) => q(n.bridge)),
  );
  fill(
    SET.isolatedPeers,
    checked.filter((n) => !n.internal && n.isolatePeers === true).map((n) => q(n.bridge)),
  );
  fill(
    SET.sameBridge,
    checked.map((n) => `${q(n.bridge)} . ${q(n.bridge)}`),
  );
  const v4 = checked.flatMap((n) => (n.subnet === undefined ? [] : [{ ...n, subnet: n.subnet }]));
  const v6 = checked.flatMap((n) => (n.subnet6 === undefined ? [] : [{ ...n, subnet: n.subnet6 }]));
  fill(
    SET.natSubnets,
    v4.filter((n) => !n.internal).map((n) => n.subnet),
  );
  fill(
    SET.hairpin,
    v4.map((n) => `${n.subnet} . ${q(n.bridge)}`),
  );
  fill(
    SET.natSubnets6,
    v6.filter((n) => !n.internal).map((n) => n.subnet),
  );
  fill(
    SET.hairpin6,
    v6.map((n) => `${n.subnet} . ${q(n.bridge)}`),
  );
  // internal networks reach nothing outside their bridge, cluster or not
  fill(
    SET.cluster,
    v4.filter((n) => !n.internal).flatMap((n) => n.cluster4.map((c) => `${n.subnet} . ${c}`)),
  );
  fill(
    SET.cluster6,
    v6.filter((n) => !n.internal).flatMap((n) => n.cluster6.map((c) => `${n.subnet} . ${c}`)),
  );
  fill(
    SET.nodes,
    v4.filter((n) => !n.internal).flatMap((n) => n.node4.map((c) => `${n.subnet} . ${c}`)),
  );
  fill(
    SET.nodes6,
    v6.filter((n) => !n.internal).flatMap((n) => n.node6.map((c) => `${n.subnet} . ${c}`)),
  );
  return lines.join("\n") + "\n";
}

/**
 * Sysctls a network's bridge needs for the rules to work: IPv4 forwarding
 * (not for internal networks, which forward nothing) and `route_localnet`
 * on the bridge, so ports published on 127.0.0.1 can be DNATed into it.
 * Given only a bridge name (older callers), returns just route_localnet.
 */
export function requiredSysctls(net: Pick<FirewallNetwork, "bridge" | "internal"> | string): Sysctl[] {
  const bridge = parseIfName(typeof net === "string" ? net : net.bridge, "bridge");
  const out: Sysctl[] = [];
  if (typeof net !== "string" && !net.internal) out.push({ key: "net.ipv4.ip_forward", value: "1" });
  out.push({ key: `net.ipv4.conf.${sysctlIfName(bridge)}.route_localnet`, value: "1" });
  return out;
}
