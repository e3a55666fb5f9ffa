import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore } from "./fixture.js";
import { restrictToBridge, restrictToContainer } from "./filter.js";

const graph = () => buildTopology(fakeKernel(), fakeStore());

test("restrictToContainer(): the container, its namespace and interfaces, their veths and bridges, its ports", () => {
  const g = restrictToContainer(graph(), "container:web");
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    [
      "host",
      "bridge:berth1",
      "veth:bthaaaaaaaaaaaa",
      "interface:berth-a1a1a1a1a1a1/eth0",
      "interface:berth-a1a1a1a1a1a1/lo",
      "container:web",
      "namespace:berth-a1a1a1a1a1a1",
      "port:tcp/0.0.0.0/9090",
    ],
  );
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.ok(
    g.edges.every((e) => ids.has(e.from) && ids.has(e.to)),
    "no dangling edges",
  );
});

test("restrictToBridge(): the network's bridge, veths, the interfaces they reach, those containers", () => {
  const g = restrictToBridge(graph(), "bridge:berth2");
  assert.deepEqual(
    g.nodes.map((n) => n.id),
    ["host", "bridge:berth2", "veth:bthcccccccccccc", "interface:berth-b2b2b2b2b2b2/eth1", "container:both", "namespace:berth-b2b2b2b2b2b2"],
  );
});
