import { FONT_FAMILY, TEXT } from "./text-fit.js";
import type { Label, Layout, Link, Shape } from "./layout.js";

/**
 * The layout as SVG. Every label is a <text> with `data-box` naming the
 * shape it lies in; cards carry `data-card` (the node id), lines
 * `data-link` (veth, port, uplink) and `data-ends` (the cards they touch):
 * the browser test checks the drawing with these. Cut labels carry their
 * whole text as a tooltip (<title>).
 */
export function renderSvg(layout: Layout, idPrefix = "bt"): string {
  const byKey = new Map(layout.shapes.map((s) => [s.key, s]));
  const id = (key: string) => `${idPrefix}-${key}`;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="berth-topology" width="${n(layout.width)}" height="${n(layout.height)}" viewBox="0 0 ${n(layout.width)} ${n(layout.height)}" font-family="${esc(FONT_FAMILY)}">`,
    `<style>${STYLE}</style>`,
    `<defs><marker id="${idPrefix}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>`,
  ];
  const labelsOf = new Map<string, Label[]>();
  for (const l of layout.labels) labelsOf.set(l.box, [...(labelsOf.get(l.box) ?? []), l]);
  const links = layout.links.map((l) => linkSvg(l, idPrefix));
  // the host and the section behind everything; lines over those, under cards and chips
  const back = layout.shapes.filter((s) => s.kind === "host" || s.kind === "section" || s.kind === "others" || s.kind === "uplink");
  const front = layout.shapes.filter((s) => !back.includes(s));
  for (const s of back) out.push(shapeSvg(s, id(s.key), labelsOf.get(s.key) ?? []));
  out.push(...links);
  for (const s of front) out.push(shapeSvg(s, id(s.key), labelsOf.get(s.key) ?? []));
  if (layout.labels.some((l) => !byKey.has(l.box))) throw new Error("topology picture: a label names no shape");
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

const STYLE = [
  ".berth-topology .host { fill: #f6f8fa; stroke: #57606a; stroke-width: 1.5; }",
  ".berth-topology .uplink { fill: #fff; stroke: #57606a; }",
  ".berth-topology .section { fill: #eef1f4; stroke: #8c959f; stroke-dasharray: 5 3; }",
  ".berth-topology .others { fill: #f6f0ff; stroke: #8250df; stroke-dasharray: 5 3; }",
  ".berth-topology .bus-head { fill: #ddf4ff; stroke: #0969da; }",
  ".berth-topology .bus-bar { fill: #0969da; stroke: none; }",
  ".berth-topology .card { fill: #fff; stroke: #6e7781; }",
  ".berth-topology .chip { fill: #fff8c5; stroke: #9a6700; }",
  ".berth-topology .problems { fill: #fff0ee; stroke: #cf222e; }",
  ".berth-topology rect.problem { stroke: #cf222e; stroke-width: 2; }",
  ".berth-topology .bus-bar.problem { fill: #cf222e; }",
  ".berth-topology text { fill: #1f2328; white-space: pre; }",
  ".berth-topology text.title, .berth-topology text.head { font-weight: bold; }",
  ".berth-topology text.dim, .berth-topology text.badge { fill: #57606a; }",
  ".berth-topology text.port { fill: #7d4e00; }",
  ".berth-topology text.problem { fill: #cf222e; }",
  ".berth-topology .veth { stroke: #0969da; stroke-width: 2; fill: none; }",
  ".berth-topology .joint { fill: #0969da; }",
  ".berth-topology .port-link { stroke: #9a6700; stroke-width: 1.5; fill: none; }",
  ".berth-topology .uplink-link { stroke: #57606a; stroke-width: 2; fill: none; }",
  ".berth-topology .arrowhead { fill: #9a6700; }",
].join("\n");

function shapeSvg(s: Shape, domId: string, labels: readonly Label[]): string {
  const { x, y, w, h } = s.rect;
  const cls = `${s.kind}${s.problem ? " problem" : ""}`;
  const radius = s.kind === "bus-bar" ? 2 : s.kind === "chip" ? 9 : 4;
  const attrs = [`id="${domId}"`, `class="${cls}"`, `x="${n(x)}"`, `y="${n(y)}"`, `width="${n(w)}"`, `height="${n(h)}"`, `rx="${radius}"`];
  if (s.card) attrs.push(`data-card="${esc(s.card)}"`);
  const tip = s.tip ? `<title>${esc(s.tip)}</title>` : "";
  const texts = labels.map((l) => labelSvg(l, domId));
  return `<g data-kind="${s.kind}">${tip}<rect ${attrs.join(" ")}/>${texts.join("")}</g>`;
}

function labelSvg(l: Label, box: string): string {
  const anchor = l.anchor === "end" ? ` text-anchor="end"` : "";
  const text = `<text class="${l.tone}" x="${n(l.x)}" y="${n(l.y)}" font-size="${TEXT[l.style].size}"${anchor} data-box="${box}">${esc(l.text)}</text>`;
  return l.tip ? `<g><title>${esc(l.tip)}</title>${text}</g>` : text;
}

function linkSvg(l: Link, idPrefix: string): string {
  const d = l.points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${n(x)},${n(y)}`).join(" ");
  const cls = l.kind === "veth" ? "veth" : l.kind === "port" ? "port-link" : "uplink-link";
  const marker = l.kind === "port" ? ` marker-end="url(#${idPrefix}-arrow)"` : "";
  const path = `<path class="${cls}" d="${d}"${marker} data-link="${l.kind}" data-ends="${esc(l.ends.join(" "))}"/>`;
  const dot = l.dot ? `<circle class="joint" cx="${n(l.dot[0])}" cy="${n(l.dot[1])}" r="3.5"/>` : "";
  return `${path}${dot}`;
}

/** A coordinate with at most one decimal. */
function n(v: number): string {
  return String(Math.round(v * 10) / 10);
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
