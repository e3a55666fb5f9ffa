import type { Engine } from "../context.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import type { Proto } from "../../model/port-spec.js";
import { SET } from "../../firewall/index.js";
import { sysctlRead } from "../../kernel/index.js";
import { forwardVerdict, type ForwardSets } from "./forward-verdict.js";
import type { HopList } from "./hop.js";
import { traceIntoContainer } from "./into-container.js";

interface Leg {
  readonly from: Attachment;
  readonly fromNet: Network;
  readonly to: Attachment;
  readonly toNet: Network;
}

/** An ifname set's members: nft JSON gives a plain string, or { elem: { val, comment } } for an element with a comment. */
function ifnames(engine: Engine, set: string): Set<string> {
  const out = new Set<string>();
  for (const e of engine.firewall.setElements(set)) {
    if (typeof e === "string") out.add(e);
    else if (typeof e === "object" && e !== null && "elem" in e) {
      const val = (e.elem as { val?: unknown } | null)?.val;
      if (typeof val === "string") out.add(val);
    }
  }
  return out;
}

function readSysctl(key: string): string | undefined {
  try {
    return sysctlRead(key);
  } catch {
    return undefined;
  }
}

/** How to give the two a network in common, for the container's owner. */
function connectFix(from: Container, toNet: Network): string {
  return from.managedBy === undefined ? `berth network connect ${toNet.name} ${from.name}` : `${from.managedBy} network connect ${toNet.name} ${from.name}`;
}

/**
 * Two containers with no network in common: the connection is routed by the
 * host from one network's bridge to the other's, where chain forward of
 * `table inet berth` decides (internal and isolated networks, isolate=peers).
 * Tries each pair of their networks and follows the first one the live
 * table lets through, else reports the rule that drops the first pair.
 * Names do not resolve across networks (the resolver answers a container
 * only about containers it shares a network with): the path is by address.
 * Returns the verdict text when reachable, undefined when the path breaks.
 */
export function traceAcrossNetworks(engine: Engine, hops: HopList, from: Container, to: Container, port: number | undefined, proto: Proto): string | undefined {
  const legs: Leg[] = [];
  const withNet = (a: Attachment) => {
    const n = engine.store.networks.byId(a.networkId);
    return n ? [{ a, n }] : [];
  };
  const fromAtts = engine.store.attachments.forContainer(from.id).flatMap(withNet);
  const toAtts = engine.store.attachments.forContainer(to.id).flatMap(withNet);
  for (const f of fromAtts) for (const t of toAtts) legs.push({ from: f.a, fromNet: f.n, to: t.a, toNet: t.n });
  const names = (xs: { n: Network }[]) => xs.map((x) => x.n.name).join(", ") || "none";
  const first = legs[0];
  if (!first) {
    hops.fail(
      "shared network",
      `${from.name} is on ${names(fromAtts)}, ${to.name} on ${names(toAtts)}`,
      toAtts[0] ? connectFix(from, toAtts[0].n) : `${to.name} has no network; re-run it with --network`,
    );
    return undefined;
  }
  hops.ok(
    "shared network",
    `none: ${from.name} is on ${names(fromAtts)}, ${to.name} on ${names(toAtts)}; the host routes between their bridges, and names do not resolve across networks`,
  );
  if (!engine.firewall.tableExists()) {
    hops.fail("firewall", "Berth's table inet berth is gone: nothing isolates the networks or masquerades them", "run `berth system reconcile` to restore it");
    return undefined;
  }
  const sets: ForwardSets = {
    bridges: ifnames(engine, SET.bridges),
    internal: ifnames(engine, SET.internal),
    isolated: ifnames(engine, SET.isolated),
    isolatedPeers: ifnames(engine, SET.isolatedPeers),
  };
  const byBridge = new Map([...fromAtts, ...toAtts].map((x) => [x.n.bridge, x.n.name]));
  const name = (bridge: string) => byBridge.get(bridge) ?? bridge;
  const judged = legs.map((leg) => ({ leg, v: forwardVerdict(sets, leg.fromNet.bridge, leg.toNet.bridge, name) }));
  const open = judged.find((j) => j.v.accepted);
  if (!open) {
    const { leg, v } = judged[0] ?? { leg: first, v: forwardVerdict(sets, first.fromNet.bridge, first.toNet.bridge, name) };
    hops.fail(
      "isolation",
      `${leg.fromNet.bridge} -> ${leg.toNet.bridge}: rule "${v.rule}" (${v.match}) in chain forward of table inet berth drops it: ${v.because}`,
      `put both on one network: ${connectFix(from, leg.toNet)}`,
    );
    return undefined;
  }
  const { leg, v } = open;
  hops.ok("isolation", `${leg.fromNet.bridge} -> ${leg.toNet.bridge}: rule "${v.rule}" (${v.match}) lets it through: ${v.because}`);
  const address = leg.to.ip ?? leg.to.ip6;
  const forwarding = leg.to.ip !== undefined ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
  if (address === undefined) {
    hops.fail("address", `${to.name} has no address on ${leg.toNet.name}`, `connect ${to.name} to a network with a subnet`);
    return undefined;
  }
  if (readSysctl(forwarding) !== "1") {
    hops.fail("kernel settings", `${forwarding} is off: the host does not route between the bridges`, `sysctl -w ${forwarding}=1`);
    return undefined;
  }
  hops.ok("kernel settings", `${forwarding}=1; ${from.name} reaches ${to.name} by its address ${address} (no name across networks)`);
  if (!traceIntoContainer(engine, hops, to, leg.to, leg.toNet, port, proto)) return undefined;
  return `${from.name} -> ${to.name} ${address}${port === undefined ? "" : `:${port}/${proto}`} from ${leg.fromNet.bridge} routed to ${leg.toNet.bridge}`;
}
