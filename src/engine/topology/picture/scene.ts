import { GraphIndex, HOST_ID, attrList, attrText, type TopoNode, type TopologyGraph } from "../graph.js";

/**
 * What the picture shows, before any geometry: the host and its uplink,
 * one bus per bridge, one card per container (its interfaces, each linked
 * to a bus), the published ports, the things on no Berth bridge, the
 * problems, and apart from all of it what other tools made (their bridges
 * and named namespaces). It holds the same facts as the text view
 * (render-text.ts).
 */
export interface Scene {
  readonly title: string;
  /** The host's uplink box: its default route and the host interfaces the text view lists. */
  readonly uplink: readonly string[];
  readonly hostProblem?: string;
  readonly buses: readonly Bus[];
  /** Cards with at least one row linked to a bus. */
  readonly cards: readonly Card[];
  /** Cards on no Berth bridge: --network none/host/container:, veths on no Berth bridge. */
  readonly apart: readonly Card[];
  readonly ports: readonly PortChip[];
  /** Other tools' bridges, then the named namespaces no Berth container uses: a band of their own, below the host. */
  readonly others: readonly Card[];
  /** "kind label: problem", as the text view's closing list. */
  readonly problems: readonly string[];
}

export interface Bus {
  /** The bridge's node id. */
  readonly id: string;
  readonly name: string;
  readonly lines: readonly string[];
  readonly problem?: string;
}

export type RowTone = "main" | "dim" | "port" | "problem";

export interface CardRow {
  readonly text: string;
  readonly tone: RowTone;
  /** The bus (bridge node id) this row's veth is enslaved to. */
  readonly bus?: string;
  /** The port node id whose arrow ends at this row. */
  readonly port?: string;
  /** More about the row (the tooltip). */
  readonly tip?: string;
}

export interface Card {
  /** The node id (container:NAME, or veth:NAME for a veth with no container). */
  readonly id: string;
  readonly title: string;
  /** Short id and status, shown small after the title. */
  readonly badge: string;
  readonly rows: readonly CardRow[];
  readonly problem: boolean;
  readonly tip: string;
}

export interface PortChip {
  readonly id: string;
  readonly text: string;
  readonly problem?: string;
}

/**
 * How much each card shows. "full" is every line of the text view;
 * "compact" (for many containers) keeps the title, the interfaces with
 * addresses, ports and problems, and moves MACs, veth names, lo, the
 * default route and the namespace path into the tooltips.
 */
export type Detail = "full" | "compact";

/** Above this many cards the picture uses the compact cards. */
export const COMPACT_ABOVE = 24;

export function buildScene(graph: TopologyGraph, detail?: Detail): Scene {
  const ix = new GraphIndex(graph);
  const host = ix.node(HOST_ID);
  const containers = ix.ofKind("container");
  const level = detail ?? (containers.length > COMPACT_ABOVE ? "compact" : "full");
  const drawnVeths = new Set<string>();
  const cards: Card[] = [];
  const apart: Card[] = [];
  for (const c of containers) {
    const card = containerCard(ix, c, level, drawnVeths);
    (card.rows.some((r) => r.bus) ? cards : apart).push(card);
  }
  for (const v of ix.ofKind("veth")) {
    if (drawnVeths.has(v.id)) continue;
    const card = vethCard(ix, v);
    (card.rows.some((r) => r.bus) ? cards : apart).push(card);
  }
  return {
    title: `host ${attrText(host, "hostname")}`.trim(),
    uplink: uplinkLines(ix, host),
    ...(host?.problem ? { hostProblem: host.problem } : {}),
    buses: ix.ofKind("bridge").map(busOf),
    cards,
    apart,
    ports: ix.ofKind("port").map((p) => ({ id: p.id, text: `${attrText(p, "proto")} ${attrText(p, "hostIp")}:${attrText(p, "hostPort")}`, ...problemOf(p) })),
    others: [...ix.ofKind("other-bridge").map(otherBridgeCard), ...ix.ofKind("other-namespace").map(otherNamespaceCard)],
    problems: graph.nodes.filter((n) => n.problem).map((n) => `${n.kind} ${n.label}: ${n.problem ?? ""}`),
  };
}

function problemOf(n: TopoNode): { problem?: string } {
  return n.problem ? { problem: n.problem } : {};
}

function uplinkLines(ix: GraphIndex, host: TopoNode | undefined): string[] {
  const lines: string[] = [];
  const ifaces = ix.in(HOST_ID, "in-namespace").filter((n) => n.kind === "interface" && ix.linked(n.id, "peer").length === 0);
  for (const i of ifaces) lines.push(`${i.label} ${attrList(i, "addresses").join(" ") || "(no address)"}`);
  const def = attrText(host, "defaultRoute");
  lines.push(def ? `default ${def}` : "no default route");
  return lines;
}

function busOf(b: TopoNode): Bus {
  const net = attrText(b, "network");
  // the bridge's own addresses as the kernel has them, then the network's subnets and gateways
  const addrs = attrText(b, "missing") ? "(missing from the kernel)" : attrList(b, "addresses").join(" ") || "(no address)";
  const lines = [`bridge ${b.label}  ${addrs}`];
  if (!net) lines.push("no network row");
  const subnet = attrText(b, "subnet");
  if (subnet) lines.push(`subnet ${subnet}  gw ${attrText(b, "gateway") || "-"}`);
  const subnet6 = attrText(b, "subnet6");
  if (subnet6) lines.push(`subnet ${subnet6}  gw ${attrText(b, "gateway6") || "-"}`);
  return { id: b.id, name: net || b.label, lines, ...problemOf(b) };
}

function containerCard(ix: GraphIndex, c: TopoNode, level: Detail, drawnVeths: Set<string>): Card {
  const rows: CardRow[] = [];
  const tips: string[] = [`container ${c.label}`, `id ${attrText(c, "id")}`, `status ${attrText(c, "status")}`];
  const mode = attrText(c, "mode");
  if (mode !== "bridge") rows.push({ text: `network mode ${mode}`, tone: "dim" });
  if (c.problem) rows.push({ text: `!! ${c.problem}`, tone: "problem" });
  const ns = ix.namespaceOf(c.id);
  const card = (): Card => ({
    id: c.id,
    title: c.label,
    badge: `${attrText(c, "id")} ${attrText(c, "status")}`,
    rows,
    problem: rows.some((r) => r.tone === "problem"),
    tip: tips.join("\n"),
  });
  if (!ns) {
    if (attrText(c, "netns")) rows.push({ text: `netns ${attrText(c, "netns")} (not read)`, tone: "dim" });
    return card();
  }
  if (ns.kind === "host") {
    rows.push({ text: "uses the host's namespace", tone: "dim" });
    return card();
  }
  const path = attrText(ns, "path");
  tips.push(`netns ${path}`);
  if (mode === "container") {
    const owners = ix.in(ns.id, "in-namespace").filter((n) => n.kind === "container" && attrText(n, "mode") !== "container");
    rows.push({ text: `shares the namespace of ${owners.map((o) => o.label).join(", ") || ns.label}`, tone: "dim" });
    if (owners.length > 0) return card();
  }
  for (const i of ix.in(ns.id, "in-namespace").filter((n) => n.kind === "interface")) {
    const addrs = attrList(i, "addresses").join(" ") || "-";
    const veth = ix.linked(i.id, "peer")[0];
    const bridge = veth ? ix.out(veth.id, "enslaved")[0] : undefined;
    const mac = attrText(i, "type") === "veth" || veth ? attrText(i, "mac") : "";
    const link = veth ? `${veth.label}${bridge ? ` on ${bridge.label}` : ""}` : "";
    const tip = [`${i.label} ${addrs}`, mac && `MAC ${mac}`, link && `veth ${link}`].filter(Boolean).join("\n");
    if (veth) drawnVeths.add(veth.id);
    const isLo = i.label === "lo" && !veth;
    if (isLo && level === "compact") {
      tips.push(`lo ${addrs}`);
      continue;
    }
    rows.push({ text: `${i.label}  ${addrs}`, tone: isLo ? "dim" : "main", ...(bridge ? { bus: bridge.id } : {}), tip });
    // the bridge is where the row's line goes: the row names the veth only
    if (level === "full" && (mac || veth)) rows.push({ text: `  ${[mac, veth && `◂ ${veth.label}`].filter(Boolean).join("  ")}`, tone: "dim", tip });
    if (i.problem) rows.push({ text: `!! ${i.problem}`, tone: "problem" });
    if (veth?.problem) rows.push({ text: `!! ${veth.label}: ${veth.problem}`, tone: "problem" });
    for (const p of ix.in(i.id, "publishes")) {
      const text = `  :${attrText(p, "containerPort")}/${attrText(p, "proto")} ◂ ${attrText(p, "hostIp")}:${attrText(p, "hostPort")}`;
      rows.push({
        text,
        tone: "port",
        port: p.id,
        tip: `published: ${attrText(p, "proto")} ${attrText(p, "hostIp")}:${attrText(p, "hostPort")} -> :${attrText(p, "containerPort")}`,
      });
    }
  }
  const def = `default ${attrText(ns, "defaultRoute") || "route: none"}`;
  if (level === "full") {
    rows.push({ text: def, tone: "dim" });
    rows.push({ text: `netns ${path}`, tone: "dim" });
  } else {
    tips.push(def);
  }
  if (ns.problem) rows.push({ text: `!! ${ns.problem}`, tone: "problem" });
  return card();
}

/** A host veth whose peer is in no container drawn (an orphan, or one whose peer is on the host). */
function vethCard(ix: GraphIndex, v: TopoNode): Card {
  const peer = ix.linked(v.id, "peer")[0];
  const bridge = ix.out(v.id, "enslaved")[0];
  const far = peer ? where(ix, peer) : `? (peer ifindex ${attrText(v, "peerIfindex") || "unknown"} not found)`;
  const rows: CardRow[] = [{ text: `${v.label} ◂veth▸ ${far}`, tone: "main", ...(bridge ? { bus: bridge.id } : {}) }];
  if (v.problem) rows.push({ text: `!! ${v.problem}`, tone: "problem" });
  return {
    id: v.id,
    title: `veth ${v.label}`,
    badge: bridge ? `on ${bridge.label}` : "on no Berth bridge",
    rows,
    problem: Boolean(v.problem),
    tip: `veth ${v.label}\nMAC ${attrText(v, "mac")}`,
  };
}

/** A bridge another tool made: its addresses, state and number of ports. */
function otherBridgeCard(b: TopoNode): Card {
  const addrs = attrList(b, "addresses");
  const ports = Number(attrText(b, "ports") || "0");
  const up = attrText(b, "up") === "true" ? "up" : "down";
  const rows: CardRow[] = [
    ...(addrs.length > 0 ? addrs.map((a): CardRow => ({ text: a, tone: "main" })) : [{ text: "(no address)", tone: "dim" } as const]),
    { text: `${ports} port${ports === 1 ? "" : "s"}`, tone: "dim" },
  ];
  return { id: b.id, title: b.label, badge: `bridge ${up}`, rows, problem: false, tip: `bridge ${b.label} (not Berth's)\nMAC ${attrText(b, "mac")}` };
}

/** A named namespace no Berth container uses: one row per interface, then its file. */
function otherNamespaceCard(n: TopoNode): Card {
  const unreadable = attrText(n, "unreadable");
  const ifaces = attrList(n, "interfaces");
  const rows: CardRow[] = unreadable
    ? [{ text: `not read: ${unreadable}`, tone: "dim" }]
    : ifaces.length > 0
      ? ifaces.map((i): CardRow => ({ text: i, tone: "main" }))
      : [{ text: "(no interfaces)", tone: "dim" }];
  rows.push({ text: attrText(n, "path"), tone: "dim" });
  return { id: n.id, title: n.label, badge: "netns", rows, problem: false, tip: `namespace ${attrText(n, "path")} (not Berth's)` };
}

/** "eth0 of web" for a container interface, "xx0 (host)" for a host one (as the text view says it). */
function where(ix: GraphIndex, iface: TopoNode): string {
  const ns = ix.namespaceOf(iface.id);
  if (!ns || ns.kind === "host") return `${iface.label} (host)`;
  const owners = ix
    .in(ns.id, "in-namespace")
    .filter((n) => n.kind === "container")
    .map((c) => c.label);
  return `${iface.label} of ${owners.join("+") || ns.label}`;
}
