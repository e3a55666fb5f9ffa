/**
 * The topology graph: what `berth topology` draws. Nodes are kernel objects
 * (bridges, veths, interfaces, namespaces, the host) and Berth's objects
 * (containers, published ports); edges say how they hang together. Ids are
 * stable across runs ("bridge:berth0", "container:web", "veth:bth…",
 * "port:tcp/0.0.0.0/9090"), so the JSON can be diffed and asserted on.
 *
 * What other tools made is kept apart, in kinds of its own: "other-bridge"
 * (a Linux bridge on the host that is no Berth network's and carries no
 * Berth mark: docker0, virbr0, another CNI plugin's cni0) and
 * "other-namespace" (a named namespace, `ip netns add`'s, that no Berth
 * container uses). Their interfaces are attributes, not nodes, so nothing
 * that walks Berth's own nodes meets them.
 */
export type NodeKind = "host" | "bridge" | "veth" | "interface" | "container" | "namespace" | "port" | "other-bridge" | "other-namespace";
export type EdgeKind = "enslaved" | "peer" | "in-namespace" | "publishes" | "routes-to";

export type AttributeValue = string | number | boolean | readonly string[];
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface TopoNode {
  readonly id: string;
  readonly kind: NodeKind;
  readonly label: string;
  readonly attributes: Attributes;
  /** Where kernel and store disagree about this object, in words. */
  readonly problem?: string;
}

export interface TopoEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

export interface TopologyGraph {
  readonly nodes: readonly TopoNode[];
  readonly edges: readonly TopoEdge[];
}

export const NODE_KINDS: readonly NodeKind[] = ["host", "bridge", "veth", "interface", "container", "namespace", "port", "other-bridge", "other-namespace"];
export const EDGE_KINDS: readonly EdgeKind[] = ["enslaved", "peer", "in-namespace", "publishes", "routes-to"];

/** The id of the host (its network namespace). */
export const HOST_ID = "host";
/** The host's namespace name in interface ids: "interface:host/eth0". */
export const HOST_NS = "host";

/** Stable node ids, one function per kind. */
export const nodeId = {
  bridge: (name: string) => `bridge:${name}`,
  veth: (ifname: string) => `veth:${ifname}`,
  container: (name: string) => `container:${name}`,
  /** `ns` is the namespace file's base name (berth-<id12>), or "host". */
  iface: (ns: string, ifname: string) => `interface:${ns}/${ifname}`,
  namespace: (ns: string) => `namespace:${ns}`,
  port: (proto: string, hostIp: string, hostPort: number) => `port:${proto}/${hostIp}/${hostPort}`,
  otherBridge: (name: string) => `other-bridge:${name}`,
  /** `path` is the namespace file (/run/netns/NAME): two directories may hold the same name. */
  otherNamespace: (path: string) => `other-namespace:${path}`,
} as const;

/**
 * Collects nodes and edges: a node added twice keeps its first version,
 * problems accumulate, edges are deduplicated. `graph()` sorts both lists
 * so the output does not depend on the order things were found in.
 */
export class GraphBuilder {
  readonly #nodes = new Map<string, { node: TopoNode; problems: string[] }>();
  readonly #edges = new Map<string, TopoEdge>();

  addNode(node: TopoNode): void {
    const prev = this.#nodes.get(node.id);
    if (prev) {
      if (node.problem) prev.problems.push(node.problem);
      return;
    }
    this.#nodes.set(node.id, { node, problems: node.problem ? [node.problem] : [] });
  }

  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  get(id: string): TopoNode | undefined {
    return this.#nodes.get(id)?.node;
  }

  /** Record a disagreement on a node (ignored for an unknown id). */
  problem(id: string, text: string): void {
    const e = this.#nodes.get(id);
    if (e && !e.problems.includes(text)) e.problems.push(text);
  }

  /** Add an edge; both ends must have been added. */
  addEdge(from: string, to: string, kind: EdgeKind): void {
    if (!this.#nodes.has(from) || !this.#nodes.has(to)) return;
    this.#edges.set(`${from}\u0000${to}\u0000${kind}`, { from, to, kind });
  }

  graph(): TopologyGraph {
    const nodes = [...this.#nodes.values()].map(({ node, problems }) => {
      const { problem: _drop, ...rest } = node;
      return problems.length > 0 ? { ...rest, problem: problems.join("; ") } : rest;
    });
    return { nodes: sortNodes(nodes), edges: sortEdges([...this.#edges.values()]) };
  }
}

export function sortNodes(nodes: readonly TopoNode[]): TopoNode[] {
  const rank = (k: NodeKind) => NODE_KINDS.indexOf(k);
  return [...nodes].sort((a, b) => rank(a.kind) - rank(b.kind) || cmp(a.id, b.id));
}

export function sortEdges(edges: readonly TopoEdge[]): TopoEdge[] {
  return [...edges].sort((a, b) => cmp(a.kind, b.kind) || cmp(a.from, b.from) || cmp(a.to, b.to));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Small lookups renderers and filters share. */
export class GraphIndex {
  readonly byId: ReadonlyMap<string, TopoNode>;
  readonly graph: TopologyGraph;

  constructor(graph: TopologyGraph) {
    this.graph = graph;
    this.byId = new Map(graph.nodes.map((n) => [n.id, n]));
  }

  node(id: string): TopoNode | undefined {
    return this.byId.get(id);
  }

  ofKind(kind: NodeKind): TopoNode[] {
    return this.graph.nodes.filter((n) => n.kind === kind);
  }

  /** Targets of `from`'s edges of `kind`. */
  out(from: string, kind: EdgeKind): TopoNode[] {
    return this.graph.edges.filter((e) => e.from === from && e.kind === kind).flatMap((e) => this.#some(e.to));
  }

  /** Sources of edges of `kind` that end at `to`. */
  in(to: string, kind: EdgeKind): TopoNode[] {
    return this.graph.edges.filter((e) => e.to === to && e.kind === kind).flatMap((e) => this.#some(e.from));
  }

  /** The other end of an undirected edge kind (peer). */
  linked(id: string, kind: EdgeKind): TopoNode[] {
    return [...this.out(id, kind), ...this.in(id, kind)];
  }

  /** The namespace (or host) a node is in. */
  namespaceOf(id: string): TopoNode | undefined {
    return this.out(id, "in-namespace")[0];
  }

  #some(id: string): TopoNode[] {
    const n = this.byId.get(id);
    return n ? [n] : [];
  }
}

/** An attribute as text ("" when absent), and as a list. */
export function attrText(n: TopoNode | undefined, key: string): string {
  const v = n?.attributes[key];
  if (v === undefined) return "";
  return Array.isArray(v) ? v.join(", ") : String(v);
}

export function attrList(n: TopoNode | undefined, key: string): readonly string[] {
  const v = n?.attributes[key];
  if (v === undefined || v === "") return [];
  return Array.isArray(v) ? (v as readonly string[]) : [String(v)];
}
