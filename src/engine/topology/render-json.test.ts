import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore } from "./fixture.js";
import { parseJson, renderJson } from "./render-json.js";

test("renderJson() round-trips through parseJson()", () => {
  const g = buildTopology(fakeKernel(), fakeStore());
  const text = renderJson(g);
  assert.deepEqual(parseJson(text), g);
  assert.equal(renderJson(parseJson(text)), text);
  const raw = JSON.parse(text) as { nodes: { id: string }[]; edges: unknown[] };
  assert.deepEqual(Object.keys(raw), ["nodes", "edges"]);
  assert.ok(raw.nodes.some((n) => n.id === "port:tcp/0.0.0.0/9090"));
});

test("parseJson() rejects what is not a topology, with a typed error", () => {
  assert.throws(() => parseJson("{"), { code: "INVALID_ARGUMENT" });
  assert.throws(() => parseJson('{"nodes": []}'), { code: "INVALID_ARGUMENT" });
  assert.throws(() => parseJson('{"nodes": [{"id": "x", "kind": "router", "label": "x", "attributes": {}}], "edges": []}'), /unknown kind router/);
  assert.throws(() => parseJson('{"nodes": [], "edges": [{"from": "a", "to": "b", "kind": "cable"}]}'), /unknown kind cable/);
});
