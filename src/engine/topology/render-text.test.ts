import { test } from "node:test";
import assert from "node:assert/strict";
import { buildTopology } from "./build.js";
import { fakeKernel, fakeStore, NETNS } from "./fixture.js";
import { renderText, wrap } from "./render-text.js";
import type { KernelSnapshot } from "./snapshot.js";

test("renderText(): names every bridge, veth and container, and stays within 80 columns", () => {
  const text = renderText(buildTopology(fakeKernel(), fakeStore()));
  for (const line of text.split("\n")) assert.ok([...line].length <= 80, `too wide (${[...line].length}): ${line}`);
  for (const w of [
    "bridge berth1",
    "bridge berth2",
    "network frontend",
    "10.89.0.1/24",
    "container web",
    "container both",
    "container lonely",
    "bthaaaaaaaaaaaa ◄─veth─► eth0 of web",
    "eth1 of both",
    "tcp 0.0.0.0:9090 ──► 10.89.0.2:8080",
  ]) {
    assert.ok(text.includes(w), `mentions ${w}`);
  }
  assert.match(text, /!! orphan veth/);
  assert.match(text, /^problems \(1\):$/m);
});

test("renderText(): long names and paths wrap inside the box instead of widening it", () => {
  const k = fakeKernel();
  const s = fakeStore();
  const long = `/run/netns/${"very-long-directory-name/".repeat(4)}berth-a1a1a1a1a1a1`;
  const kernel: KernelSnapshot = { ...k, namespaces: new Map([...k.namespaces].map(([p, v]) => [p.endsWith("a1a1a1a1a1a1") ? long : p, v])) };
  const store = { ...s, containers: s.containers.map((c) => (c.name === "web" ? { ...c, name: "w".repeat(90), netns: long } : c)) };
  const text = renderText(buildTopology(kernel, store));
  for (const line of text.split("\n")) assert.ok([...line].length <= 80, `too wide (${[...line].length}): ${line}`);
  assert.ok(text.includes("very-long-directory-name"));
});

test("wrap() splits at spaces when it can, hard when it must", () => {
  assert.deepEqual(wrap("aaa bbb ccc", 7, "  "), ["aaa bbb", "  ccc"]);
  assert.deepEqual(wrap("abcdefghij", 4, ""), ["abcd", "efgh", "ij"]);
  assert.deepEqual(wrap("short", 10, "  "), ["short"]);
});

test("renderText(): --network container:NAME shares the owner's box; --network host uses the host's namespace", () => {
  const s = fakeStore();
  const web = s.containers.find((c) => c.name === "web");
  assert.ok(web);
  const sidecar = { ...web, id: "d4".repeat(32), name: "sidecar", mode: "container" as const, modeTarget: web.id, netns: NETNS.web, networks: [] };
  const hostc = { ...web, id: "e5".repeat(32), name: "hostc", mode: "host" as const, netns: undefined, networks: [] };
  const text = renderText(buildTopology(fakeKernel(), { ...s, containers: [...s.containers, sidecar, hostc] }));
  const boxOf = (name: string) => text.slice(text.indexOf(`container ${name} `), text.indexOf("└", text.indexOf(`container ${name} `)));
  assert.match(boxOf("sidecar"), /shares the namespace of web/);
  assert.doesNotMatch(boxOf("sidecar"), /eth0/);
  assert.match(boxOf("web"), /eth0 .*10\.89\.0\.2\/24/);
  assert.match(boxOf("hostc"), /uses the host's namespace/);
  assert.match(text, /eth0 of web\+sidecar|eth0 of sidecar\+web/);
});
