import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import type { Attachment } from "../../model/container.js";
import { MACVLAN_MODE_NAMES, type MacvlanMode, type RouteSpec } from "../../kernel/index.js";
import type { Netlink } from "../deps/index.js";
import { cidrContains, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { cidr6Contains, parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { parseIfName } from "../../model/names.js";
import { BerthError } from "../../errors.js";
import { isBerthBridge } from "./bridge-mark.js";

const MODES: readonly MacvlanMode[] = MACVLAN_MODE_NAMES;

/** What a macvlan network records from its --opt values. */
export interface MacvlanPlan {
  readonly parent: string;
  readonly options: Readonly<Record<string, string>>;
  /** The host shim interface's name for a network id: "bmv" + 12 hex (fits IFNAMSIZ). */
  shimName(networkId: string): string;
}

/** Validate `--opt parent=IFACE [mode=...] [host_shim=...]` against the host (the parent must exist). */
export function planMacvlan(engine: Engine, options: Readonly<Record<string, string>>): MacvlanPlan {
  const parentText = options["parent"];
  if (parentText === undefined) {
    throw new BerthError("INVALID_ARGUMENT", "A macvlan network needs a parent interface", { hint: "Give --opt parent=IFACE, e.g. --opt parent=eth0" });
  }
  const parent = parseIfName(parentText, "parent interface");
  const link = engine.host.linkByName(parent);
  if (!link) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot use "${parent}" as the macvlan parent: no such interface on the host`, {
      hint: "List interfaces with `ip link` and give --opt parent=IFACE",
    });
  }
  if (isBerthBridge(link)) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot use Berth's bridge "${parent}" as a macvlan parent`, {
      hint: "Give a host interface on the segment the containers should join",
    });
  }
  const mode = (options["mode"] ?? "bridge") as MacvlanMode;
  if (!MODES.includes(mode)) {
    throw new BerthError("INVALID_ARGUMENT", `Unknown macvlan mode "${options["mode"] ?? ""}"`, { hint: `Give --opt mode=${MODES.join("|")}` });
  }
  const shim = options["host_shim"] ?? "false";
  if (!["true", "false", "1", "0"].includes(shim)) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid value "${shim}" for option host_shim`, { hint: "Write --opt host_shim=true or --opt host_shim=false" });
  }
  const hostShim = shim === "true" || shim === "1";
  if (hostShim && mode !== "bridge") {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `host_shim needs macvlan mode bridge, not ${mode}: only bridge mode passes frames between the shim and the containers`,
      {
        hint: "Leave out --opt mode, or drop --opt host_shim",
      },
    );
  }
  return {
    parent,
    options: { parent, mode, host_shim: String(hostShim) },
    shimName: (networkId) => `bmv${networkId.slice(0, 12)}`,
  };
}

export function macvlanMode(net: Network): MacvlanMode {
  const m = net.driverOptions["mode"] as MacvlanMode | undefined;
  return m !== undefined && MODES.includes(m) ? m : "bridge";
}

export function hasHostShim(net: Network): boolean {
  // an option of macvlan networks only (network create refuses it for a bridge)
  return net.driverOptions["host_shim"] === "true";
}

/** The parent's ifindex on the host, or a MACVLAN_PARENT error that says what to do. */
export function parentIndex(engine: Engine, net: Network): number {
  const parent = net.driverOptions["parent"] ?? "";
  const link = engine.host.linkByName(parent);
  if (!link) {
    throw new BerthError("INVALID_ARGUMENT", `Cannot attach to macvlan network "${net.name}": its parent interface "${parent}" is gone`, {
      hint: `Bring ${parent} back, or remove the network and create it again with another --opt parent`,
    });
  }
  return link.index;
}

/**
 * The host shim (host_shim=true): a macvlan interface of the host on the same
 * parent, in bridge mode, so the host can reach its macvlan children (the
 * kernel never passes frames between a parent and its macvlans). It has no
 * address of its own; each container gets a host route through it.
 * Equivalent to: ip link add link PARENT name bmvXXX type macvlan mode bridge; ip link set bmvXXX up
 */
export function ensureHostShim(engine: Engine, net: Network): number {
  const h = engine.host;
  const existing = h.linkByName(net.bridge);
  if (existing) {
    if (!existing.up) h.linkSetUp(existing.index);
    return existing.index;
  }
  h.macvlanAdd({ name: net.bridge, parentIndex: parentIndex(engine, net), mode: "bridge" });
  const link = h.linkByName(net.bridge);
  if (!link) throw new BerthError("KERNEL", `The host shim ${net.bridge} of network "${net.name}" vanished right after it was made`);
  if (!link.up) h.linkSetUp(link.index);
  return link.index;
}

/**
 * Host routes to one container through the shim: ip route replace IP/32 dev
 * SHIM [src HOSTIP] (and IP6/128). The source is the host's own address on
 * the parent inside the network's subnet, when it has one, so the
 * container's reply stays on the segment and comes back through the shim.
 */
export function shimRoutes(engine: Engine, net: Network, a: Attachment, shimIndex: number): RouteSpec[] {
  const parent = engine.host.linkByName(net.driverOptions["parent"] ?? "");
  const own = (addrs: readonly { ifindex: number; ip: string }[], inSubnet: (ip: string) => boolean) =>
    parent === undefined ? undefined : addrs.find((x) => x.ifindex === parent.index && inSubnet(x.ip))?.ip;
  const out: RouteSpec[] = [];
  if (a.ip !== undefined && net.subnet !== undefined) {
    const subnet = parseCidr4(net.subnet);
    const src = own(engine.host.addrList(), (ip) => cidrContains(subnet, parseIpv4(ip)));
    out.push({ dst: `${a.ip}/32`, ifindex: shimIndex, ...(src === undefined ? {} : { src }) });
  }
  if (a.ip6 !== undefined && net.subnet6 !== undefined) {
    const subnet = parseCidr6(net.subnet6);
    const src = own(engine.host.addrList6(), (ip) => cidr6Contains(subnet, parseIpv6(ip)));
    out.push({ dst: `${a.ip6}/128`, ifindex: shimIndex, ...(src === undefined ? {} : { src }) });
  }
  return out;
}

/** Delete a container's macvlan interface inside its namespace; fine when it or the namespace is gone. */
export function removeContainerMacvlan(engine: Engine, netns: string | undefined, ifname: string | undefined): void {
  if (netns === undefined || ifname === undefined) return;
  let h: Netlink;
  try {
    h = engine.kernel.open(netns);
  } catch {
    return; // the namespace is gone, and the interface with it
  }
  try {
    h.linkRemove(ifname);
  } finally {
    h.close();
  }
}
