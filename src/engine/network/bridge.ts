import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { prefixesOf } from "./prefixes.js";
import { randomMac } from "../../model/mac.js";
import { sysctlIfName } from "../../kernel/sysctl.js";
import { requireHostIpv6 } from "./host-ipv6.js";
import { BerthError, KernelError } from "../../errors.js";
import type { Link } from "../../kernel/index.js";
import { UndoStack } from "../undo.js";
import { BERTH_BRIDGE_MARK } from "./bridge-mark.js";

/**
 * A Linux bridge takes at most this many ports: port numbers come from a
 * bitmap of BR_MAX_PORTS (1,024) bits whose bit 0 is reserved, so the
 * 1,024th port fails with EXFULL.
 */
export const BRIDGE_MAX_PORTS = 1023;

/** The errno of adding a port to a bridge that has BRIDGE_MAX_PORTS already. */
export const EXFULL = 54;

/**
 * Create the network's bridge if it is missing (with its gateway address, up),
 * or check the existing one. Returns the bridge's ifindex.
 * Equivalent to: ip link add BR type bridge; ip addr add GW/P dev BR; ip link set BR up
 */
export function ensureBridge(engine: Engine, net: Network, opts: { useCache?: boolean } = {}): number {
  const cached = engine.bridgeIndexes.get(net.bridge);
  if (opts.useCache && cached !== undefined) return cached;
  const index = lookUpOrCreateBridge(engine, net);
  engine.bridgeIndexes.set(net.bridge, index);
  return index;
}

function lookUpOrCreateBridge(engine: Engine, net: Network): number {
  const h = engine.host;
  let link = h.linkByName(net.bridge);
  if (link && link.kind !== "bridge") {
    throw new BerthError(
      "IFNAME_IN_USE",
      `Cannot create bridge "${net.bridge}" for network "${net.name}": an interface of type ${link.kind ?? "unknown"} has that name`,
      {
        hint: `Remove that interface, or create the network with another --interface-name`,
      },
    );
  }
  if (link && net.bridgeExternal) return checkExternalBridge(engine, net, link.index, link.up);
  // a bridge of this network made by a Berth older than the mark gets it now
  if (link && link.alias !== BERTH_BRIDGE_MARK) h.linkSetAlias(link.index, BERTH_BRIDGE_MARK);
  // fast path for every attach after the first: the bridge is there and up
  // (its address and sysctls were set when it was made; reconcile repairs drift)
  if (link && link.up) {
    forwardingOn(engine, net);
    return link.index;
  }
  const undo = new UndoStack();
  try {
    if (!link) {
      // A MAC of its own: a bridge without one takes the lowest MAC of its ports, so it would change
      // as containers come and go, and every container would lose its gateway until its ARP entry expires
      link = h.bridgeAdd({ name: net.bridge, mtu: net.mtu ?? defaultMtu(engine), mac: randomMac() });
      undo.push(`delete bridge ${net.bridge}`, () => h.linkRemove(net.bridge));
      // marked at once (the kernel ignores an alias in the request that creates a link), so that
      // reconcile, reset and doctor know it as Berth's whatever its name, even if the store never records it
      h.linkSetAlias(link.index, BERTH_BRIDGE_MARK);
    }
    return configureBridge(engine, net, link);
  } catch (e) {
    throw undo.unwindSync(e);
  }
}

/** The gateways on the bridge, IPv6 on, the bridge up, forwarding and the firewall's sysctls. */
function configureBridge(engine: Engine, net: Network, link: Link): number {
  const h = engine.host;
  const prefix = prefixesOf(net);
  if (net.gateway !== undefined && prefix.v4 !== undefined && !h.addrList(link.index).some((a) => a.ip === net.gateway && a.prefix === prefix.v4)) {
    h.addrReplace(link.index, net.gateway, prefix.v4);
  }
  if (net.gateway6 !== undefined && prefix.v6 !== undefined) {
    // IPv6 must be on for the bridge (a host may default new interfaces to off, but not switch it off for all), and the gateway is added without DAD
    requireHostIpv6(net.name);
    engine.kernel.sysctlWrite(`net.ipv6.conf.${sysctlIfName(net.bridge)}.disable_ipv6`, "0");
    if (!h.addrList6(link.index).some((a) => a.ip === net.gateway6 && a.prefix === prefix.v6)) h.addrReplace(link.index, net.gateway6, prefix.v6);
  }
  if (!link.up) h.linkSetUp(link.index);
  forwardingOn(engine, net);
  bridgeSysctls(engine, net);
  return link.index;
}

const EROFS = 30;

/**
 * The sysctls the firewall needs on the bridge: route_localnet, for ports
 * published on 127.0.0.1. Where /proc/sys is read-only (Podman in a
 * container) a network without published ports still works, as with
 * netavark: the write is left to publishing (localnetForPorts), which
 * fails then.
 */
function bridgeSysctls(engine: Engine, net: Network): void {
  for (const s of engine.firewall.requiredSysctls(net.bridge)) {
    try {
      engine.kernel.sysctlWrite(s.key, s.value);
    } catch (e) {
      if (!(e instanceof KernelError && e.errno === EROFS && s.key.endsWith(".route_localnet"))) throw e;
    }
  }
}

/** route_localnet on the bridge that a container's published ports lead to (a no-op when it is on). */
export function localnetForPorts(engine: Engine, bridge: string): void {
  for (const s of engine.firewall.requiredSysctls(bridge)) engine.kernel.sysctlWrite(s.key, s.value);
}

/**
 * A network that is not internal needs the host to forward: checked on
 * every attach (one read when it is on), as netavark does on every setup,
 * so a read-only /proc/sys or a forwarding switched off since the bridge
 * was made fails the attach instead of leaving a container cut off.
 */
function forwardingOn(engine: Engine, net: Network): void {
  const set = (key: string) => {
    try {
      engine.kernel.sysctlWrite(key, "1");
    } catch (e) {
      throw new BerthError("KERNEL", `Cannot turn on ${key} for network "${net.name}": ${e instanceof Error ? e.message : String(e)}`, {
        hint: `Containers on a non-internal network need forwarding: run \`sysctl -w ${key}=1\` where /proc/sys is writable (or create the network with --internal)`,
        cause: e,
      });
    }
  };
  if (!net.internal && net.gateway !== undefined) set("net.ipv4.ip_forward");
  if (!net.internal && net.gateway6 !== undefined) set("net.ipv6.conf.all.forwarding");
}

/**
 * A bridge that was on the host before its network: used as it is. Berth
 * neither adds nor removes its addresses, so it must already carry the
 * network's gateways; it is only brought up and given the sysctls the
 * firewall needs (route_localnet is safe behind chain localhost_guard).
 */
function checkExternalBridge(engine: Engine, net: Network, index: number, up: boolean): number {
  const missing = missingGateways(engine, net, index);
  if (missing.length > 0) throw externalBridgeWithoutGateway(net, missing);
  if (!up) engine.host.linkSetUp(index);
  forwardingOn(engine, net);
  bridgeSysctls(engine, net);
  return index;
}

/** The network's gateways (address/prefix) that the bridge at `index` does not carry. */
export function missingGateways(engine: Engine, net: Network, index: number): string[] {
  const prefix = prefixesOf(net);
  const out: string[] = [];
  if (net.gateway !== undefined && !engine.host.addrList(index).some((a) => a.ip === net.gateway && a.prefix === prefix.v4))
    out.push(`${net.gateway}/${prefix.v4 ?? ""}`);
  if (net.gateway6 !== undefined && !engine.host.addrList6(index).some((a) => a.ip === net.gateway6 && a.prefix === prefix.v6))
    out.push(`${net.gateway6}/${prefix.v6 ?? ""}`);
  return out;
}

export function externalBridgeWithoutGateway(net: Pick<Network, "bridge" | "name">, missing: readonly string[]): BerthError {
  return new BerthError(
    "IFNAME_IN_USE",
    `Bridge "${net.bridge}" of network "${net.name}" was on the host before the network and does not carry its gateway ${missing.join(" and ")}; Berth does not change the addresses of a bridge it did not make`,
    {
      hint: `Add the address yourself (\`ip addr add ${missing[0] ?? ""} dev ${net.bridge}\`), give a --subnet and --gateway the bridge already has, or name a bridge that does not exist yet so that Berth makes it`,
    },
  );
}

/**
 * Delete the network's bridge (a sweep: fine if it is already gone), unless
 * it was on the host before the network: that one stays, with its addresses.
 */
export function removeNetworkBridge(engine: Engine, net: Network): boolean {
  engine.bridgeIndexes.delete(net.bridge);
  if (net.bridgeExternal) return false;
  return engine.host.linkRemove(net.bridge);
}

/** Delete the bridge when no container is attached any more. Succeeds if it is already gone. */
export function removeBridgeIfUnused(engine: Engine, net: Network): boolean {
  if (engine.store.attachments.countForNetwork(net.id) > 0) return false;
  return removeNetworkBridge(engine, net);
}

/** The MTU of the host's default-route interface, else 1500. */
export function defaultMtu(engine: Engine): number {
  const h = engine.host;
  const def = h.routeList().find((r) => r.dst === undefined && r.ifindex !== undefined);
  const link = def?.ifindex === undefined ? undefined : h.linkByIndex(def.ifindex);
  return link?.mtu ?? 1500;
}
