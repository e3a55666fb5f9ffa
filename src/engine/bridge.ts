import type { Engine } from "./context.js";
import type { Network } from "../model/network.js";
import { prefixesOf } from "./prefixes.js";
import { randomMac } from "../model/mac.js";
import { sysctlWrite } from "../kernel/index.js";
import { sysctlIfName } from "../kernel/sysctl.js";
import { BerthError } from "../errors.js";

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
  const prefix = prefixesOf(net);
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
  // fast path for every attach after the first: the bridge is there and up
  // (its address and sysctls were set when it was made; reconcile repairs drift)
  if (link && link.up) {
    forwardingOn(net);
    return link.index;
  }
  if (!link) {
    // A MAC of its own: a bridge without one takes the lowest MAC of its ports, so it would change
    // as containers come and go, and every container would lose its gateway until its ARP entry expires
    link = h.bridgeAdd({ name: net.bridge, mtu: net.mtu ?? defaultMtu(engine), mac: randomMac() });
  }
  if (net.gateway !== undefined && prefix.v4 !== undefined && !h.addrList(link.index).some((a) => a.ip === net.gateway && a.prefix === prefix.v4)) {
    h.addrReplace(link.index, net.gateway, prefix.v4);
  }
  if (net.gateway6 !== undefined && prefix.v6 !== undefined) {
    // IPv6 must be on for the bridge (a host may default it off), and the gateway is added without DAD
    sysctlWrite(`net.ipv6.conf.${sysctlIfName(net.bridge)}.disable_ipv6`, "0");
    if (!h.addrList6(link.index).some((a) => a.ip === net.gateway6 && a.prefix === prefix.v6)) h.addrReplace(link.index, net.gateway6, prefix.v6);
  }
  if (!link.up) h.linkSetUp(link.index);
  forwardingOn(net);
  for (const s of engine.firewall.requiredSysctls(net.bridge)) sysctlWrite(s.key, s.value);
  return link.index;
}

/**
 * A network that is not internal needs the host to forward: checked on
 * every attach (one read when it is on), as netavark does on every setup,
 * so a read-only /proc/sys or a forwarding switched off since the bridge
 * was made fails the attach instead of leaving a container cut off.
 */
function forwardingOn(net: Network): void {
  const set = (key: string) => {
    try {
      sysctlWrite(key, "1");
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
  forwardingOn(net);
  for (const s of engine.firewall.requiredSysctls(net.bridge)) sysctlWrite(s.key, s.value);
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
