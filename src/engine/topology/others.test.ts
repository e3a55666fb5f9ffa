// What other tools made (bridges, named namespaces) is drawn apart from
// Berth's networks in every format, and left out of a filtered view.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore, withOthers } from "./fixture.js";
import { restrictToBridge, restrictToContainer } from "./filter.js";
import { renderText } from "./render-text.js";
import { parseJson, renderJson } from "./render-json.js";
import { renderDot } from "./render-dot.js";
import { buildScene, layoutScene, renderSvgPicture } from "./picture/index.js";

const graph = () => buildTopology(withOthers(), fakeStore());

test("buildTopology(): other tools' bridges and named namespaces are nodes of their own kinds, never problems", () => {
  const g = graph();
  const others = g.nodes.filter((n) => n.kind.startsWith("other-"));
  assert.deepEqual(
    others.map((n) => [n.id, n.kind, n.label]),
    [
      ["other-bridge:docker0", "other-bridge", "docker0"],
      ["other-bridge:virbr0", "other-bridge", "virbr0"],
      ["other-namespace:/run/netns/gone", "other-namespace", "gone"],
      ["other-namespace:/run/netns/xns0", "other-namespace", "xns0"],
    ],
  );
  const docker0 = g.nodes.find((n) => n.id === "other-bridge:docker0");
  assert.deepEqual(docker0?.attributes["addresses"], ["172.17.0.1/16"]);
  assert.equal(docker0?.attributes["up"], true);
  assert.equal(docker0?.attributes["ports"], 1);
  assert.equal(g.nodes.find((n) => n.id === "other-bridge:virbr0")?.attributes["up"], false);
  const xns = g.nodes.find((n) => n.id === "other-namespace:/run/netns/xns0");
  assert.deepEqual(xns?.attributes["interfaces"], ["lo down", "xv0 up 10.9.9.1/24"]);
  assert.equal(xns?.attributes["processes"], 1);
  assert.match(String(g.nodes.find((n) => n.id === "other-namespace:/run/netns/gone")?.attributes["unreadable"]), /stale/);
  assert.ok(!g.nodes.some((n) => n.kind === "bridge" && ["docker0", "virbr0"].includes(n.label)), "not Berth bridges");
  assert.ok(!g.nodes.some((n) => n.label === "veth1a2b3c4"), "docker's veth is not drawn as a Berth veth");
  assert.deepEqual(
    g.nodes.filter((n) => n.problem).map((n) => n.id),
    ["veth:bthdeadbeef0"],
    "only the seed's orphan is a problem",
  );
  assert.ok(g.edges.some((e) => e.kind === "in-namespace" && e.from === "other-bridge:docker0" && e.to === "host"));
  assert.ok(!g.edges.some((e) => e.from.startsWith("other-namespace:") || e.to.startsWith("other-namespace:")));
  // Berth's part is the same as without them
  const plain = buildTopology(fakeKernel(), fakeStore());
  const berths = (x: typeof g) => ({ nodes: x.nodes.filter((n) => !n.kind.startsWith("other-")), edges: x.edges.filter((e) => !e.from.startsWith("other-")) });
  assert.deepEqual(berths(g), plain);
});

test("a bridge with Berth's mark or a network row is Berth's, whatever its name", () => {
  const k = withOthers();
  const kernel = { ...k, host: { ...k.host, links: k.host.links.map((l) => (l.name === "virbr0" ? { ...l, alias: "made by berth" } : l)) } };
  const g = buildTopology(kernel, fakeStore());
  assert.ok(!g.nodes.some((n) => n.id === "other-bridge:virbr0"));
  assert.match(g.nodes.find((n) => n.id === "bridge:virbr0")?.problem ?? "", /without a network row/);
});

test("another tool's bridge that is the host's uplink (a LAN bridge) is drawn once, as the host's interface", () => {
  const k = withOthers();
  const routes = [{ dst: undefined, gateway: "172.17.0.254", ifindex: 30, table: 254 }];
  const g = buildTopology({ ...k, host: { ...k.host, routes } }, fakeStore());
  assert.deepEqual(
    g.nodes.filter((n) => n.label === "docker0").map((n) => n.id),
    ["interface:host/docker0"],
  );
  assert.ok(g.edges.some((e) => e.kind === "routes-to" && e.from === "host" && e.to === "interface:host/docker0"));
  assert.ok(
    g.nodes.some((n) => n.id === "other-bridge:virbr0"),
    "the other bridges are still drawn apart",
  );
});

test("renderText(): sections 'other bridges' and 'other namespaces' after Berth's, within 80 columns", () => {
  const text = renderText(graph());
  for (const line of text.split("\n")) assert.ok([...line].length <= 80, `too wide (${[...line].length}): ${line}`);
  const bridges = text.indexOf("┌─ other bridges (not Berth's)");
  const spaces = text.indexOf("┌─ other namespaces (not Berth's)");
  assert.ok(bridges > text.lastIndexOf("┌─ container ") && spaces > bridges, text);
  assert.match(text, /│ docker0 {2}172\.17\.0\.1\/16 {2}up {2}1 port +│/);
  assert.match(text, /│ virbr0 {2}\(no address\) {2}down {2}0 ports +│/);
  assert.match(text, /│ xns0 {2}\/run\/netns\/xns0 {2}1 process +│\n│ {3}lo down +│\n│ {3}xv0 up 10\.9\.9\.1\/24 +│/);
  assert.match(text, /│ gone .*\n│ {3}\(not read: stale file/);
  // the host box (Berth's) does not name them
  const hostBox = text.slice(0, text.indexOf("└"));
  assert.doesNotMatch(hostBox, /docker0|virbr0|xns0/);
  assert.match(text, /^problems \(1\):$/m);
  assert.doesNotMatch(renderText(buildTopology(fakeKernel(), fakeStore())), /other bridges|other namespaces/, "no empty sections");
});

test("renderJson(): the new kinds round-trip through parseJson()", () => {
  const g = graph();
  const text = renderJson(g);
  assert.deepEqual(parseJson(text), g);
  assert.ok(text.includes('"kind": "other-bridge"') && text.includes('"kind": "other-namespace"'));
});

test("renderDot(): a dashed cluster of their own, not in the host's", () => {
  const dot = renderDot(graph());
  const cluster = /subgraph "cluster_others" \{\n([\s\S]*?)\n {2}\}/.exec(dot)?.[1] ?? "";
  assert.match(cluster, /style=dashed/);
  for (const id of ["other-bridge:docker0", "other-bridge:virbr0", "other-namespace:/run/netns/xns0"]) {
    assert.ok(cluster.includes(`"${id}"`), id);
    assert.equal(dot.split(`"${id}" [`).length, 2, `${id} drawn once`);
  }
  assert.match(cluster, /xv0 up 10\.9\.9\.1\/24/);
});

test("filters leave them out: one container, one network", () => {
  for (const g of [restrictToContainer(graph(), "container:web"), restrictToBridge(graph(), "bridge:berth1")])
    assert.ok(!g.nodes.some((n) => n.kind.startsWith("other-")));
});

test("the picture: a band of their own below the host, cards inside it, nothing overlapping", () => {
  const scene = buildScene(graph());
  assert.deepEqual(
    scene.others.map((c) => [c.id, c.badge]),
    [
      ["other-bridge:docker0", "bridge up"],
      ["other-bridge:virbr0", "bridge down"],
      ["other-namespace:/run/netns/gone", "netns"],
      ["other-namespace:/run/netns/xns0", "netns"],
    ],
  );
  assert.ok(!scene.cards.some((c) => c.id.startsWith("other-")) && !scene.apart.some((c) => c.id.startsWith("other-")));
  const layout = layoutScene(scene);
  const host = layout.shapes.find((s) => s.kind === "host");
  const band = layout.shapes.find((s) => s.kind === "others");
  assert.ok(host && band);
  assert.ok(band.rect.y >= host.rect.y + host.rect.h, "below the host, outside it");
  const cards = layout.shapes.filter((s) => s.kind === "card");
  const inBand = cards.filter((c) => c.card?.startsWith("other-"));
  assert.equal(inBand.length, 4);
  const inside = (a: { x: number; y: number; w: number; h: number }, b: typeof a) =>
    a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
  for (const c of inBand) assert.ok(inside(c.rect, band.rect), `${c.card ?? "?"} in the band`);
  const meets = (a: { x: number; y: number; w: number; h: number }, b: typeof a) =>
    Math.min(a.x + a.w, b.x + b.w) > Math.max(a.x, b.x) && Math.min(a.y + a.h, b.y + b.h) > Math.max(a.y, b.y);
  for (let i = 0; i < cards.length; i++) for (let j = i + 1; j < cards.length; j++) assert.ok(!meets(cards[i]!.rect, cards[j]!.rect));
  const problems = layout.shapes.find((s) => s.kind === "problems");
  assert.ok(problems && problems.rect.y >= band.rect.y + band.rect.h, "the problem list stays last");
  const svg = renderSvgPicture(graph());
  for (const t of ["not Berth&#39;s: other bridges and namespaces", ">docker0<", ">xv0 up 10.9.9.1/24<", ">1 port<"]) assert.ok(svg.includes(t), t);
});
