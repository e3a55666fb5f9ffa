// Two Kubernetes-style nodes on one fabric, each running Berth's CNI plugin
// with its own BERTH_ROOT in its own network namespace, called the way a
// runtime calls it (test/cni-runner.ts). Node pod CIDRs 10.244.1.0/24 and
// 10.244.2.0/24, routed to each other over the fabric (as the cloud's
// routes, BGP or an overlay would); kube-proxy's part (a ClusterIP, a
// NodePort) is played by a small nft table on a node.
//
//   ext 192.168.50.100 --+
//   node1 192.168.50.1 --+-- bridge "fabric" (the test sandbox's own namespace)
//   node2 192.168.50.2 --+
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireSandbox } from "../helpers.js";
import { CniRuntime } from "../cni-runner.js";
import { ask, ECHO } from "../echo.js";

const PLUGIN = fileURLToPath(new URL("../../../bin/cni/berth", import.meta.url));
const FABRIC = "192.168.50";
const CONF = (n: number) => ({
  cniVersion: "1.0.0",
  name: "k8s",
  type: "berth",
  subnet: `10.244.${n}.0/24`,
  clusterCIDRs: ["10.244.0.0/16"],
  // the two nodes only: ext (.100) is on the same LAN but is not a node
  nodeCIDRs: [`${FABRIC}.0/28`],
  capabilities: { portMappings: true },
});

interface Node {
  readonly n: number;
  readonly ns: string;
  readonly ip: string;
  readonly cni: CniRuntime;
}

let dir: string;
let nodes: Node[] = [];
let ext: string;
const servers: ChildProcess[] = [];

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}
const inNs = (ns: string, ...argv: string[]) => sh("nsenter", `--net=${ns}`, ...argv);

function makeNetns(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, "");
  sh("unshare", `--net=${path}`, "ip", "link", "set", "lo", "up");
  return path;
}

/** A namespace on the fabric bridge with `addr`/24 on its end of the link. */
function plugIntoFabric(ns: string, name: string, addr: string): void {
  sh("ip", "link", "add", `f-${name}`, "type", "veth", "peer", "name", "fab0");
  sh("ip", "link", "set", "fab0", "netns", ns);
  sh("ip", "link", "set", `f-${name}`, "master", "fabric", "up");
  inNs(ns, "ip", "addr", "add", `${addr}/24`, "dev", "fab0");
  inNs(ns, "ip", "link", "set", "fab0", "up");
}

before(() => {
  if (process.env["BERTH_TEST_SANDBOX"] !== "1") return;
  dir = mkdtempSync(join(tmpdir(), "cni-two-node-"));
  sh("ip", "link", "add", "fabric", "type", "bridge");
  sh("ip", "link", "set", "fabric", "up");
  for (const n of [1, 2]) {
    const ns = makeNetns(`node${n}`);
    const ip = `${FABRIC}.${n}`;
    plugIntoFabric(ns, `node${n}`, ip);
    // the other node's pod CIDR is routed to it over the fabric
    inNs(ns, "ip", "route", "add", `10.244.${3 - n}.0/24`, "via", `${FABRIC}.${3 - n}`);
    // the plugin runs in the node's namespace, with the node's own Berth state
    const bin = join(dir, `bin${n}`);
    mkdirSync(bin);
    writeFileSync(join(bin, "berth"), `#!/bin/sh\nexec nsenter --net=${ns} ${PLUGIN}\n`);
    chmodSync(join(bin, "berth"), 0o755);
    const root = join(dir, `root${n}`);
    mkdirSync(root);
    nodes.push({ n, ns, ip, cni: new CniRuntime(bin, { ...process.env, BERTH_ROOT: root }) });
  }
  ext = makeNetns("ext");
  plugIntoFabric(ext, "ext", `${FABRIC}.100`);
  servers.push(spawn("nsenter", [`--net=${ext}`, ...ECHO], { stdio: "ignore" }));
});

after(() => {
  for (const s of servers) s.kill();
  if (!dir) return;
  for (const ns of [...nodes.map((x) => x.ns), ext]) {
    spawnSync("umount", [ns]);
  }
  spawnSync("ip", ["link", "del", "fabric"]);
  rmSync(dir, { recursive: true, force: true });
});

interface Pod {
  readonly id: string;
  readonly node: Node;
  readonly ns: string;
  readonly ip: string;
}

function addPod(node: Node, id: string): Pod {
  const ns = makeNetns(id);
  const r = node.cni.call(
    "berth",
    { command: "ADD", containerId: id, netns: ns, ifname: "eth0", args: `K8S_POD_NAME=${id};K8S_POD_NAMESPACE=default;IgnoreUnknown=1` },
    JSON.stringify(CONF(node.n)),
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const ip = ((r.json?.["ips"] as { address: string }[])[0]?.address ?? "").split("/")[0] ?? "";
  assert.match(ip, new RegExp(`^10\\.244\\.${node.n}\\.\\d+$`));
  servers.push(spawn("nsenter", [`--net=${ns}`, ...ECHO], { stdio: "ignore" }));
  return { id, node, ns, ip };
}

/** The address the echo server at host:port saw, retried until it listens. */
function whoAmI(host: string, port: number, from: string, tries = 20): string | undefined {
  for (let i = 0; i < tries; i++) {
    const seen = ask("tcp", host, port, from, 1000);
    if (seen !== undefined) return seen;
  }
  return undefined;
}

test("two nodes: pods reach pods across nodes with their own addresses, nodes reach remote pods, NodePort traffic SNATed to a node gets in, ClusterIP DNAT on a node keeps sources, egress is masqueraded, and nothing is left", (t) => {
  if (!requireSandbox(t)) return;
  const [node1, node2] = nodes as [Node, Node];
  const pods: Pod[] = [];
  try {
    const p1a = addPod(node1, "p1a");
    const p1b = addPod(node1, "p1b");
    const p2a = addPod(node2, "p2a");
    pods.push(p1a, p1b, p2a);

    assert.equal(whoAmI(p2a.ip, 8080, p1a.ns), p1a.ip, "node1's pod reaches node2's pod, which sees the pod's own address");
    assert.equal(whoAmI(p1a.ip, 8080, p2a.ns), p2a.ip, "and back");

    assert.equal(whoAmI(p2a.ip, 8080, node1.ns), node1.ip, "node1 itself reaches a pod on node2 (nodeCIDRs)");

    // kube-proxy on node1: NodePort 30080 to the pod on node2, SNATed to node1's address
    const nodePort = [
      "table ip kp {",
      "chain pre { type nat hook prerouting priority dstnat;",
      `ip daddr ${node1.ip} tcp dport 30080 dnat to ${p2a.ip}:8080`,
      `ip daddr 10.96.0.10 tcp dport 80 dnat to ${p1b.ip}:8080`,
      "}",
      "chain post { type nat hook postrouting priority srcnat;",
      `ip daddr ${p2a.ip} oifname "fab0" ct status dnat masquerade`,
      "}",
      "}",
    ].join("\n");
    const r = spawnSync("nsenter", [`--net=${node1.ns}`, "nft", "-f", "-"], { input: nodePort, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(whoAmI(node1.ip, 30080, ext), node1.ip, "a NodePort client on the LAN reaches the pod on node2 through node1, SNATed to node1");
    assert.equal(whoAmI("10.96.0.10", 80, p1a.ns), p1a.ip, "a ClusterIP DNATed to a pod on the same node keeps the client pod's address");

    assert.equal(whoAmI(`${FABRIC}.100`, 8080, p2a.ns), node2.ip, "a pod reaching a LAN host leaves with its node's address");

    // ext is on the LAN but not a node: even with a route, it cannot open connections to pods
    inNs(ext, "ip", "route", "add", "10.244.2.0/24", "via", node2.ip);
    assert.equal(ask("tcp", p2a.ip, 8080, ext, 1500), undefined, "a LAN host outside nodeCIDRs is not let in");
  } finally {
    for (const p of pods) {
      const del = p.node.cni.call("berth", { command: "DEL", containerId: p.id, netns: p.ns, ifname: "eth0" }, JSON.stringify(CONF(p.node.n)));
      assert.equal(del.code, 0, del.stdout + del.stderr);
      spawnSync("umount", [p.ns]);
    }
    spawnSync("nsenter", [`--net=${node1.ns}`, "nft", "delete", "table", "ip", "kp"]);
  }
  for (const node of nodes) {
    const links = inNs(node.ns, "ip", "-o", "link", "show")
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split(": ")[1]?.split("@")[0]);
    assert.deepEqual(links, ["lo", "fab0"], `node${node.n}: the pods' veths and the bridge are gone`);
    assert.doesNotMatch(
      inNs(node.ns, "nft", "list", "set", "inet", "berth", "node_peers"),
      /elements/,
      `node${node.n}: the node CIDR pairing went with the network`,
    );
  }
});
