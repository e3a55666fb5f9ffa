import { TEXT, fitText, textWidth, wrapText, type TextStyle } from "./text-fit.js";
import type { Card, CardRow, RowTone, Scene } from "./scene.js";

/**
 * A deterministic layout of the scene, in px. The host is one big box.
 * Each bus (bridge) is a column: a header box with its network, subnet and
 * gateway, and a vertical bar below it; the cards of the containers on it
 * hang to the right of the bar, one above the other, each interface linked
 * to its bar by a short horizontal veth line. A container on several
 * networks sits in the column of its leftmost bus, below everything in the
 * columns its other links pass, so those links run through empty space to
 * the bars further right. Published ports sit on the host's left edge; each
 * arrow runs right above the columns, down a lane of its own right of the
 * target card's column, and left into the card at the port's row. Lanes,
 * the band above the columns and the gaps between cards hold no cards, so
 * no line crosses a card, and every label is cut to fit its box. What
 * other tools made (their bridges, named namespaces) is a band of cards
 * below the host box, outside it, with no line to anything.
 */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type ShapeKind = "host" | "uplink" | "bus-head" | "bus-bar" | "card" | "chip" | "section" | "others" | "problems";

export interface Shape {
  /** Unique within the layout; texts name the shape that holds them. */
  readonly key: string;
  readonly kind: ShapeKind;
  readonly rect: Rect;
  readonly problem?: boolean;
  /** A card's node id. */
  readonly card?: string;
  readonly tip?: string;
}

export type TextTone = RowTone | "title" | "badge" | "head";

export interface Label {
  readonly x: number;
  /** The baseline. */
  readonly y: number;
  readonly text: string;
  readonly style: TextStyle;
  readonly tone: TextTone;
  /** The key of the shape the label lies in. */
  readonly box: string;
  /** The whole text, when `text` was cut to fit; or more detail. */
  readonly tip?: string;
  readonly anchor?: "end";
}

export interface Link {
  readonly kind: "veth" | "port" | "uplink";
  readonly points: readonly (readonly [number, number])[];
  /** Node ids of the cards the link starts or ends at. */
  readonly ends: readonly string[];
  /** A dot where a veth joins its bus. */
  readonly dot?: readonly [number, number];
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly shapes: readonly Shape[];
  readonly labels: readonly Label[];
  readonly links: readonly Link[];
}

const M = 16;
const HOST_PAD = 14;
const CARD_W = 300;
const PAD_X = 8;
const BAR_W = 6;
/** Left of a column to its bar, and bar to cards (the veth's length). */
const BAR_INSET = 8;
const VETH_LEN = 26;
const CARD_GAP = 10;
const LANE_STEP = 10;
const CHIP_H = 18;
const CHIP_STEP = 24;
const COL_GAP = 16;

const ROW_STYLE: Record<RowTone, TextStyle> = { main: "body", dim: "small", port: "small", problem: "small" };

interface CardBox {
  readonly card: Card;
  readonly h: number;
  /** Lines of each row, in order, with their style (a problem row wraps). */
  readonly lines: readonly { row: CardRow; text: string; tip?: string; top: number }[];
  /** Where the title's badge goes: on the title line or below it. */
  readonly badgeBelow: boolean;
  /** Center y of each row's first line, relative to the card's top. */
  readonly rowY: ReadonlyMap<CardRow, number>;
}

function measureCard(card: Card): CardBox {
  const inner = CARD_W - 2 * PAD_X;
  const badgeW = textWidth(card.badge, "small");
  const badgeBelow = textWidth(card.title, "title") + 10 + badgeW > inner;
  let top = 4 + TEXT.title.line + (badgeBelow ? TEXT.small.line : 0) + 2;
  const lines: { row: CardRow; text: string; tip?: string; top: number }[] = [];
  const rowY = new Map<CardRow, number>();
  for (const row of card.rows) {
    const style = ROW_STYLE[row.tone];
    const line = TEXT[style].line;
    rowY.set(row, top + line / 2);
    if (row.tone === "problem") {
      for (const piece of wrapText(row.text, inner, style)) {
        lines.push({ row, text: piece, top });
        top += line;
      }
      continue;
    }
    const f = fitText(row.text, inner, style);
    const tip = [f.full, row.tip].filter(Boolean).join("\n");
    lines.push({ row, text: f.text, ...(tip ? { tip } : {}), top });
    top += line;
  }
  return { card, h: top + 6, lines, badgeBelow, rowY };
}

class Builder {
  readonly shapes: Shape[] = [];
  readonly labels: Label[] = [];
  readonly links: Link[] = [];
  #n = 0;

  shape(kind: ShapeKind, rect: Rect, more: Omit<Shape, "key" | "kind" | "rect"> = {}): string {
    const key = `s${this.#n++}`;
    this.shapes.push({ key, kind, rect, ...more });
    return key;
  }

  /** A one-line label at (x, baseline y), cut to `width`. */
  label(box: string, x: number, y: number, text: string, style: TextStyle, tone: TextTone, width: number, tip?: string, anchor?: "end"): void {
    const f = fitText(text, width, style);
    const t = [f.full, tip].filter(Boolean).join("\n");
    if (f.text) this.labels.push({ box, x, y, text: f.text, style, tone, ...(t ? { tip: t } : {}), ...(anchor ? { anchor } : {}) });
  }
}

/** The baseline of a line whose box starts at `top`. */
function baseline(top: number, style: TextStyle): number {
  const { size, line } = TEXT[style];
  return top + (line + size) / 2 - 2;
}

export function layoutScene(scene: Scene): Layout {
  const b = new Builder();
  const busIndex = new Map(scene.buses.map((bus, i) => [bus.id, i]));
  const boxes = scene.cards.map(measureCard);
  const apartBoxes = scene.apart.map(measureCard);
  const otherBoxes = scene.others.map(measureCard);

  // which column each card hangs in, and which ports end in which column
  const columnOf = new Map<CardBox, number>();
  const spanOf = new Map<CardBox, number>();
  for (const box of boxes) {
    const cols = box.card.rows.flatMap((r) => (r.bus === undefined ? [] : [busIndex.get(r.bus) ?? 0]));
    columnOf.set(box, Math.min(...cols));
    spanOf.set(box, Math.max(...cols));
  }
  const portTarget = new Map<string, { box: CardBox; row: CardRow }>();
  for (const box of boxes) for (const row of box.card.rows) if (row.port) portTarget.set(row.port, { box, row });
  const tracks = scene.buses.map(() => 0);
  const trackOf = new Map<string, number>();
  for (const p of scene.ports) {
    const t = portTarget.get(p.id);
    if (!t) continue;
    const col = columnOf.get(t.box) ?? 0;
    trackOf.set(p.id, tracks[col] ?? 0);
    tracks[col] = (tracks[col] ?? 0) + 1;
  }

  // columns, left to right
  const hostX = M + 14;
  const innerX = hostX + HOST_PAD;
  const colX: number[] = [];
  let x = innerX;
  for (let i = 0; i < scene.buses.length; i++) {
    colX.push(x);
    const lane = (tracks[i] ?? 0) > 0 ? 8 + (tracks[i] ?? 0) * LANE_STEP : 0;
    x += BAR_INSET + BAR_W + VETH_LEN + CARD_W + 12 + lane + COL_GAP;
  }
  const columnsW = x - innerX;
  const barX = (i: number) => (colX[i] ?? innerX) + BAR_INSET;
  const cardX = (i: number) => barX(i) + BAR_W + VETH_LEN;
  const laneX = (i: number) => cardX(i) + CARD_W + 12;

  // vertical bands: title, uplink, ports, bus headers, cards
  const hostY = M + 20;
  let y = hostY + 6;
  const titleY = y;
  y += TEXT.title.line + 6;
  const uplinkW = Math.min(560, Math.max(...scene.uplink.map((l) => textWidth(l, "body")), 200) + 2 * PAD_X);
  const uplinkRect = { x: innerX, y, w: uplinkW, h: 8 + TEXT.small.line + scene.uplink.length * TEXT.body.line };
  y += uplinkRect.h + 12;
  const chipW = Math.min(280, Math.max(0, ...scene.ports.map((p) => textWidth(p.text, "small"))) + 2 * PAD_X);
  const chipsTop = y;
  y += scene.ports.length * CHIP_STEP + (scene.ports.length > 0 ? 8 : 0);
  const headTop = y;
  const headW = BAR_INSET + BAR_W + VETH_LEN + CARD_W;
  const headH = 8 + TEXT.title.line + Math.max(1, ...scene.buses.map((bus) => bus.lines.length + (bus.problem ? 1 : 0))) * TEXT.small.line;
  const cardsTop = headTop + (scene.buses.length > 0 ? headH + 18 : 0);

  // cards: a column's own cards first, then the ones reaching further right
  const bottom = scene.buses.map(() => cardsTop);
  const cardY = new Map<CardBox, number>();
  const single = boxes.filter((box) => columnOf.get(box) === spanOf.get(box));
  const multi = boxes.filter((box) => columnOf.get(box) !== spanOf.get(box));
  multi.sort((p, q) => (columnOf.get(p) ?? 0) - (columnOf.get(q) ?? 0) || (spanOf.get(p) ?? 0) - (spanOf.get(q) ?? 0));
  for (const box of single) {
    const c = columnOf.get(box) ?? 0;
    cardY.set(box, bottom[c] ?? cardsTop);
    bottom[c] = (bottom[c] ?? cardsTop) + box.h + CARD_GAP;
  }
  for (const box of multi) {
    const a = columnOf.get(box) ?? 0;
    const z = spanOf.get(box) ?? a;
    const top = Math.max(...bottom.slice(a, z));
    cardY.set(box, top);
    for (let i = a; i < z; i++) bottom[i] = top + box.h + CARD_GAP;
  }

  // where each bus bar must reach
  const barBottom = scene.buses.map(() => cardsTop + 10);
  for (const box of boxes) {
    const top = cardY.get(box) ?? cardsTop;
    for (const row of box.card.rows) {
      if (row.bus === undefined) continue;
      const i = busIndex.get(row.bus) ?? 0;
      barBottom[i] = Math.max(barBottom[i] ?? 0, top + (box.rowY.get(row) ?? 0) + 10);
    }
  }
  let columnsBottom = Math.max(cardsTop, ...bottom, ...barBottom.map((v) => v + CARD_GAP));
  if (scene.buses.length === 0) columnsBottom = headTop;

  // the part apart: a grid of cards
  const chipsW = chipW > 0 ? chipW - 14 : 0;
  const innerW = Math.max(columnsW - COL_GAP, uplinkW, chipsW, CARD_W + 2 * HOST_PAD, 360);
  let apartRect: Rect | undefined;
  const apartY = new Map<CardBox, { x: number; y: number }>();
  if (apartBoxes.length > 0) {
    const perRow = Math.max(1, Math.floor((innerW - 2 * HOST_PAD + CARD_GAP) / (CARD_W + CARD_GAP)));
    let top = columnsBottom + 8 + TEXT.title.line + 8;
    for (let i = 0; i < apartBoxes.length; i += perRow) {
      const row = apartBoxes.slice(i, i + perRow);
      row.forEach((box, j) => apartY.set(box, { x: innerX + HOST_PAD + j * (CARD_W + CARD_GAP), y: top }));
      top += Math.max(...row.map((box) => box.h)) + CARD_GAP;
    }
    apartRect = { x: innerX, y: columnsBottom, w: innerW, h: top - columnsBottom + 4 };
  }
  const hostBottom = (apartRect ? apartRect.y + apartRect.h : columnsBottom) + HOST_PAD;
  const hostRect = { x: hostX, y: hostY, w: innerW + 2 * HOST_PAD, h: hostBottom - hostY };

  // draw, back to front: host, uplink, section, headers and bars, cards, chips; lines last
  const host = b.shape("host", hostRect, { ...(scene.hostProblem ? { problem: true, tip: scene.hostProblem } : {}) });
  // the uplink's wire leaves near the uplink box's right end, clear of the title
  const wireX = uplinkRect.x + uplinkW - 24;
  b.label(host, innerX, baseline(titleY, "title"), scene.title, "title", "title", wireX - innerX - 12);
  const up = b.shape("uplink", uplinkRect);
  b.label(up, uplinkRect.x + PAD_X, baseline(uplinkRect.y + 4, "small"), "uplink", "small", "dim", uplinkW - 2 * PAD_X);
  scene.uplink.forEach((l, i) =>
    b.label(up, uplinkRect.x + PAD_X, baseline(uplinkRect.y + 4 + TEXT.small.line + i * TEXT.body.line, "body"), l, "body", "main", uplinkW - 2 * PAD_X),
  );
  b.links.push({
    kind: "uplink",
    points: [
      [wireX, uplinkRect.y],
      [wireX, M],
    ],
    ends: [],
  });

  if (apartRect) {
    const sec = b.shape("section", apartRect);
    b.label(sec, apartRect.x + PAD_X, baseline(apartRect.y + 6, "title"), "on no Berth network", "title", "head", apartRect.w - 2 * PAD_X);
  }

  scene.buses.forEach((bus, i) => {
    const head = { x: colX[i] ?? innerX, y: headTop, w: headW, h: headH };
    const key = b.shape("bus-head", head, { ...(bus.problem ? { problem: true, tip: bus.problem } : {}) });
    b.label(key, head.x + PAD_X, baseline(head.y + 4, "title"), bus.name, "title", "head", headW - 2 * PAD_X);
    const lines = bus.problem ? [...bus.lines, `!! ${bus.problem}`] : bus.lines;
    lines.forEach((l, j) =>
      b.label(
        key,
        head.x + PAD_X,
        baseline(head.y + 4 + TEXT.title.line + j * TEXT.small.line, "small"),
        l,
        "small",
        j >= bus.lines.length ? "problem" : "dim",
        headW - 2 * PAD_X,
      ),
    );
    b.shape("bus-bar", { x: barX(i), y: headTop + headH, w: BAR_W, h: (barBottom[i] ?? 0) - headTop - headH }, { ...(bus.problem ? { problem: true } : {}) });
  });

  const drawCard = (box: CardBox, at: { x: number; y: number }) => {
    const rect = { x: at.x, y: at.y, w: CARD_W, h: box.h };
    const key = b.shape("card", rect, { card: box.card.id, tip: box.card.tip, ...(box.card.problem ? { problem: true } : {}) });
    const inner = CARD_W - 2 * PAD_X;
    const titleW = box.badgeBelow ? inner : inner - textWidth(box.card.badge, "small") - 10;
    b.label(key, at.x + PAD_X, baseline(at.y + 4, "title"), box.card.title, "title", "title", titleW, box.card.tip);
    if (box.badgeBelow) b.label(key, at.x + PAD_X, baseline(at.y + 4 + TEXT.title.line, "small"), box.card.badge, "small", "badge", inner);
    else b.label(key, at.x + CARD_W - PAD_X, baseline(at.y + 4, "title"), box.card.badge, "small", "badge", inner, undefined, "end");
    for (const l of box.lines)
      b.label(key, at.x + PAD_X, baseline(at.y + l.top, ROW_STYLE[l.row.tone]), l.text, ROW_STYLE[l.row.tone], l.row.tone, inner, l.tip);
  };
  for (const box of boxes) {
    const c = columnOf.get(box) ?? 0;
    const top = cardY.get(box) ?? cardsTop;
    drawCard(box, { x: cardX(c), y: top });
    for (const row of box.card.rows) {
      if (row.bus === undefined) continue;
      const i = busIndex.get(row.bus) ?? 0;
      const ry = top + (box.rowY.get(row) ?? 0);
      if (i === c)
        b.links.push({
          kind: "veth",
          points: [
            [cardX(c), ry],
            [barX(i) + BAR_W, ry],
          ],
          ends: [box.card.id],
          dot: [barX(i) + BAR_W / 2, ry],
        });
      else
        b.links.push({
          kind: "veth",
          points: [
            [cardX(c) + CARD_W, ry],
            [barX(i), ry],
          ],
          ends: [box.card.id],
          dot: [barX(i) + BAR_W / 2, ry],
        });
    }
  }
  for (const box of apartBoxes) drawCard(box, apartY.get(box) ?? { x: innerX, y: columnsBottom });

  const chipX = hostX - 14;
  scene.ports.forEach((p, i) => {
    const rect = { x: chipX, y: chipsTop + i * CHIP_STEP, w: chipW, h: CHIP_H };
    const key = b.shape("chip", rect, { ...(p.problem ? { problem: true, tip: p.problem } : {}) });
    b.label(key, rect.x + PAD_X, baseline(rect.y + (CHIP_H - TEXT.small.line) / 2, "small"), p.text, "small", "port", chipW - 2 * PAD_X, p.problem);
    const t = portTarget.get(p.id);
    if (!t) return;
    const c = columnOf.get(t.box) ?? 0;
    const tx = laneX(c) + 8 + (trackOf.get(p.id) ?? 0) * LANE_STEP;
    const cy = rect.y + CHIP_H / 2;
    const ry = (cardY.get(t.box) ?? 0) + (t.box.rowY.get(t.row) ?? 0);
    b.links.push({
      kind: "port",
      points: [
        [chipX + chipW, cy],
        [tx, cy],
        [tx, ry],
        [cardX(c) + CARD_W, ry],
      ],
      ends: [t.box.card.id],
    });
  });

  let height = hostRect.y + hostRect.h + M;
  if (otherBoxes.length > 0) {
    // a grid like the part apart, in a band of its own below the host
    const perRow = Math.max(1, Math.floor((hostRect.w - 2 * HOST_PAD + CARD_GAP) / (CARD_W + CARD_GAP)));
    const bandTop = height;
    let top = bandTop + 8 + TEXT.title.line + 8;
    const at = new Map<CardBox, { x: number; y: number }>();
    for (let i = 0; i < otherBoxes.length; i += perRow) {
      const row = otherBoxes.slice(i, i + perRow);
      row.forEach((box, j) => at.set(box, { x: hostX + HOST_PAD + j * (CARD_W + CARD_GAP), y: top }));
      top += Math.max(...row.map((box) => box.h)) + CARD_GAP;
    }
    const rect = { x: hostX, y: bandTop, w: hostRect.w, h: top - bandTop + 4 };
    const key = b.shape("others", rect);
    b.label(key, rect.x + PAD_X, baseline(rect.y + 6, "title"), "not Berth's: other bridges and namespaces", "title", "head", rect.w - 2 * PAD_X);
    for (const box of otherBoxes) drawCard(box, at.get(box) ?? { x: hostX + HOST_PAD, y: bandTop });
    height = rect.y + rect.h + M;
  }
  if (scene.problems.length > 0) {
    const w = hostRect.w;
    const lines = scene.problems.flatMap((p) => wrapText(`!! ${p}`, w - 2 * PAD_X, "small"));
    const rect = { x: hostX, y: height, w, h: 8 + TEXT.title.line + lines.length * TEXT.small.line + 6 };
    const key = b.shape("problems", rect, { problem: true });
    b.label(key, rect.x + PAD_X, baseline(rect.y + 4, "title"), `problems (${scene.problems.length})`, "title", "problem", w - 2 * PAD_X);
    lines.forEach((l, i) =>
      b.label(key, rect.x + PAD_X, baseline(rect.y + 4 + TEXT.title.line + i * TEXT.small.line, "small"), l, "small", "problem", w - 2 * PAD_X),
    );
    height = rect.y + rect.h + M;
  }
  return { width: hostRect.x + hostRect.w + M, height, shapes: b.shapes, labels: b.labels, links: b.links };
}
