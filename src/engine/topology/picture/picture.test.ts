import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "../build.js";
import { fakeKernel, fakeStore, withOthers } from "../fixture.js";
import { manyContainers } from "../fixture-many.js";
import { renderText } from "../render-text.js";
import { buildScene, layoutScene, renderSvgPicture, renderHtmlPicture, type Layout } from "./index.js";
import { TEXT, textWidth } from "./text-fit.js";
import type { Rect } from "./layout.js";

const seed = () => buildTopology(fakeKernel(), fakeStore());
const many = (n: number, nets: number) => {
  const m = manyContainers(n, nets);
  return buildTopology(m.kernel, m.store);
};

const inside = (a: Rect, b: Rect) => a.x >= b.x - 0.01 && a.y >= b.y - 0.01 && a.x + a.w <= b.x + b.w + 0.01 && a.y + a.h <= b.y + b.h + 0.01;
const meets = (a: Rect, b: Rect) => Math.min(a.x + a.w, b.x + b.w) > Math.max(a.x, b.x) && Math.min(a.y + a.h, b.y + b.h) > Math.max(a.y, b.y);

/** The layout's own geometry (the browser test measures the rendered page too). */
function problems(l: Layout): string[] {
  const out: string[] = [];
  const byKey = new Map(l.shapes.map((s) => [s.key, s]));
  const cards = l.shapes.filter((s) => s.kind === "card");
  for (let i = 0; i < cards.length; i++)
    for (let j = i + 1; j < cards.length; j++) {
      const [a, b] = [cards[i], cards[j]];
      if (a && b && meets(a.rect, b.rect)) out.push(`cards ${a.card ?? "?"} and ${b.card ?? "?"} overlap`);
    }
  for (const t of l.labels) {
    const { size } = TEXT[t.style];
    const w = textWidth(t.text, t.style);
    const box = { x: t.anchor === "end" ? t.x - w : t.x, y: t.y - size, w, h: size * 1.2 };
    const s = byKey.get(t.box);
    if (!s || !inside(box, s.rect)) out.push(`label ${t.text} is not inside ${s?.kind ?? "a shape"}`);
  }
  for (const link of l.links) {
    for (let k = 1; k < link.points.length; k++) {
      const [x1, y1] = link.points[k - 1] ?? [0, 0];
      const [x2, y2] = link.points[k] ?? [0, 0];
      const seg = { x: Math.min(x1, x2), y: Math.min(y1, y2), w: Math.abs(x2 - x1), h: Math.abs(y2 - y1) };
      for (const c of cards) {
        if (link.ends.includes(c.card ?? "")) continue;
        const inner = { x: c.rect.x + 1, y: c.rect.y + 1, w: c.rect.w - 2, h: c.rect.h - 2 };
        const hit =
          seg.w === 0
            ? seg.x > inner.x && seg.x < inner.x + inner.w && seg.y < inner.y + inner.h && seg.y + seg.h > inner.y
            : meets({ ...seg, y: seg.y - 0.01, h: 0.02 }, inner);
        if (hit) out.push(`${link.kind} line crosses card ${c.card ?? "?"}`);
      }
    }
  }
  return out;
}

test("the seed's scenario: buses, cards, a port arrow, the orphan veth apart, the problem listed", () => {
  const scene = buildScene(seed());
  assert.deepEqual(
    scene.buses.map((b) => [b.name, ...b.lines]),
    [
      ["frontend", "bridge berth1  10.89.0.1/24", "subnet 10.89.0.0/24  gw 10.89.0.1"],
      ["backend", "bridge berth2  10.89.1.1/24", "subnet 10.89.1.0/24  gw 10.89.1.1"],
    ],
  );
  assert.deepEqual(
    scene.cards.map((c) => c.id),
    ["container:both", "container:web"],
  );
  assert.deepEqual(
    scene.apart.map((c) => c.id),
    ["container:lonely", "veth:bthdeadbeef0"],
  );
  const both = scene.cards.find((c) => c.id === "container:both");
  assert.deepEqual(
    both?.rows.filter((r) => r.bus).map((r) => [r.text, r.bus]),
    [
      ["eth0  10.89.0.3/24", "bridge:berth1"],
      ["eth1  10.89.1.2/24", "bridge:berth2"],
    ],
  );
  assert.deepEqual(scene.ports, [{ id: "port:tcp/0.0.0.0/9090", text: "tcp 0.0.0.0:9090" }]);
  assert.equal(scene.cards.find((c) => c.id === "container:web")?.rows.find((r) => r.port)?.port, "port:tcp/0.0.0.0/9090");
  assert.deepEqual(scene.problems, ["veth bthdeadbeef0: orphan veth: no container in the store owns it"]);
  assert.deepEqual(problems(layoutScene(scene)), []);
});

test("the picture says what the text view says: every address, MAC, veth, route and namespace", () => {
  const g = seed();
  const svg = renderSvgPicture(g);
  const text = renderText(g);
  const facts = new Set(text.match(/[0-9a-f:]{17}|\b\d+\.\d+\.\d+\.\d+(\/\d+)?|bth[0-9a-z]+|\/run\/netns\/[\w-]+|berth\d\b/g) ?? []);
  assert.ok(facts.size > 15, `found the facts (${facts.size})`);
  for (const f of facts) assert.ok(svg.includes(f), `the picture shows ${f}`);
  for (const name of ["web", "both", "lonely", "frontend", "backend", "running", "orphan veth"]) assert.ok(svg.includes(name), name);
});

for (const [n, nets] of [
  [1, 1],
  [5, 2],
  [100, 4],
  [100, 7],
] as const) {
  test(`${n} containers on ${nets} networks: no cards overlap, labels fit their shapes, no line crosses a card`, () => {
    const g = many(n, nets);
    const layout = layoutScene(buildScene(g));
    assert.deepEqual(problems(layout), []);
    assert.equal(layout.shapes.filter((s) => s.kind === "card").length, n);
    const svg = renderSvgPicture(g);
    for (let i = 1; i <= n; i++) assert.ok(svg.includes(`>app-${String(i).padStart(3, "0")}<`), `card ${i}`);
  });
}

test("other tools' bridges and namespaces: a band below the host; labels fit, no card overlaps, no line crosses one", () => {
  const layout = layoutScene(buildScene(buildTopology(withOthers(), fakeStore())));
  assert.deepEqual(problems(layout), []);
  assert.equal(layout.shapes.filter((s) => s.kind === "others").length, 1);
  assert.deepEqual(problems(layoutScene(buildScene(buildTopology(withOthers(), { ...fakeStore(), containers: [], attachments: [], ports: [] })))), []);
});

test("above 24 containers the cards are compact: lo, MACs and routes move into the tooltips", () => {
  const full = buildScene(many(24, 2));
  const compact = buildScene(many(25, 2));
  assert.ok(full.cards.every((c) => c.rows.some((r) => r.text.startsWith("lo "))));
  assert.ok(compact.cards.every((c) => !c.rows.some((r) => r.text.startsWith("lo ")) && c.tip.includes("lo 127.0.0.1/8")));
});

test("a long name is cut to fit its card, and the whole name is its tooltip", () => {
  const g = seed();
  const long = "a-very-long-container-name-that-does-not-fit-in-a-card";
  const renamed = { ...g, nodes: g.nodes.map((node) => (node.id === "container:web" ? { ...node, label: long } : node)) };
  const layout = layoutScene(buildScene(renamed));
  const title = layout.labels.find((l) => l.text.startsWith("a-very"));
  assert.ok(title && title.text.endsWith("…") && title.text.length < long.length, title?.text);
  assert.match(title?.tip ?? "", new RegExp(long));
  assert.deepEqual(problems(layout), []);
});

test("html: a self-contained page; the live page listens for events, the static one has no script", () => {
  const g = seed();
  const page = renderHtmlPicture(g, "Berth topology of <testhost>");
  assert.match(page, /^<!DOCTYPE html>/);
  assert.ok(page.includes("Berth topology of &#60;testhost&#62;"));
  assert.doesNotMatch(page, /<script/);
  const live = renderHtmlPicture(g, "t", true);
  assert.match(live, /new EventSource\("events"\)/);
});
