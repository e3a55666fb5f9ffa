import { GraphIndex, HOST_ID, attrList, attrText, type TopoNode, type TopologyGraph } from "./graph.js";

/** Default width: the text stays within 80 columns. */
export const TEXT_WIDTH = 80;

/**
 * A terminal diagram in the seed's style: the host box with each bridge and
 * the veths hanging off it (to the container interface at the other end),
 * the published ports, then one box per container with its interfaces,
 * addresses, MACs and default route. What other tools made follows apart,
 * in boxes of its own: "other bridges" and "other namespaces". Disagreements
 * between kernel and store are marked "!!" where they occur and listed at
 * the end.
 */
export function renderText(graph: TopologyGraph, width = TEXT_WIDTH): string {
  const ix = new GraphIndex(graph);
  const out: string[] = [];
  const host = ix.node(HOST_ID);
  out.push(...box(`host ${attrText(host, "hostname")}`.trim(), hostLines(ix, host), width));
  for (const c of ix.ofKind("container")) out.push(...box(containerTitle(c), containerLines(ix, c), width));
  const bridges = ix.ofKind("other-bridge");
  if (bridges.length > 0) out.push(...box("other bridges (not Berth's)", bridges.map(otherBridgeLine), width));
  const spaces = ix.ofKind("other-namespace");
  if (spaces.length > 0) out.push(...box("other namespaces (not Berth's)", spaces.flatMap(otherNamespaceLines), width));
  const problems = graph.nodes.filter((n) => n.problem);
  if (problems.length > 0) {
    out.push(`problems (${problems.length}):`);
    for (const n of problems) out.push(...wrap(`  !! ${n.kind} ${n.label}: ${n.problem ?? ""}`, width, "       "));
  }
  return `${out.join("\n")}\n`;
}

function hostLines(ix: GraphIndex, host: TopoNode | undefined): string[] {
  const lines: string[] = [];
  const def = attrText(host, "defaultRoute");
  if (def) lines.push(`default ${def}`);
  if (host?.problem) lines.push(`!! ${host.problem}`);
  const hostIfaces = ix.in(HOST_ID, "in-namespace").filter((n) => n.kind === "interface" && ix.linked(n.id, "peer").length === 0);
  for (const i of hostIfaces) lines.push(`${i.label.padEnd(6)} ${attrList(i, "addresses").join(" ") || "(no address)"}`);
  const bridges = ix.ofKind("bridge");
  const veths = ix.ofKind("veth");
  const gap = () => {
    if (lines.length > 0) lines.push("");
  };
  for (const b of bridges) {
    gap();
    const addrs = attrList(b, "addresses").join(" ") || (attrText(b, "missing") ? "(missing)" : "(no address)");
    const net = attrText(b, "network");
    const peers = attrText(b, "isolate") === "peers" ? "  isolate=peers (no traffic to other isolate=peers networks)" : "";
    lines.push(`bridge ${b.label}  ${addrs}${net ? `  network ${net}` : ""}${peers}`);
    if (b.problem) lines.push(`  !! ${b.problem}`);
    const ports = ix.in(b.id, "enslaved");
    ports.forEach((v, i) => lines.push(...vethLines(ix, v, i === ports.length - 1 ? "  └── " : "  ├── ", i === ports.length - 1 ? "      " : "  │   ")));
  }
  const loose = veths.filter((v) => ix.out(v.id, "enslaved").length === 0);
  if (loose.length > 0) {
    gap();
    lines.push("veths on no Berth bridge");
    loose.forEach((v, i) => lines.push(...vethLines(ix, v, i === loose.length - 1 ? "  └── " : "  ├── ", i === loose.length - 1 ? "      " : "  │   ")));
  }
  const ports = ix.ofKind("port");
  if (ports.length > 0) {
    gap();
    lines.push("published ports");
    for (const p of ports) {
      const to = ix.out(p.id, "publishes")[0];
      lines.push(`  ${portText(p)}${to ? `  (${where(ix, to)})` : ""}`);
      if (p.problem) lines.push(`    !! ${p.problem}`);
    }
  }
  return lines;
}

function vethLines(ix: GraphIndex, v: TopoNode, first: string, rest: string): string[] {
  const peer = ix.linked(v.id, "peer")[0];
  const far = peer ? where(ix, peer) : `? (peer ifindex ${attrText(v, "peerIfindex") || "unknown"} not found)`;
  const addrs = peer ? attrList(peer, "addresses").join(" ") : "";
  const lines = [`${first}${v.label} ◄─veth─► ${far}${addrs ? `  ${addrs}` : ""}`];
  if (v.problem) lines.push(`${rest}!! ${v.problem}`);
  return lines;
}

/** "eth0 of web" for a container interface, "xx0 (host)" for a host one. */
function where(ix: GraphIndex, iface: TopoNode): string {
  const ns = ix.namespaceOf(iface.id);
  if (!ns || ns.kind === "host") return `${iface.label} (host)`;
  const owners = ix
    .in(ns.id, "in-namespace")
    .filter((n) => n.kind === "container")
    .map((c) => c.label);
  return `${iface.label} of ${owners.join("+") || ns.label}`;
}

/** "docker0  172.17.0.1/16  up  3 ports". */
function otherBridgeLine(b: TopoNode): string {
  const ports = Number(attrText(b, "ports") || "0");
  const addrs = attrList(b, "addresses").join(" ") || "(no address)";
  return `${b.label}  ${addrs}  ${attrText(b, "up") === "true" ? "up" : "down"}  ${ports} port${ports === 1 ? "" : "s"}`;
}

/** The namespace's name and file, then one line per interface ("eth0 up 10.0.0.2/24"). */
function otherNamespaceLines(n: TopoNode): string[] {
  const procs = Number(attrText(n, "processes") || "0");
  const lines = [`${n.label}  ${attrText(n, "path")}  ${procs} process${procs === 1 ? "" : "es"}`];
  const unreadable = attrText(n, "unreadable");
  if (unreadable) lines.push(`  (not read: ${unreadable})`);
  else lines.push(...(attrList(n, "interfaces").length > 0 ? attrList(n, "interfaces").map((i) => `  ${i}`) : ["  (no interfaces)"]));
  return lines;
}

function portText(p: TopoNode): string {
  const target = attrText(p, "containerIp");
  return `${attrText(p, "proto")} ${attrText(p, "hostIp")}:${attrText(p, "hostPort")} ──► ${target}:${attrText(p, "containerPort")}`;
}

function containerTitle(c: TopoNode): string {
  return `container ${c.label}  ${attrText(c, "id")}  ${attrText(c, "status")}`;
}

function containerLines(ix: GraphIndex, c: TopoNode): string[] {
  const lines: string[] = [];
  const mode = attrText(c, "mode");
  if (mode !== "bridge") lines.push(`network mode ${mode}`);
  if (c.problem) lines.push(`!! ${c.problem}`);
  const ns = ix.namespaceOf(c.id);
  if (!ns) {
    if (attrText(c, "netns")) lines.push(`netns ${attrText(c, "netns")} (not read)`);
    return lines;
  }
  if (ns.kind === "host") {
    lines.push("uses the host's namespace");
    return lines;
  }
  lines.push(`netns ${attrText(ns, "path")}`);
  if (mode === "container") {
    // --network container:NAME: the interfaces are drawn in the owner's box
    const owners = ix.in(ns.id, "in-namespace").filter((n) => n.kind === "container" && attrText(n, "mode") !== "container");
    lines.push(`shares the namespace of ${owners.map((o) => o.label).join(", ") || ns.label}`);
    if (owners.length > 0) return lines;
  }
  const ifaces = ix.in(ns.id, "in-namespace").filter((n) => n.kind === "interface");
  const w = Math.max(4, ...ifaces.map((i) => i.label.length));
  for (const i of ifaces) {
    const addrs = attrList(i, "addresses").join(" ") || "-";
    const veth = ix.linked(i.id, "peer")[0];
    const bridge = veth ? ix.out(veth.id, "enslaved")[0] : undefined;
    const mac = attrText(i, "type") === "veth" || veth ? `  ${attrText(i, "mac")}` : "";
    const link = veth ? `  ◄─ ${veth.label}${bridge ? ` on ${bridge.label}` : ""}` : "";
    lines.push(`${i.label.padEnd(w)}  ${addrs}${mac}${link}`);
    if (i.problem) lines.push(`  !! ${i.problem}`);
    for (const p of ix.in(i.id, "publishes"))
      lines.push(`${" ".repeat(w)}  port ${attrText(p, "proto")} ${attrText(p, "hostIp")}:${attrText(p, "hostPort")} ──► :${attrText(p, "containerPort")}`);
  }
  lines.push(`default ${attrText(ns, "defaultRoute") || "route: none"}`);
  if (ns.problem) lines.push(`!! ${ns.problem}`);
  return lines;
}

/** A box `width` columns wide; long lines wrap inside it. */
export function box(title: string, lines: readonly string[], width: number): string[] {
  const inner = width - 4;
  const t = title.length > width - 6 ? `${title.slice(0, width - 7)}…` : title;
  const out = [`┌─ ${t} ${"─".repeat(Math.max(0, width - t.length - 5))}┐`];
  for (const l of lines) for (const part of wrap(l, inner, "    ")) out.push(`│ ${part.padEnd(inner)} │`);
  out.push(`└${"─".repeat(width - 2)}┘`);
  return out;
}

/** Split `line` into pieces of at most `width` columns; pieces after the first start with `indent`. */
export function wrap(line: string, width: number, indent: string): string[] {
  const chars = [...line];
  if (chars.length <= width) return [line];
  const out: string[] = [];
  let rest = chars;
  let prefix: string[] = [];
  while (prefix.length + rest.length > width) {
    const room = width - prefix.length;
    let cut = rest.lastIndexOf(" ", room);
    if (cut <= 0) cut = room;
    out.push([...prefix, ...rest.slice(0, cut)].join("").trimEnd());
    rest = [...rest.slice(cut).join("").trimStart()];
    prefix = [...indent];
  }
  out.push([...prefix, ...rest].join(""));
  return out;
}
