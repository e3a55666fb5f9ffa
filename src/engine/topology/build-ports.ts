import { hostPort } from "../../model/ip.js";
import { basename } from "node:path";
import type { PortMapping } from "../../firewall/index.js";
import { GraphBuilder, HOST_ID, HOST_NS, nodeId } from "./graph.js";
import { linkAttributes } from "./attributes.js";
import { isUnreadable, type KernelSnapshot, type NamespaceSnapshot, type StoreSnapshot } from "./snapshot.js";

/**
 * Published ports: one node per element of the nft DNAT maps, pointing at
 * the container interface holding its target address; store rows the maps
 * lack, and elements no store row explains, are problems.
 */
export function addPorts(g: GraphBuilder, k: KernelSnapshot, s: StoreSnapshot): void {
  const ifaceByIp = new Map<string, string>();
  for (const [path, snap] of k.namespaces) {
    if (isUnreadable(snap)) continue;
    const byIndex = new Map(snap.links.map((l) => [l.index, l.name]));
    for (const a of snap.addrs) {
      const name = byIndex.get(a.ifindex);
      if (name !== undefined && a.ip !== "127.0.0.1") ifaceByIp.set(a.ip, nodeId.iface(basename(path), name));
    }
  }
  const containerById = new Map(s.containers.map((c) => [c.id, c]));
  const key = (m: { proto: string; hostIp: string; hostPort: number }) => nodeId.port(m.proto, m.hostIp, m.hostPort);
  const stored = new Map(s.ports.map((p) => [key(p), p]));
  if (isUnreadable(k.ports)) {
    g.problem(HOST_ID, `cannot read the published ports: ${k.ports.error}`);
    return;
  }
  const live = new Set<string>();
  for (const m of k.ports) {
    const id = key(m);
    live.add(id);
    const row = stored.get(id);
    const c = row ? containerById.get(row.containerId) : undefined;
    g.addNode({ id, kind: "port", label: portLabel(m), attributes: { ...portAttributes(m), ...(c ? { container: c.name } : {}) } });
    const target = ifaceByIp.get(m.containerIp);
    if (target) g.addEdge(id, target, "publishes");
    else g.problem(id, `no container interface holds ${m.containerIp}`);
    if (!row) g.problem(id, "published in the nft map, but no container in the store publishes it");
    else if (row.containerPort !== m.containerPort) g.problem(id, `the store maps it to container port ${row.containerPort}`);
    addHostAddressIface(g, k.host, m.hostIp);
  }
  for (const [id, p] of stored) {
    if (live.has(id)) continue;
    const c = containerById.get(p.containerId);
    g.addNode({
      id,
      kind: "port",
      label: `${p.proto} ${hostPort(p.hostIp, p.hostPort)} -> :${p.containerPort}`,
      attributes: { proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, ...(c ? { container: c.name } : {}) },
      problem: "in the store, but missing from the nft map",
    });
    const first = c?.netns ? s.attachments.find((a) => a.containerId === p.containerId) : undefined;
    if (first && c?.netns) g.addEdge(id, nodeId.iface(basename(c.netns), first.ifname), "publishes");
  }
}

/** A port published on one host address: show the host interface that holds it. */
function addHostAddressIface(g: GraphBuilder, host: NamespaceSnapshot, ip: string): void {
  const a = host.addrs.find((x) => x.ip === ip);
  const l = a ? host.links.find((x) => x.index === a.ifindex) : undefined;
  if (!l) return;
  const id = nodeId.iface(HOST_NS, l.name);
  const addrs = host.addrs.filter((x) => x.ifindex === l.index).map((x) => `${x.ip}/${x.prefix}`);
  g.addNode({ id, kind: "interface", label: l.name, attributes: linkAttributes(l, addrs) });
  g.addEdge(id, HOST_ID, "in-namespace");
}

export function portLabel(m: PortMapping): string {
  return `${m.proto} ${hostPort(m.hostIp, m.hostPort)} -> ${hostPort(m.containerIp, m.containerPort)}`;
}

function portAttributes(m: PortMapping): Record<string, string | number> {
  return { proto: m.proto, hostIp: m.hostIp, hostPort: m.hostPort, containerIp: m.containerIp, containerPort: m.containerPort };
}
