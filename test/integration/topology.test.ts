// `berth topology` on the seed's multi-network scenario, built for real in
// the sandbox: two networks, a container on both, one on one publishing
// 9090:8080, one with --network none. The JSON graph must hold exactly the
// nodes and edges that `berth inspect` and iproute2 predict.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { basename } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox, withPrivateRun } from "../helpers.js";

interface Node {
  id: string;
  kind: string;
  label: string;
  attributes: Record<string, unknown>;
  problem?: string;
}
interface Edge {
  from: string;
  to: string;
  kind: string;
}
interface Graph {
  nodes: Node[];
  edges: Edge[];
}
interface Endpoint {
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  InterfaceName: string;
  HostInterfaceName: string;
}

let b: BerthSandbox;

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function topology(...args: string[]): Graph {
  return JSON.parse(b.ok("topology", "--format", "json", ...args)) as Graph;
}

const edgeKey = (e: Edge) => `${e.kind} ${e.from} -> ${e.to}`;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  b.ok("network", "create", "frontend");
  b.ok("network", "create", "backend");
  b.ok("run", "-d", "--name", "both", "--network", "frontend,backend", "sleep", "600");
  b.ok("run", "-d", "--name", "web", "--network", "frontend", "-p", "9090:8080", "sleep", "600");
  b.ok("run", "-d", "--name", "lonely", "--network", "none", "sleep", "600");
});
after(() => {
  if (!b) return;
  spawnSync("ip", ["link", "del", "bthdeadbeef0"]);
  spawnSync("ip", ["link", "del", "berth97"]);
  b.dispose();
});

/** What inspect and iproute2 say the graph must be. */
function expected(): { nodes: Map<string, Node | { kind: string; attributes: Record<string, unknown> }>; edges: Set<string> } {
  const nodes = new Map<string, { kind: string; attributes: Record<string, unknown> }>();
  const edges = new Set<string>();
  const edge = (kind: string, from: string, to: string) => edges.add(`${kind} ${from} -> ${to}`);
  nodes.set("host", { kind: "host", attributes: {} });
  const bridgeOf = new Map<string, string>();
  for (const net of ["frontend", "backend"]) {
    const [n] = JSON.parse(b.ok("network", "inspect", net)) as { network_interface: string; subnets: { subnet: string; gateway: string }[] }[];
    const s = n?.subnets[0];
    assert.ok(n && s);
    const id = `bridge:${n.network_interface}`;
    bridgeOf.set(net, id);
    nodes.set(id, { kind: "bridge", attributes: { network: net, addresses: [`${s.gateway}/${s.subnet.split("/")[1] ?? "?"}`] } });
    edge("in-namespace", id, "host");
  }
  const hostDefault = JSON.parse(sh("ip", "-j", "-4", "route", "show", "default") || "[]") as { dev: string }[];
  for (const r of hostDefault) {
    nodes.set(`interface:host/${r.dev}`, { kind: "interface", attributes: {} });
    edge("in-namespace", `interface:host/${r.dev}`, "host");
    edge("routes-to", "host", `interface:host/${r.dev}`);
  }
  for (const name of ["both", "web", "lonely"]) {
    const ns = basename(b.netns(name));
    const nsId = `namespace:${ns}`;
    nodes.set(`container:${name}`, { kind: "container", attributes: {} });
    nodes.set(nsId, { kind: "namespace", attributes: { path: b.netns(name) } });
    edge("in-namespace", `container:${name}`, nsId);
    nodes.set(`interface:${ns}/lo`, { kind: "interface", attributes: { addresses: ["127.0.0.1/8"] } });
    edge("in-namespace", `interface:${ns}/lo`, nsId);
    const eps = JSON.parse(b.ok("inspect", "-f", "{{json .NetworkSettings.Networks}}", name)) as Record<string, Endpoint>;
    for (const [net, ep] of Object.entries(eps)) {
      if (!ep.InterfaceName) continue;
      const iface = `interface:${ns}/${ep.InterfaceName}`;
      const veth = `veth:${ep.HostInterfaceName}`;
      nodes.set(iface, { kind: "interface", attributes: { addresses: [`${ep.IPAddress}/${ep.IPPrefixLen}`], mac: ep.MacAddress } });
      nodes.set(veth, { kind: "veth", attributes: { container: name, network: net } });
      edge("in-namespace", iface, nsId);
      edge("in-namespace", veth, "host");
      edge("enslaved", veth, bridgeOf.get(net) ?? "?");
      edge("peer", veth, iface);
      if (name === "web") edge("publishes", "port:tcp/0.0.0.0/9090", iface);
    }
    // the default route, as iproute2 sees it inside, goes to the bridge that holds its gateway
    const routes = JSON.parse(b.inNetns(b.netns(name), "ip", "-j", "-4", "route", "show", "default").stdout || "[]") as { gateway: string }[];
    for (const r of routes) {
      const net = Object.entries(eps).find(([, ep]) => ep.Gateway === r.gateway)?.[0];
      edge("routes-to", nsId, bridgeOf.get(net ?? "") ?? "?");
    }
  }
  // the named namespaces of the /run/netns the sandbox's mount namespace sees (the machine's, if it has
  // any): not Berth's, so other-namespace nodes, with no edges
  for (const f of existsSync("/run/netns") ? readdirSync("/run/netns") : [])
    nodes.set(`other-namespace:/run/netns/${f}`, { kind: "other-namespace", attributes: { path: `/run/netns/${f}` } });
  nodes.set("port:tcp/0.0.0.0/9090", {
    kind: "port",
    attributes: { proto: "tcp", hostIp: "0.0.0.0", hostPort: 9090, containerIp: b.ip("web"), containerPort: 8080, container: "web" },
  });
  return { nodes, edges };
}

test("topology --format json: exactly the expected nodes and edges, with inspect's addresses and MACs", (t) => {
  if (!requireSandbox(t)) return;
  const want = expected();
  const g = topology();
  assert.deepEqual(g.nodes.map((n) => n.id).sort(), [...want.nodes.keys()].sort());
  assert.deepEqual(g.edges.map(edgeKey).sort(), [...want.edges].sort());
  for (const n of g.nodes) {
    const w = want.nodes.get(n.id);
    assert.equal(n.kind, w?.kind, n.id);
    for (const [k, v] of Object.entries(w?.attributes ?? {})) assert.deepEqual(n.attributes[k], v, `${n.id} ${k}`);
    assert.equal(n.problem, undefined, `${n.id} has no problem`);
  }
});

test("topology web: only web, its namespace, its veth, the frontend bridge and its port", (t) => {
  if (!requireSandbox(t)) return;
  const ns = basename(b.netns("web"));
  const ep = (JSON.parse(b.ok("inspect", "-f", "{{json .NetworkSettings.Networks}}", "web")) as Record<string, Endpoint>)["frontend"];
  const [front] = JSON.parse(b.ok("network", "inspect", "frontend")) as { network_interface: string }[];
  const g = topology("web");
  assert.deepEqual(
    g.nodes.map((n) => n.id).sort(),
    [
      "host",
      `bridge:${front?.network_interface ?? ""}`,
      `veth:${ep?.HostInterfaceName ?? ""}`,
      `interface:${ns}/eth0`,
      `interface:${ns}/lo`,
      "container:web",
      `namespace:${ns}`,
      "port:tcp/0.0.0.0/9090",
    ].sort(),
  );
  const ids = new Set(g.nodes.map((n) => n.id));
  assert.ok(g.edges.every((e) => ids.has(e.from) && ids.has(e.to)));
  assert.ok(g.edges.some((e) => e.kind === "publishes" && e.to === `interface:${ns}/eth0`));
});

test("topology --network backend: the backend bridge, its one veth and the container on both", (t) => {
  if (!requireSandbox(t)) return;
  const g = topology("--network", "backend");
  const kinds = g.nodes.map((n) => n.kind).sort();
  assert.deepEqual(kinds, ["bridge", "container", "host", "interface", "namespace", "veth"]);
  assert.ok(g.nodes.some((n) => n.id === "container:both"));
  const r = b.run("topology", "--network", "nosuchnet");
  assert.equal(r.code, 125);
  assert.match(r.stderr, /Network "nosuchnet" does not exist/);
});

test("topology (text) names each bridge and container, within 80 columns; dot is a digraph", (t) => {
  if (!requireSandbox(t)) return;
  const text = b.ok("topology");
  for (const net of ["frontend", "backend"]) {
    const [n] = JSON.parse(b.ok("network", "inspect", net)) as { network_interface: string }[];
    assert.match(text, new RegExp(`bridge ${n?.network_interface ?? "?"} .* network ${net}`));
  }
  for (const c of ["both", "web", "lonely"]) assert.match(text, new RegExp(`container ${c} `));
  assert.match(text, /tcp 0\.0\.0\.0:9090 ──► [0-9.]+:8080/);
  for (const line of text.split("\n")) assert.ok([...line].length <= 80, `within 80 columns: ${line}`);
  assert.doesNotMatch(text, /!!/);
  const dot = b.ok("topology", "--format", "dot");
  assert.match(dot, /^digraph berth \{/);
  assert.match(dot, /\}\n$/);
  assert.equal(b.run("topology", "--format", "png").code, 125);
});

test("a planted orphan veth (Berth prefix, no container) and a Berth bridge without a network row are problems", (t) => {
  if (!requireSandbox(t)) return;
  sh("ip", "link", "add", "bthdeadbeef0", "type", "veth", "peer", "name", "xx0");
  sh("ip", "link", "add", "berth97", "type", "bridge");
  try {
    const g = topology();
    const orphan = g.nodes.find((n) => n.id === "veth:bthdeadbeef0");
    assert.match(orphan?.problem ?? "", /orphan veth/);
    assert.ok(g.edges.some((e) => e.kind === "peer" && e.from === "veth:bthdeadbeef0" && e.to === "interface:host/xx0"));
    assert.match(g.nodes.find((n) => n.id === "bridge:berth97")?.problem ?? "", /without a network row/);
    assert.deepEqual(
      g.nodes
        .filter((n) => n.problem)
        .map((n) => n.id)
        .sort(),
      ["bridge:berth97", "veth:bthdeadbeef0"],
    );
    const text = b.ok("topology");
    assert.match(text, /!! orphan veth/);
    assert.match(text, /^problems \(2\):$/m);
  } finally {
    spawnSync("ip", ["link", "del", "bthdeadbeef0"]);
    spawnSync("ip", ["link", "del", "berth97"]);
  }
});

// `ip netns add` needs /run/netns: like netns-exec.test.ts, the wrapper mounts a tmpfs on /run in a
// mount namespace of its own (so neither the sandbox's /run nor the machine's is touched), makes the
// namespace there with a dummy interface, runs berth locally (BERTH_NO_SERVICE: the resident service
// lives in the sandbox's mount namespace and would not see the file), then deletes the namespace.
const WITH_OTHER_NETNS = withPrivateRun(
  "ip netns add xns0 && ip -n xns0 link add xd0 type veth peer name xd1 && ip -n xns0 addr add 10.9.9.1/24 dev xd0 && " +
    'ip -n xns0 link set xd0 up && BERTH_NO_SERVICE=1 "$@"; rc=$?; ip netns delete xns0; exit $rc',
);

test("another tool's bridge and an `ip netns add` namespace are shown apart, and left out of a filtered view", (t) => {
  if (!requireSandbox(t)) return;
  try {
    sh("ip", "link", "add", "xbr0", "type", "bridge");
    sh("ip", "link", "add", "xbr0p", "type", "veth", "peer", "name", "xbr0q");
    sh("ip", "link", "set", "xbr0p", "master", "xbr0");
    sh("ip", "addr", "add", "10.77.0.1/24", "dev", "xbr0");
    const ok = (...args: string[]) => {
      const r = b.runUnder(WITH_OTHER_NETNS, ...args);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const g = JSON.parse(ok("topology", "--format", "json")) as Graph;
    const xbr0 = g.nodes.find((n) => n.id === "other-bridge:xbr0");
    assert.equal(xbr0?.kind, "other-bridge");
    assert.deepEqual(xbr0.attributes["addresses"], ["10.77.0.1/24"]);
    assert.equal(xbr0.attributes["up"], false);
    assert.equal(xbr0.attributes["ports"], 1);
    assert.equal(xbr0.problem, undefined);
    const xns = g.nodes.find((n) => n.kind === "other-namespace" && n.label === "xns0");
    assert.equal(xns?.attributes["path"], "/run/netns/xns0");
    assert.deepEqual([...(xns.attributes["interfaces"] as string[])].sort(), ["lo down", "xd0 up 10.9.9.1/24", "xd1 down"]);
    assert.ok(!g.nodes.some((n) => n.kind === "bridge" && n.label === "xbr0"), "not one of Berth's bridges");
    assert.ok(!g.nodes.some((n) => /xbr0[pq]/.test(n.id)), "its port is not drawn as one of Berth's veths");
    // Berth's own containers' namespaces are not "other" ones
    assert.deepEqual(
      g.nodes.filter((n) => n.kind === "other-namespace").map((n) => n.label),
      ["xns0"],
    );
    assert.deepEqual(
      g.nodes.filter((n) => n.kind === "other-bridge").map((n) => n.label),
      ["xbr0"],
    );
    assert.deepEqual(
      g.nodes.filter((n) => n.problem).map((n) => n.id),
      [],
    );

    const text = ok("topology");
    for (const line of text.split("\n")) assert.ok([...line].length <= 80, `within 80 columns: ${line}`);
    const hostBox = text.slice(0, text.indexOf("└"));
    assert.doesNotMatch(hostBox, /xbr0|xns0/, "not in the host's box with Berth's networks");
    assert.match(text, /┌─ other bridges \(not Berth's\) ─+┐\n│ xbr0 {2}10\.77\.0\.1\/24 {2}down {2}1 port +│/);
    assert.match(text, /┌─ other namespaces \(not Berth's\) ─+┐\n│ xns0 {2}\/run\/netns\/xns0 {2}0 processes +│\n│ {3}lo down +│\n/);
    assert.match(text, /^│ {3}xd0 up 10\.9\.9\.1\/24 +│$/m);
    assert.ok(text.indexOf("other bridges") > text.lastIndexOf("┌─ container "), "after Berth's containers");
    assert.match(ok("topology", "--format", "svg"), /data-kind="others"/);

    for (const filtered of [["web"], ["--network", "backend"]]) {
      const f = JSON.parse(ok("topology", "--format", "json", ...filtered)) as Graph;
      assert.ok(!f.nodes.some((n) => n.kind.startsWith("other-")), filtered.join(" "));
      assert.doesNotMatch(ok("topology", ...filtered), /other bridges|other namespaces/);
    }
  } finally {
    spawnSync("ip", ["link", "del", "xbr0p"]);
    spawnSync("ip", ["link", "del", "xbr0"]);
  }
  assert.doesNotMatch(b.ok("topology"), /xbr0/, "gone again");
});
