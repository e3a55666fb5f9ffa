import { GraphIndex, HOST_ID, type TopologyGraph } from "./graph.js";

/**
 * Keep the nodes in `keep` and the host, and the edges between kept nodes.
 */
function restrict(graph: TopologyGraph, keep: Set<string>): TopologyGraph {
  keep.add(HOST_ID);
  return {
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges: graph.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
  };
}

/**
 * One container: its namespace and the interfaces in it, the veths peered
 * with them, the bridges those hang off, and the ports published to it.
 */
export function restrictToContainer(graph: TopologyGraph, containerId: string): TopologyGraph {
  const ix = new GraphIndex(graph);
  const keep = new Set<string>([containerId]);
  const ifaces: string[] = [];
  for (const ns of ix.out(containerId, "in-namespace")) {
    keep.add(ns.id);
    if (ns.kind !== "namespace") continue;
    for (const i of ix.in(ns.id, "in-namespace").filter((n) => n.kind === "interface")) ifaces.push(i.id);
  }
  for (const i of ifaces) {
    keep.add(i);
    for (const v of ix.linked(i, "peer")) {
      keep.add(v.id);
      for (const b of ix.out(v.id, "enslaved")) keep.add(b.id);
    }
    for (const p of ix.in(i, "publishes")) keep.add(p.id);
  }
  return restrict(graph, keep);
}

/**
 * One network (given as its bridge's node id): the bridge, the veths on it,
 * their peers and the namespaces and containers those are in, and ports
 * published to those interfaces.
 */
export function restrictToBridge(graph: TopologyGraph, bridgeId: string): TopologyGraph {
  const ix = new GraphIndex(graph);
  const keep = new Set<string>([bridgeId]);
  for (const v of ix.in(bridgeId, "enslaved")) {
    keep.add(v.id);
    for (const i of ix.linked(v.id, "peer")) {
      keep.add(i.id);
      for (const p of ix.in(i.id, "publishes")) keep.add(p.id);
      const ns = ix.namespaceOf(i.id);
      if (!ns || ns.kind !== "namespace") continue;
      keep.add(ns.id);
      for (const c of ix.in(ns.id, "in-namespace").filter((n) => n.kind === "container")) keep.add(c.id);
    }
  }
  return restrict(graph, keep);
}
