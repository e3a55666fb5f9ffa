import { externalBridgeWithoutGateway, missingGateways } from "../network/bridge.js";
import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Network } from "../../model/network.js";
import { DEFAULT_NETWORK, type NetworkDriver } from "../../model/network.js";
import { planMacvlan } from "../network/macvlan.js";
import { formatCidr4, formatIpv4, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { formatCidr6, parseCidr6 } from "../../model/ipv6.js";
import { parseIfName, parseNetworkName } from "../../model/names.js";
import { byFamily, listOf, planIpv4, planIpv6, subnetIsFree } from "../network/network-subnets.js";
import { requireUnreserved4, requireUnreserved6 } from "../../model/reserved.js";
import { BerthError } from "../../errors.js";
import { newId } from "../network/names.js";
import { syncFirewall } from "../sync/firewall-sync.js";
import { faultPoint } from "../fault.js";
import { requireHostIpv6 } from "../network/host-ipv6.js";

export interface NetworkCreateOptions {
  readonly name: string;
  /** One subnet, or one per family (`--subnet` given twice); an IPv6 subnet alone makes an IPv6-only network. */
  readonly subnet?: string | readonly string[];
  /** The gateway, or one per family. */
  readonly gateway?: string | readonly string[];
  /** No subnet at all: containers get an interface without addresses (Podman's `--ipam-driver none`); no --subnet or --ipv6 with it. */
  readonly noAddresses?: boolean;
  /** Give the network an IPv6 subnet as well (a free ULA /64 unless --subnet names one). */
  readonly ipv6?: boolean;
  readonly ipRange?: string;
  readonly internal?: boolean;
  readonly disableDns?: boolean;
  readonly options?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly interfaceName?: string;
  readonly dnsServers?: readonly string[];
  /** "bridge" (the default) or "macvlan" (with --opt parent=IFACE). */
  readonly driver?: NetworkDriver;
  /** Refuse nothing, return the existing network (Podman's --ignore). */
  readonly ignoreExisting?: boolean;
  /** Adopted from another engine's definition (see sandbox/adopt-network.ts). */
  readonly managedBy?: string;
}

const KNOWN_OPTIONS: Record<NetworkDriver, ReadonlySet<string>> = {
  bridge: new Set(["mtu", "isolate", "cluster_cidr", "node_cidr", "metric", "spoof_filter"]),
  macvlan: new Set(["mtu", "parent", "mode", "host_shim", "metric"]),
};
const OPTION_HINT: Record<NetworkDriver, string> = {
  bridge: "Known options: mtu=N, isolate=true|false|peers, cluster_cidr=CIDR[,CIDR...], node_cidr=CIDR[,CIDR...], metric=N, spoof_filter=true|false",
  macvlan: "Known macvlan options: parent=IFACE, mode=bridge|private|vepa|passthru|source, host_shim=true|false, mtu=N, metric=N",
};

/** `berth network create`: validate everything, then record the network and its firewall rules. */
export function createNetwork(engine: Engine, opts: NetworkCreateOptions): Network {
  const name = parseNetworkName(opts.name);
  const existing = engine.store.networks.byName(name);
  if (existing && opts.ignoreExisting) return existing;
  const progress = { firewall: false };
  try {
    return engine.store.write(() => insertNetwork(engine, name, opts, progress));
  } catch (e) {
    // the row is rolled back; what the firewall sync did for it before failing (the network's
    // sets, its subnets bound to firewalld's trusted zone) is undone by a sync without it
    if (progress.firewall && engine.store.networks.byName(name) === undefined) {
      try {
        syncFirewall(engine);
      } catch (undo) {
        if (e instanceof BerthError) e.rollbackErrors.push(undo);
      }
    }
    throw e;
  }
}

function insertNetwork(engine: Engine, name: string, opts: NetworkCreateOptions, progress: { firewall: boolean }): Network {
  if (engine.store.networks.byName(name)) {
    throw new BerthError("NAME_IN_USE", `Cannot create network "${name}": a network with that name already exists`, {
      hint: `Choose another name, or remove it first with \`berth network rm ${name}\``,
    });
  }
  const n = planNetwork(engine, name, opts);
  const hostBridge = n.bridgeExternal ? engine.host.linkByName(n.bridge) : undefined;
  const missing = hostBridge ? missingGateways(engine, n, hostBridge.index) : [];
  if (missing.length > 0) throw externalBridgeWithoutGateway(n, missing);
  engine.store.networks.insert(n);
  faultPoint("network-create:after-insert");
  // the rules go in before the row commits: a crash (or an nft failure) never leaves
  // a network without its isolation and masquerade rules, at worst rules for no network,
  // which the next firewall sync drops
  progress.firewall = true;
  syncFirewall(engine);
  return n;
}

/** The default network `berth` (bridge berth0, 10.88.0.0/16 unless taken), made on first use. */
export function ensureDefaultNetwork(engine: Engine): Network {
  const existing = engine.store.networks.byName(DEFAULT_NETWORK.name);
  if (existing) return existing;
  const free = subnetIsFree(engine, parseCidr4(DEFAULT_NETWORK.subnet));
  try {
    return createNetwork(engine, {
      name: DEFAULT_NETWORK.name,
      ...(free ? { subnet: DEFAULT_NETWORK.subnet } : {}),
      interfaceName: DEFAULT_NETWORK.bridge,
      disableDns: true,
      options: { isolate: "true" },
    });
  } catch (e) {
    // another berth process made it first
    const made = engine.store.networks.byName(DEFAULT_NETWORK.name);
    if (made) return made;
    throw e;
  }
}

function planNetwork(engine: Engine, name: string, opts: NetworkCreateOptions): Network {
  const options = opts.options ?? {};
  const driver = opts.driver ?? "bridge";
  for (const k of Object.keys(options)) {
    if (!KNOWN_OPTIONS[driver].has(k)) {
      throw new BerthError("INVALID_ARGUMENT", `Unknown ${driver} network option "${k}"`, { hint: OPTION_HINT[driver] });
    }
  }
  const macvlan = driver === "macvlan" ? planMacvlan(engine, options) : undefined;
  const throughHost = driverOf({ driver }).throughHost;
  const mtu = options["mtu"] === undefined ? undefined : parseMtu(options["mtu"]);
  // peers: cut off only from other networks with isolate=peers (Podman's isolate=true)
  const peers = options["isolate"] === "peers";
  const isolate = options["isolate"] === undefined ? true : !peers && parseBool("isolate", options["isolate"]);
  // the anti-spoofing filter of the bridge ports is on unless switched off (model/network.ts spoofFilterOf)
  const noSpoofFilter = options["spoof_filter"] !== undefined && !parseBool("spoof_filter", options["spoof_filter"]);
  // Podman's internal macvlan (netavark: no default route) is taken as such for its networks
  if (!throughHost && opts.internal && opts.managedBy === undefined) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      "A macvlan network cannot be --internal: its containers sit on the parent's segment, not behind Berth's firewall",
      {
        hint: "Use a bridge network with --internal, or --opt mode=private to keep the macvlan containers apart",
      },
    );
  }
  const subnets = byFamily(listOf(opts.subnet), "--subnet");
  const gateways = byFamily(listOf(opts.gateway), "--gateway");
  const noAddresses = opts.noAddresses ?? false;
  if (noAddresses && (subnets[4] !== undefined || subnets[6] !== undefined || opts.ipv6 || opts.ipRange !== undefined)) {
    throw new BerthError("INVALID_ARGUMENT", `Network "${name}" cannot have subnets and no addresses at once`, {
      hint: "Leave out --subnet, --ipv6 and --ip-range",
    });
  }
  const want4 = !noAddresses && (subnets[4] !== undefined || subnets[6] === undefined);
  const want6 = !noAddresses && (subnets[6] !== undefined || (opts.ipv6 ?? false));
  if (!want4 && gateways[4] !== undefined) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot use IPv4 gateway ${gateways[4]} on an IPv6-only network`, {
      hint: "Give an IPv4 --subnet as well, or leave out the IPv4 --gateway",
    });
  }
  if (!want6 && gateways[6] !== undefined) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot use IPv6 gateway ${gateways[6]} without an IPv6 subnet`, { hint: "Add --ipv6 or an IPv6 --subnet" });
  }
  // a macvlan network usually shares the parent's LAN subnet: routes and addresses on the parent are no clash;
  // nor are those of a bridge that is already on the host and is named for the network
  const hostBridge = macvlan || opts.interfaceName === undefined ? undefined : existingHostBridge(engine, parseIfName(opts.interfaceName, "bridge"));
  const onParent = macvlan?.parent ?? hostBridge?.name;
  const v4 = want4 ? planIpv4(engine, name, subnets[4], gateways[4], opts.ipRange, onParent) : undefined;
  if (!want4 && opts.ipRange !== undefined) {
    throw new BerthError("INVALID_ARGUMENT", "--ip-range is for the IPv4 subnet, and this network is IPv6-only", { hint: "Leave out --ip-range" });
  }
  if (want6) requireHostIpv6(name);
  const v6 = want6 ? planIpv6(engine, name, subnets[6], gateways[6], onParent) : undefined;
  const clusterCidrs = options["cluster_cidr"] === undefined ? [] : parseClusterCidrs(options["cluster_cidr"], want4, want6, opts.internal ?? false);
  const nodeCidrs = options["node_cidr"] === undefined ? [] : parseClusterCidrs(options["node_cidr"], want4, want6, opts.internal ?? false, "node_cidr");
  const metric = options["metric"] === undefined ? {} : { metric: String(parseMetric(options["metric"])) };
  const id = newId();
  // for macvlan, `bridge` names the host shim interface (made only with host_shim=true)
  const bridge = macvlan ? macvlan.shimName(id) : opts.interfaceName !== undefined ? parseIfName(opts.interfaceName, "bridge") : nextBridgeName(engine);
  const owner = engine.store.networks.list().find((n) => n.bridge === bridge);
  if (owner) {
    throw new BerthError("IFNAME_IN_USE", `Cannot use bridge "${bridge}": network "${owner.name}" uses it`, { hint: "Choose another --interface-name" });
  }
  const dnsServers = (opts.dnsServers ?? []).map((s) => formatIpv4(parseIpv4(s, "DNS server")));
  return {
    id,
    name,
    driver,
    bridge,
    subnet: v4?.subnet,
    gateway: v4?.gateway,
    ipRange: v4?.ipRange,
    subnet6: v6?.subnet,
    gateway6: v6?.gateway,
    driverOptions: {
      ...(macvlan?.options ?? {
        ...(clusterCidrs.length > 0 ? { cluster_cidr: clusterCidrs.join(",") } : {}),
        ...(nodeCidrs.length > 0 ? { node_cidr: nodeCidrs.join(",") } : {}),
        ...(peers ? { isolate: "peers" } : {}),
        ...(noSpoofFilter ? { spoof_filter: "false" } : {}),
      }),
      ...metric,
    },
    internal: opts.internal ?? false,
    // the resolver listens on the gateway, which a macvlan network's host does not own
    dnsEnabled: !(opts.disableDns ?? false) && throughHost,
    isolate,
    mtu,
    labels: { ...(opts.labels ?? {}) },
    dnsServers,
    created: new Date().toISOString(),
    managedBy: opts.managedBy,
    ...(hostBridge ? { bridgeExternal: true } : {}),
  };
}

/**
 * The interface `--interface-name` names, when it is already on the host:
 * it must be a bridge. Berth will use it as it is (see network/bridge.ts).
 */
function existingHostBridge(engine: Engine, name: string): { name: string; index: number } | undefined {
  const link = engine.host.linkByName(name);
  if (!link) return undefined;
  if (link.kind !== "bridge") {
    throw new BerthError("IFNAME_IN_USE", `Cannot use "${name}" as the network's bridge: it is an interface of type ${link.kind ?? "unknown"} on the host`, {
      hint: "Choose another --interface-name, or leave it out so that Berth picks and makes a bridge",
    });
  }
  return { name, index: link.index };
}

/** `--opt metric=N`: the metric of the default routes through this network (0 to 2^32-1). */
function parseMetric(text: string): number {
  const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n <= 0xffffffff))
    throw new BerthError("INVALID_ARGUMENT", `Invalid value "${text}" for option metric`, {
      hint: "Give the route metric as a whole number, e.g. --opt metric=100",
    });
  return n;
}

function nextBridgeName(engine: Engine): string {
  const used = new Set(engine.store.networks.list().map((n) => n.bridge));
  for (let i = 1; ; i++) {
    const name = `berth${i}`;
    if (!used.has(name) && engine.host.linkByName(name) === undefined) return name;
  }
}

/**
 * `--opt cluster_cidr=CIDR[,CIDR...]`: the addresses routed to and from the
 * network without NAT, typically a cluster's pod CIDR so that pods on other
 * nodes see this node's pods by their own addresses (docs/cni.md).
 */
function parseClusterCidrs(v: string, has4: boolean, has6: boolean, internal: boolean, key: "cluster_cidr" | "node_cidr" = "cluster_cidr"): string[] {
  const hint =
    key === "cluster_cidr"
      ? "Give --opt cluster_cidr=CIDR[,CIDR...], e.g. 10.244.0.0/16 for the pods of every node"
      : "Give --opt node_cidr=CIDR[,CIDR...], e.g. 192.168.1.0/24 for the nodes' own addresses";
  if (internal) {
    throw new BerthError("INVALID_ARGUMENT", `An --internal network cannot have a ${key}: it reaches nothing outside its bridge`, {
      hint: `Leave out --internal, or leave out ${key}`,
    });
  }
  return v.split(",").map((text) => {
    const six = text.includes(":");
    if (six ? !has6 : !has4) {
      throw new BerthError("INVALID_ARGUMENT", `Cannot use ${key} ${text}: the network has no IPv${six ? 6 : 4} subnet`, {
        hint: six ? "Add --ipv6 or an IPv6 --subnet" : "Give an IPv4 --subnet as well",
      });
    }
    let parsed: string;
    try {
      parsed = six ? formatCidr6(parseCidr6(text)) : formatCidr4(parseCidr4(text));
    } catch {
      throw new BerthError("INVALID_ARGUMENT", `Invalid ${key} entry "${text}"`, { hint });
    }
    if (six) requireUnreserved6(parseCidr6(parsed), "Cluster CIDR");
    else requireUnreserved4(parseCidr4(parsed), "Cluster CIDR");
    return parsed;
  });
}

function parseMtu(v: string): number {
  const n = /^[0-9]{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 68 && n <= 65535)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid mtu "${v}"`, { hint: "Give --opt mtu=N with N between 68 and 65535" });
  }
  return n;
}

export function parseBool(key: string, v: string): boolean {
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  throw new BerthError("INVALID_ARGUMENT", `Invalid value "${v}" for option ${key}`, { hint: `Write --opt ${key}=true or --opt ${key}=false` });
}
