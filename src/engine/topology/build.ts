import { basename } from "node:path";
import type { Link } from "../../kernel/index.js";
import type { Container } from "../../model/container.js";
import { isolatesPeersOnly, type Network } from "../../model/network.js";
import { shortId } from "../../model/container.js";
import { VETH_PREFIX } from "../network/names.js";
import { isBerthBridge } from "../network/bridge-mark.js";
import { GraphBuilder, HOST_ID, HOST_NS, nodeId, type TopologyGraph } from "./graph.js";
import { addPorts } from "./build-ports.js";
import { addOthers } from "./build-others.js";
import { linkAttributes } from "./attributes.js";
import { isUnreadable, type KernelSnapshot, type NamespaceSnapshot, type StoreSnapshot } from "./snapshot.js";

/**
 * Build the topology graph from a kernel snapshot and the store (pure: no
 * I/O). Kernel objects become nodes as they are; where the store says
 * otherwise the node gets a `problem`.
 */
export function buildTopology(k: KernelSnapshot, s: StoreSnapshot): TopologyGraph {
  const g = new GraphBuilder();
  const host = k.host;
  const hostByIndex = new Map(host.links.map((l) => [l.index, l]));
  const addrsOf = (ns: NamespaceSnapshot, index: number) => ns.addrs.filter((a) => a.ifindex === index).map((a) => `${a.ip}/${a.prefix}`);

  // host
  const hostDefault = host.routes.find((r) => r.dst === undefined);
  g.addNode({
    id: HOST_ID,
    kind: "host",
    label: "host",
    attributes: { hostname: k.hostname, ...(hostDefault ? { defaultRoute: describeDefault(hostDefault.gateway, hostDefault.ifindex, hostByIndex) } : {}) },
  });
  const addHostIface = (l: Link) => {
    const id = nodeId.iface(HOST_NS, l.name);
    g.addNode({ id, kind: "interface", label: l.name, attributes: linkAttributes(l, addrsOf(host, l.index)) });
    g.addEdge(id, HOST_ID, "in-namespace");
    return id;
  };
  if (hostDefault?.ifindex !== undefined) {
    const l = hostByIndex.get(hostDefault.ifindex);
    if (l) g.addEdge(HOST_ID, addHostIface(l), "routes-to");
  }

  // bridges
  const networkByBridge = new Map(s.networks.map((n) => [n.bridge, n]));
  const bridgeByIndex = new Map<number, string>();
  const bridgeByGateway = new Map<string, string>();
  for (const l of host.links) {
    // a network's bridge, or one Berth made (its mark or a berthN name) that no network has
    if (l.kind !== "bridge" || !(networkByBridge.has(l.name) || isBerthBridge(l))) continue;
    const id = nodeId.bridge(l.name);
    const n = networkByBridge.get(l.name);
    const addrs = addrsOf(host, l.index);
    g.addNode({ id, kind: "bridge", label: l.name, attributes: { ...linkAttributes(l, addrs), ...(n ? networkAttributes(n) : {}) } });
    g.addEdge(id, HOST_ID, "in-namespace");
    bridgeByIndex.set(l.index, l.name);
    for (const a of host.addrs.filter((x) => x.ifindex === l.index)) bridgeByGateway.set(a.ip, l.name);
    if (!n) g.problem(id, "Berth bridge without a network row in the store");
    else if (n.gateway !== undefined && !host.addrs.some((a) => a.ifindex === l.index && a.ip === n.gateway))
      g.problem(id, `gateway ${n.gateway} of network ${n.name} is not on the bridge`);
  }
  for (const n of s.networks) {
    const users = s.attachments.filter((a) => a.networkId === n.id).length;
    if (users === 0 || g.has(nodeId.bridge(n.bridge))) continue;
    const id = nodeId.bridge(n.bridge);
    g.addNode({
      id,
      kind: "bridge",
      label: n.bridge,
      attributes: { ...networkAttributes(n), missing: true },
      problem: `bridge missing from the kernel while network ${n.name} has ${users} container(s)`,
    });
    g.addEdge(id, HOST_ID, "in-namespace");
  }

  // host ends of veth pairs
  const containerById = new Map(s.containers.map((c) => [c.id, c]));
  const networkById = new Map(s.networks.map((n) => [n.id, n]));
  const attachmentByVeth = new Map(s.attachments.map((a) => [a.hostVeth, a]));
  const hostVeths = host.links.filter(
    (l) => l.kind === "veth" && (l.name.startsWith(VETH_PREFIX) || (l.masterIndex !== undefined && bridgeByIndex.has(l.masterIndex))),
  );
  for (const l of hostVeths) {
    const id = nodeId.veth(l.name);
    const a = attachmentByVeth.get(l.name);
    const c = a ? containerById.get(a.containerId) : undefined;
    const net = a ? networkById.get(a.networkId) : undefined;
    const master = l.masterIndex === undefined ? undefined : (bridgeByIndex.get(l.masterIndex) ?? hostByIndex.get(l.masterIndex)?.name);
    g.addNode({
      id,
      kind: "veth",
      label: l.name,
      attributes: {
        ...linkAttributes(l, addrsOf(host, l.index)),
        ...(l.peerIndex === undefined ? {} : { peerIfindex: l.peerIndex }),
        ...(master ? { master } : {}),
        ...(c ? { container: c.name } : {}),
        ...(net ? { network: net.name } : {}),
      },
    });
    g.addEdge(id, HOST_ID, "in-namespace");
    if (l.masterIndex !== undefined && bridgeByIndex.has(l.masterIndex)) g.addEdge(id, nodeId.bridge(bridgeByIndex.get(l.masterIndex) ?? ""), "enslaved");
    if (!a) {
      if (l.name.startsWith(VETH_PREFIX)) g.problem(id, "orphan veth: no container in the store owns it");
    } else if (net && master !== net.bridge) {
      g.problem(id, `enslaved to ${master ?? "no bridge"}, but the store puts it on network ${net.name} (bridge ${net.bridge})`);
    }
    // a peer left in the host namespace (no IFLA_LINK_NETNSID): draw it here
    if (l.peerNetnsId === undefined && l.peerIndex !== undefined) {
      const p = hostByIndex.get(l.peerIndex);
      if (p) g.addEdge(id, addHostIface(p), "peer");
    }
  }

  // containers and their namespaces
  const peered = new Set<string>();
  for (const c of s.containers) {
    const cid = nodeId.container(c.name);
    g.addNode({ id: cid, kind: "container", label: c.name, attributes: containerAttributes(c) });
    if (c.mode === "host") {
      g.addEdge(cid, HOST_ID, "in-namespace");
      continue;
    }
    if (c.netns === undefined) continue;
    const snap = k.namespaces.get(c.netns);
    if (!snap || isUnreadable(snap)) {
      if (c.status === "running" || c.status === "creating") g.problem(cid, snap?.error ?? `namespace file ${c.netns} was not read`);
      continue;
    }
    const ns = basename(c.netns);
    const nsId = nodeId.namespace(ns);
    if (!g.has(nsId)) addNamespace(g, ns, c.netns, snap, { bridgeByGateway, hostVeths, peered });
    g.addEdge(cid, nsId, "in-namespace");
  }

  // store attachments the kernel does not show
  for (const a of s.attachments) {
    const c = containerById.get(a.containerId);
    if (!c) continue;
    const net = networkById.get(a.networkId);
    const where = `veth ${a.hostVeth} (${a.ifname} on network ${net?.name ?? a.networkId.slice(0, 12)})`;
    if (!hostVeths.some((l) => l.name === a.hostVeth)) g.problem(nodeId.container(c.name), `${where} is missing from the kernel`);
    else if (!peered.has(a.hostVeth) && c.netns && g.has(nodeId.namespace(basename(c.netns)))) {
      g.problem(nodeId.veth(a.hostVeth), `its peer is not in container ${c.name}'s namespace`);
    } else if (c.netns && peered.has(a.hostVeth) && !g.has(nodeId.iface(basename(c.netns), a.ifname))) {
      g.problem(nodeId.container(c.name), `${where}: no interface ${a.ifname} in its namespace`);
    }
  }

  addPorts(g, k, s);
  addOthers(g, k, s);
  return g.graph();
}

interface NamespaceContext {
  readonly bridgeByGateway: ReadonlyMap<string, string>;
  readonly hostVeths: readonly Link[];
  /** Host veths whose peer was found in a container namespace (filled in here). */
  readonly peered: Set<string>;
}

function addNamespace(g: GraphBuilder, ns: string, path: string, snap: NamespaceSnapshot, ctx: NamespaceContext): void {
  const nsId = nodeId.namespace(ns);
  const byIndex = new Map(snap.links.map((l) => [l.index, l]));
  const def = snap.routes.find((r) => r.dst === undefined);
  g.addNode({
    id: nsId,
    kind: "namespace",
    label: ns,
    attributes: { path, ...(def ? { defaultRoute: describeDefault(def.gateway, def.ifindex, byIndex) } : {}) },
  });
  for (const l of snap.links) {
    const id = nodeId.iface(ns, l.name);
    const addrs = snap.addrs.filter((a) => a.ifindex === l.index).map((a) => `${a.ip}/${a.prefix}`);
    g.addNode({ id, kind: "interface", label: l.name, attributes: linkAttributes(l, addrs) });
    g.addEdge(id, nsId, "in-namespace");
    if (l.kind !== "veth" || l.peerIndex === undefined) continue;
    // the pair: each end's IFLA_LINK is the other's ifindex (in the other's namespace)
    const hostEnd = ctx.hostVeths.find((h) => h.index === l.peerIndex && h.peerIndex === l.index && h.peerNetnsId !== undefined);
    if (hostEnd) {
      g.addEdge(nodeId.veth(hostEnd.name), id, "peer");
      ctx.peered.add(hostEnd.name);
    }
  }
  const gw = def?.gateway === undefined ? undefined : ctx.bridgeByGateway.get(def.gateway);
  if (gw) g.addEdge(nsId, nodeId.bridge(gw), "routes-to");
}

function containerAttributes(c: Container): Record<string, string> {
  return { id: shortId(c.id), status: c.status, mode: c.mode, ...(c.netns ? { netns: c.netns } : {}) };
}

function describeDefault(gateway: string | undefined, ifindex: number | undefined, links: ReadonlyMap<number, Link>): string {
  const dev = ifindex === undefined ? undefined : (links.get(ifindex)?.name ?? String(ifindex));
  return [gateway && `via ${gateway}`, dev && `dev ${dev}`].filter(Boolean).join(" ");
}

/** The network facts a bridge node shows: name, and subnet and gateway of each family it has. */
function networkAttributes(n: Network): Record<string, string> {
  return {
    network: n.name,
    // Podman's isolate=true: the firewall drops traffic between this bridge and every other one with it
    ...(isolatesPeersOnly(n) ? { isolate: "peers" } : {}),
    ...(n.subnet === undefined ? {} : { subnet: n.subnet, gateway: n.gateway ?? "" }),
    ...(n.subnet6 === undefined ? {} : { subnet6: n.subnet6, gateway6: n.gateway6 ?? "" }),
  };
}
