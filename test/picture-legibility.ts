// What makes the topology picture legible, measured in the browser from the
// rendered page (getBoundingClientRect of what Chromium laid out), not from
// the coordinates Berth wrote: no two labels overlap, every label lies
// inside its shape, and no line crosses a container card it does not start
// or end at. It reads Berth's own picture (data-box, data-card, data-link)
// and, for comparison, Graphviz's SVG (a label's shape is its node's or
// cluster's outline; the cards are the namespace clusters; the lines are
// the edges).
import type { Page } from "./chromium.js";

export interface Legibility {
  readonly labels: number;
  readonly cards: number;
  readonly lines: number;
  /** Pairs of labels whose boxes overlap. */
  readonly overlaps: readonly string[];
  /** Labels not inside their shape (or in none). */
  readonly outside: readonly string[];
  /** Lines that pass through a card. */
  readonly crossings: readonly string[];
}

/** Runs in the page; returns a Legibility. */
const CHECK = String.raw`(() => {
  const TOL = 0.5;
  const svg = document.querySelector("svg");
  if (!svg) throw new Error("no svg in the page");
  const graphviz = !svg.querySelector("[data-box]");
  const box = (el) => el.getBoundingClientRect();
  const say = (el) => JSON.stringify(el.textContent.trim());
  const labels = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim() !== "").map((el) => ({ el, r: box(el) }));
  const overlaps = [];
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i].r, b = labels[j].r;
      if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > TOL && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > TOL)
        overlaps.push(say(labels[i].el) + " / " + say(labels[j].el));
    }
  const shapeOf = (t) => {
    if (t.dataset.box) return document.getElementById(t.dataset.box);
    const g = t.closest("g.node, g.cluster");
    return g ? g.querySelector("polygon, ellipse, rect, path") : null;
  };
  const outside = [];
  for (const l of labels) {
    const s = shapeOf(l.el);
    if (!s) { outside.push(say(l.el) + " is in no shape"); continue; }
    const r = box(s);
    if (l.r.left < r.left - TOL || l.r.right > r.right + TOL || l.r.top < r.top - TOL || l.r.bottom > r.bottom + TOL)
      outside.push(say(l.el) + " sticks out of its shape by " + Math.round(Math.max(r.left - l.r.left, l.r.right - r.right, r.top - l.r.top, l.r.bottom - r.bottom)) + " px");
  }
  // cards, and for each line the cards it may touch
  let cards, lines;
  if (!graphviz) {
    cards = [...svg.querySelectorAll("[data-card]")].map((el) => ({ id: el.dataset.card, r: box(el) }));
    lines = [...svg.querySelectorAll("[data-link]")].map((el) => ({ el, name: el.dataset.link, ends: (el.dataset.ends || "").split(" ").filter(Boolean) }));
  } else {
    const inside = (p, r) => p.left >= r.left && p.right <= r.right && p.top >= r.top && p.bottom <= r.bottom;
    cards = [...svg.querySelectorAll("g.cluster")]
      .filter((g) => !(g.querySelector("text")?.textContent ?? "").startsWith("host"))
      .map((g) => ({ id: g.querySelector("text")?.textContent ?? "?", r: box(g.querySelector("polygon")) }));
    const nodes = new Map([...svg.querySelectorAll("g.node")].map((g) => [g.querySelector("title").textContent, box(g)]));
    lines = [...svg.querySelectorAll("g.edge")].map((g) => {
      const [from, to] = g.querySelector("title").textContent.split("->");
      const ends = cards.filter((c) => [from, to].some((n) => nodes.has(n) && inside(nodes.get(n), c.r))).map((c) => c.id);
      return { el: g.querySelector("path"), name: from + "->" + to, ends };
    });
  }
  const crossings = [];
  for (const line of lines) {
    const len = line.el.getTotalLength();
    const m = line.el.getScreenCTM();
    const pts = [];
    for (let d = 0; d <= len; d += 2) {
      const p = line.el.getPointAtLength(Math.min(d, len));
      pts.push({ x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f });
    }
    for (const c of cards) {
      if (line.ends.includes(c.id)) continue;
      const r = c.r, e = 1.5;
      if (pts.some((p) => p.x > r.left + e && p.x < r.right - e && p.y > r.top + e && p.y < r.bottom - e)) crossings.push(line.name + " crosses " + c.id);
    }
  }
  return { labels: labels.length, cards: cards.length, lines: lines.length, overlaps, outside, crossings };
})()`;

export function checkLegibility(page: Page): Promise<Legibility> {
  return page.evaluate<Legibility>(CHECK);
}

/** A readable summary of what failed (the first few of each). */
export function describe(l: Legibility): string {
  const few = (xs: readonly string[]) => xs.slice(0, 8).join("; ") + (xs.length > 8 ? ` (and ${xs.length - 8} more)` : "");
  return [
    `${l.labels} labels, ${l.cards} cards, ${l.lines} lines`,
    l.overlaps.length ? `${l.overlaps.length} overlapping label pairs: ${few(l.overlaps)}` : "",
    l.outside.length ? `${l.outside.length} labels outside their shape: ${few(l.outside)}` : "",
    l.crossings.length ? `${l.crossings.length} lines crossing cards: ${few(l.crossings)}` : "",
  ]
    .filter(Boolean)
    .join("\n");
}
