import { basename } from "node:path";
import type { Link } from "../../kernel/index.js";
import { isBerthBridge } from "../network/bridge-mark.js";
import { GraphBuilder, HOST_ID, HOST_NS, nodeId } from "./graph.js";
import { linkAttributes } from "./attributes.js";
import { isUnreadable, type KernelSnapshot, type NamespaceSnapshot, type StoreSnapshot } from "./snapshot.js";

/**
 * What other tools made, as nodes of their own kinds, apart from Berth's:
 * each Linux bridge on the host that no Berth network names and that has
 * no Berth mark (docker0, virbr0, another CNI plugin's cni0), with its
 * addresses, state and number of ports; and each named namespace no Berth
 * container uses, with its interfaces as an attribute. Berth does not judge
 * them: they never carry a problem.
 */
export function addOthers(g: GraphBuilder, k: KernelSnapshot, s: StoreSnapshot): void {
  const berthBridges = new Set(s.networks.map((n) => n.bridge));
  for (const l of k.host.links) {
    if (l.kind !== "bridge" || berthBridges.has(l.name) || isBerthBridge(l)) continue;
    // the host's uplink (a LAN bridge such as br0), or the holder of a published port's address: drawn once, as the host's interface
    if (g.has(nodeId.iface(HOST_NS, l.name))) continue;
    const ports = k.host.links.filter((p) => p.masterIndex === l.index).length;
    const addrs = k.host.addrs.filter((a) => a.ifindex === l.index).map((a) => `${a.ip}/${a.prefix}`);
    const id = nodeId.otherBridge(l.name);
    g.addNode({ id, kind: "other-bridge", label: l.name, attributes: { ...linkAttributes(l, addrs), ports } });
    g.addEdge(id, HOST_ID, "in-namespace");
  }
  for (const o of k.others) {
    const snap = o.snapshot;
    g.addNode({
      id: nodeId.otherNamespace(o.path),
      kind: "other-namespace",
      label: basename(o.path),
      attributes: { path: o.path, processes: o.nprocs, ...(isUnreadable(snap) ? { unreadable: snap.error } : { interfaces: interfaceLines(snap) }) },
    });
  }
}

/** One entry per link: "NAME up|down ADDRESS...", as `ip -br addr` says it. */
export function interfaceLines(ns: NamespaceSnapshot): string[] {
  return ns.links.map((l: Link) =>
    [l.name, l.up ? "up" : "down", ...ns.addrs.filter((a) => a.ifindex === l.index).map((a) => `${a.ip}/${a.prefix}`)].join(" "),
  );
}
