import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore, NETNS } from "./fixture.js";
import type { KernelSnapshot } from "./snapshot.js";

const WEB = "berth-a1a1a1a1a1a1";
const BOTH = "berth-b2b2b2b2b2b2";

test("buildTopology(): bridges with gateways, veth peers across namespaces, the port to the interface holding its address", () => {
  const g = buildTopology(fakeKernel(), fakeStore());
  const has = (kind: string, from: string, to: string) => g.edges.some((e) => e.kind === kind && e.from === from && e.to === to);
  const b1 = g.nodes.find((n) => n.id === "bridge:berth1");
  assert.deepEqual(b1?.attributes["addresses"], ["10.89.0.1/24"]);
  assert.equal(b1?.attributes["network"], "frontend");
  assert.ok(has("peer", "veth:bthaaaaaaaaaaaa", `interface:${WEB}/eth0`));
  assert.ok(has("peer", "veth:bthbbbbbbbbbbbb", `interface:${BOTH}/eth0`), "same ifindex 2 in two namespaces: paired by both ends' IFLA_LINK");
  assert.ok(has("peer", "veth:bthcccccccccccc", `interface:${BOTH}/eth1`));
  assert.ok(has("enslaved", "veth:bthcccccccccccc", "bridge:berth2"));
  assert.ok(has("publishes", "port:tcp/0.0.0.0/9090", `interface:${WEB}/eth0`));
  assert.ok(has("routes-to", `namespace:${WEB}`, "bridge:berth1"));
  assert.ok(has("in-namespace", "container:lonely", "namespace:berth-c3c3c3c3c3c3"));
  assert.deepEqual(
    g.nodes.filter((n) => n.problem).map((n) => n.id),
    ["veth:bthdeadbeef0"],
    "only the orphan is a problem",
  );
  assert.match(g.nodes.find((n) => n.id === "veth:bthdeadbeef0")?.problem ?? "", /orphan veth/);
  assert.ok(has("peer", "veth:bthdeadbeef0", "interface:host/xx0"), "a peer left in the host namespace is drawn there");
});

test("buildTopology(): a Berth bridge without a network row, a missing bridge with containers, a missing namespace file", () => {
  const k = fakeKernel();
  const s = fakeStore();
  const kernel: KernelSnapshot = {
    ...k,
    host: {
      ...k.host,
      // berth2 is gone (with the veth on it); berth7 has no network row
      links: [...k.host.links.filter((l) => l.name !== "berth2" && l.name !== "bthcccccccccccc"), { ...k.host.links[2]!, index: 7, name: "berth7" }],
    },
    namespaces: new Map([...k.namespaces].map(([p, v]) => [p, p === NETNS.lonely ? { error: `namespace file ${p} is missing` } : v])),
  };
  const g = buildTopology(kernel, s);
  const problem = (id: string) => g.nodes.find((n) => n.id === id)?.problem ?? "";
  assert.match(problem("bridge:berth7"), /without a network row/);
  assert.match(problem("bridge:berth2"), /missing from the kernel while network backend has 1 container/);
  assert.match(problem("container:lonely"), /missing/);
  assert.match(problem("container:both"), /bthcccccccccccc .* missing from the kernel/);
});

test("buildTopology(): a port in the store but not in the nft map, and an nft element nobody owns", () => {
  const k = fakeKernel();
  const s = fakeStore();
  const g = buildTopology({ ...k, ports: [{ proto: "udp", hostIp: "127.0.0.1", hostPort: 53, containerIp: "10.89.9.9", containerPort: 53 }] }, s);
  const problem = (id: string) => g.nodes.find((n) => n.id === id)?.problem ?? "";
  assert.match(problem("port:tcp/0.0.0.0/9090"), /missing from the nft map/);
  assert.match(problem("port:udp/127.0.0.1/53"), /no container in the store publishes it/);
  assert.match(problem("port:udp/127.0.0.1/53"), /no container interface holds 10\.89\.9\.9/);
  assert.ok(
    g.nodes.some((n) => n.id === "interface:host/lo"),
    "the host interface holding a published address is shown",
  );
});

test("buildTopology(): output is sorted and does not depend on the order the kernel lists links", () => {
  const k = fakeKernel();
  const a = buildTopology(k, fakeStore());
  const b = buildTopology({ ...k, host: { ...k.host, links: [...k.host.links].reverse() } }, fakeStore());
  assert.deepEqual(a, b);
});
