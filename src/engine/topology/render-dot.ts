import { GraphIndex, HOST_ID, attrList, attrText, type EdgeKind, type NodeKind, type TopoNode, type TopologyGraph } from "./graph.js";

const SHAPES: Record<NodeKind, string> = {
  host: "box3d",
  bridge: "box",
  veth: "cds",
  interface: "ellipse",
  container: "component",
  namespace: "folder",
  port: "hexagon",
  "other-bridge": "box",
  "other-namespace": "folder",
};

/** Kinds drawn in the cluster of what other tools made, apart from Berth's. */
const OTHER_KINDS: readonly NodeKind[] = ["other-bridge", "other-namespace"];

const EDGE_STYLE: Record<EdgeKind, string> = {
  enslaved: "",
  peer: 'dir=both, style=bold, label="veth"',
  "in-namespace": "style=dotted, arrowhead=none",
  publishes: 'style=dashed, color="#1f6feb", label="DNAT"',
  "routes-to": 'style=dashed, label="default"',
};

/** A double-quoted dot ID (every id and label goes through this). */
export function dotQuote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/**
 * Graphviz dot text: one cluster per network namespace (the host's too),
 * holding its interfaces and containers, and one dashed cluster, apart,
 * for the bridges and named namespaces other tools made. Membership is
 * drawn by the clusters, so in-namespace edges are left out.
 */
export function renderDot(graph: TopologyGraph): string {
  const ix = new GraphIndex(graph);
  const out: string[] = ["digraph berth {", "  rankdir=LR;", '  node [fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  const clusters = new Map<string, TopoNode[]>();
  const loose: TopoNode[] = [];
  const others = graph.nodes.filter((n) => OTHER_KINDS.includes(n.kind));
  for (const n of graph.nodes) {
    if (n.kind === "host" || n.kind === "namespace" || OTHER_KINDS.includes(n.kind)) continue;
    const ns = ix.namespaceOf(n.id);
    if (ns) clusters.set(ns.id, [...(clusters.get(ns.id) ?? []), n]);
    else loose.push(n);
  }
  const roots = graph.nodes.filter((n) => n.kind === "host" || n.kind === "namespace");
  roots.forEach((r, i) => {
    out.push(`  subgraph ${dotQuote(`cluster_${i}`)} {`);
    out.push(`    label=${dotQuote(clusterLabel(r))};`);
    if (r.problem) out.push('    color="red";');
    for (const n of clusters.get(r.id) ?? []) out.push(`    ${nodeLine(n)}`);
    out.push("  }");
  });
  if (others.length > 0) {
    out.push(`  subgraph ${dotQuote("cluster_others")} {`);
    out.push(`    label=${dotQuote("not Berth's: other bridges and namespaces")};`);
    out.push("    style=dashed;");
    for (const n of others) out.push(`    ${nodeLine(n)}`);
    out.push("  }");
  }
  for (const n of loose) out.push(`  ${nodeLine(n)}`);
  for (const e of graph.edges) {
    if (e.kind === "in-namespace") continue;
    if (!ix.node(e.from) || !ix.node(e.to)) continue;
    // the host's default route is in its cluster's label; a namespace is a cluster, not a node,
    // so its default route starts at the interface it goes out of
    if (e.from === HOST_ID) continue;
    const src = ix.node(e.from)?.kind === "namespace" ? routeSource(ix, e.from) : e.from;
    if (!src) continue;
    const style = EDGE_STYLE[e.kind];
    out.push(`  ${dotQuote(src)} -> ${dotQuote(e.to)}${style ? ` [${style}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

function routeSource(ix: GraphIndex, nsId: string): string | undefined {
  const n = ix.node(nsId);
  const dev = /dev (\S+)/.exec(attrText(n, "defaultRoute"))?.[1];
  if (!dev) return undefined;
  return ix.in(nsId, "in-namespace").find((i) => i.kind === "interface" && i.label === dev)?.id;
}

function clusterLabel(n: TopoNode): string {
  const parts = [n.kind === "host" ? `host ${attrText(n, "hostname")}`.trim() : `netns ${n.label}`];
  const def = attrText(n, "defaultRoute");
  if (def) parts.push(`default ${def}`);
  if (n.problem) parts.push(`PROBLEM: ${n.problem}`);
  return parts.join("\n");
}

function nodeLine(n: TopoNode): string {
  const lines = [n.kind === "container" ? `${n.label} (${attrText(n, "id")})` : n.label];
  if (n.kind === "bridge" && attrText(n, "network"))
    lines.push(`network ${attrText(n, "network")}${attrText(n, "isolate") === "peers" ? " isolate=peers" : ""}`);
  if (n.kind === "other-namespace") lines[0] = `netns ${n.label}`;
  lines.push(...attrList(n, "addresses"));
  if (n.kind === "other-bridge") lines.push(`${attrText(n, "up") === "true" ? "up" : "down"}, ${attrText(n, "ports") || "0"} port(s)`);
  if (n.kind === "other-namespace") lines.push(...(attrText(n, "unreadable") ? [`not read: ${attrText(n, "unreadable")}`] : attrList(n, "interfaces")));
  if (n.kind === "interface" && attrText(n, "type") === "veth") lines.push(attrText(n, "mac"));
  if (n.problem) lines.push(`PROBLEM: ${n.problem}`);
  const extra = n.problem ? ', color="red", fontcolor="red"' : "";
  return `${dotQuote(n.id)} [label=${dotQuote(lines.join("\n"))}, shape=${SHAPES[n.kind]}${extra}];`;
}
