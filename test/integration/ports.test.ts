// Port publishing through nftables: every form, from every side, for TCP and UDP.
// Topology inside the sandbox: the sandbox is the host, with two addresses
// (198.51.100.1 and .3) on a veth whose other end is an "outside" namespace
// (198.51.100.2) that plays a remote client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, spawn, type ChildProcess } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO, ask, waitListening } from "../echo.js";
import { makeOutside, type Outside } from "../outside.js";

let b: BerthSandbox;
let outsideNs: string;
let outside: Outside | undefined;

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
}

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  outside = makeOutside(b.root);
  outsideNs = outside.ns;
});

after(() => {
  if (!b) return;
  outside?.remove();
  b.dispose();
});

test("-p 9090:8080 is reachable on every host address, from outside, from the host via 127.0.0.1, from other networks and from itself", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "web", "-p", "9090:8080", "-p", "9090:8080/udp", ...ECHO);
  b.ok("network", "create", "other");
  b.ok("run", "-d", "--name", "neighbour", "--network", "other", "sleep", "600");
  waitListening(b.netns("web"));
  // from outside: DNAT in prerouting, and the real client address is visible inside
  assert.equal(ask("tcp", "198.51.100.1", 9090, outsideNs), "198.51.100.2", "tcp from outside keeps the client's source address");
  assert.equal(ask("tcp", "198.51.100.3", 9090, outsideNs), "198.51.100.2", "0.0.0.0 means every host address");
  assert.equal(ask("udp", "198.51.100.1", 9090, outsideNs), "198.51.100.2", "udp from outside");
  // from the host itself, including localhost (no userland proxy)
  assert.ok(ask("tcp", "127.0.0.1", 9090), "tcp via 127.0.0.1");
  assert.ok(ask("udp", "127.0.0.1", 9090), "udp via 127.0.0.1");
  assert.ok(ask("tcp", "198.51.100.1", 9090), "tcp via the host's own address");
  // from a container on another (isolated) network, through the host address
  assert.ok(ask("tcp", "198.51.100.1", 9090, b.netns("neighbour")), "from another network via the host address");
  // hairpin: the container reaches its own published port
  assert.ok(ask("tcp", "198.51.100.1", 9090, b.netns("web")), "hairpin");
  const nft = spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8" }).stdout;
  assert.match(nft, /tcp \. 9090 : 10\.88\.0\.[0-9]+ \. 8080/);
  assert.match(nft, /udp \. 9090 : 10\.88\.0\.[0-9]+ \. 8080/);
});

test("-p HOSTIP:HPORT:CPORT is forwarded only on that address; HOSTIP::CPORT picks a free port", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "pinned", "-p", "198.51.100.1:9092:8080", "-p", "127.0.0.1::8080", ...ECHO);
  waitListening(b.netns("pinned"));
  assert.equal(ask("tcp", "198.51.100.1", 9092, outsideNs), "198.51.100.2");
  assert.equal(ask("tcp", "198.51.100.3", 9092, outsideNs), undefined, "another host address on the same port is not forwarded");
  const random = b.ok("port", "pinned", "8080").trim().split("\n");
  assert.ok(random.includes("198.51.100.1:9092"), random.join(","));
  const local = random.find((l) => l.startsWith("127.0.0.1:"));
  assert.ok(local, "a random port on 127.0.0.1");
  assert.ok(ask("tcp", "127.0.0.1", Number(local?.split(":")[1])), "the random port answers");
});

test("berth port --all, port NAME and inspect show mappings in the seed's format", (t) => {
  if (!requireSandbox(t)) return;
  const all = b.ok("port", "--all");
  const webId = b.ok("inspect", "-f", "{{.Id}}", "web").trim().slice(0, 12);
  assert.match(all, new RegExp(`^${webId}    8080/tcp -> 0\\.0\\.0\\.0:9090$`, "m"));
  assert.match(b.ok("port", "web"), /^8080\/tcp -> 0\.0\.0\.0:9090$/m);
  const ports = JSON.parse(b.ok("inspect", "-f", "{{json .NetworkSettings.Ports}}", "web")) as Record<string, { HostIp: string; HostPort: string }[]>;
  assert.deepEqual(ports["8080/tcp"], [{ HostIp: "0.0.0.0", HostPort: "9090" }]);
  assert.match(b.ok("ps"), /0\.0\.0\.0:9090->8080\/tcp/);
});

test("conflicts are refused before anything changes, naming the container or host process that holds the port", (t) => {
  if (!requireSandbox(t)) return;
  const dup = b.run("run", "-d", "--name", "dup", "-p", "9090:80", "sleep", "600");
  assert.equal(dup.code, 125);
  assert.match(dup.stderr, /port 9090\/tcp on 0\.0\.0\.0 is already published by container web \(id [0-9a-f]{12}\)/);
  assert.match(dup.stderr, /Hint: Choose another host port or stop web/);
  const narrower = b.run("run", "-d", "--name", "dup", "-p", "198.51.100.3:9090:80", "sleep", "600");
  assert.match(narrower.stderr, /already published by container web/, "0.0.0.0 covers every address");
  const holder: ChildProcess = spawn(process.execPath, ["-e", "require('net').createServer().listen(9095, '0.0.0.0'); setTimeout(()=>{}, 60000)"], {
    stdio: "ignore",
  });
  try {
    waitListening(undefined, 9095, ["tcp"]);
    const host = b.run("run", "-d", "--name", "dup", "-p", "9095:80", "sleep", "600");
    assert.match(host.stderr, new RegExp(`port 9095/tcp on 0\\.0\\.0\\.0 is already in use by host process node \\(pid ${String(holder.pid)}\\)`));
  } finally {
    holder.kill();
  }
  for (const [spec, re] of [
    ["0:80", /outside 1-65535/],
    ["8000-8002:9000-9001", /3 ports but the container range has 2/],
    ["[::1]:80:80", /IPv6/],
  ] as const) {
    const r = b.run("run", "-d", "--name", "dup", "-p", spec, "sleep", "1");
    assert.match(r.stderr, re, spec);
  }
  assert.equal(b.run("inspect", "dup").code, 125, "no container was created");
});

test("-P publishes every --expose port on a random host port; a range maps port by port", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "exposed", "-P", "--expose", "8080", "--expose", "8080/udp", ...ECHO);
  b.ok("run", "-d", "--name", "ranged", "-p", "9300-9301:8080-8081", ...ECHO);
  waitListening(b.netns("exposed"));
  waitListening(b.netns("ranged"));
  const tcp = Number(b.ok("port", "exposed", "8080/tcp").trim().split(":")[1]);
  const udp = Number(b.ok("port", "exposed", "8080/udp").trim().split(":")[1]);
  assert.ok(tcp >= 40000 && udp >= 40000, `random host ports: ${tcp} ${udp}`);
  assert.equal(ask("tcp", "198.51.100.1", tcp, outsideNs), "198.51.100.2");
  assert.equal(ask("udp", "198.51.100.1", udp, outsideNs), "198.51.100.2");
  assert.equal(ask("tcp", "198.51.100.1", 9300, outsideNs), "198.51.100.2", "first port of the range");
  assert.match(b.ok("port", "ranged"), /8081\/tcp -> 0\.0\.0\.0:9301/);
  b.ok("stop", "-t", "0", "exposed");
  assert.equal(ask("tcp", "198.51.100.1", tcp, outsideNs), undefined, "a stopped container's port is gone");
  assert.doesNotMatch(spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8" }).stdout, new RegExp(`\\. ${tcp} :`));
  b.ok("rm", "-f", "exposed", "ranged");
});

test("a forward chain with policy drop in another table is reported when publishing", (t) => {
  if (!requireSandbox(t)) return;
  sh("nft", "add", "table", "inet", "otherfw");
  try {
    sh("nft", "add", "chain", "inet", "otherfw", "filterfwd", "{ type filter hook forward priority 0; policy drop; }");
    const r = b.run("run", "-d", "--name", "warned", "-p", "9400:8080", "sleep", "600");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: nftables table "inet otherfw" has a forward chain "filterfwd" with policy drop/);
  } finally {
    spawnSync("nft", ["delete", "table", "inet", "otherfw"]);
    b.run("rm", "-f", "warned");
  }
});

test("an iptables FORWARD policy of DROP is reported when publishing, through iptables-nft and iptables-legacy", (t) => {
  if (!requireSandbox(t)) return;
  const cases = [
    { program: "iptables-nft", warning: /Warning: nftables table "ip filter" has a forward chain "FORWARD" with policy drop/ },
    { program: "iptables-legacy", warning: /Warning: iptables-legacy has FORWARD policy DROP: .*-I FORWARD -i BRIDGE -j ACCEPT/ },
  ];
  for (const { program, warning } of cases) {
    sh(program, "-w", "-P", "FORWARD", "DROP");
    try {
      const r = b.run("run", "-d", "--name", "dropped", "-p", "9401:8080", "sleep", "600");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, warning, program);
    } finally {
      spawnSync(program, ["-w", "-P", "FORWARD", "ACCEPT"]);
      if (program === "iptables-nft") spawnSync("nft", ["delete", "table", "ip", "filter"]);
      b.run("rm", "-f", "dropped");
    }
  }
  const quiet = b.run("run", "-d", "--name", "dropped", "-p", "9401:8080", "sleep", "600");
  assert.doesNotMatch(quiet.stderr, /Warning/, "no warning once the policies accept again");
  b.ok("rm", "-f", "dropped");
});

test("a run killed after publishing (kill -9) is repaired by the next command: its mappings go, the port is free again", (t) => {
  if (!requireSandbox(t)) return;
  const r = b.runWith({ BERTH_FAULT: "run:before-start" }, "run", "-d", "--name", "crashed", "-p", "9402:8080", "-p", "9403:8080/udp", "sleep", "600");
  assert.equal(r.code, 137, "killed after its ports were published");
  assert.match(spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8" }).stdout, /9402/, "the crash left the element behind");
  b.ok("ps", "-a");
  assert.doesNotMatch(spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout, /940[23]/, "repair removed the mappings");
  b.ok("run", "-d", "--name", "crashed", "-p", "9402:8080", "-p", "9403:8080/udp", ...ECHO);
  waitListening(b.netns("crashed"));
  assert.ok(ask("tcp", "198.51.100.1", 9402, outsideNs), "the port works for the next container");
  b.ok("rm", "-f", "crashed");
});

test("removing a container removes its map elements", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("rm", "-f", "web", "pinned");
  const nft = spawnSync("nft", ["-j", "list", "table", "inet", "berth"], { encoding: "utf8" }).stdout;
  assert.doesNotMatch(nft, /9090|9092/);
  b.ok("run", "-d", "--name", "again", "-p", "9090:8080", "sleep", "600");
});

// Found by the model-based test: a disconnect from the first network left
// the DNAT element pointing at the released address, which the next
// container on that network was then given.
test("published ports follow the container's first network through disconnect and connect", (t) => {
  if (!requireSandbox(t)) return;
  const dnat = () => spawnSync("nft", ["list", "map", "inet", "berth", "dnat_any"], { encoding: "utf8" }).stdout;
  try {
    b.ok("network", "create", "porta", "--subnet", "10.68.0.0/24");
    b.ok("network", "create", "portb", "--subnet", "10.68.1.0/24");
    b.ok("run", "-d", "--name", "mover", "--network", "porta", "--ip", "10.68.0.5", "-p", "9095:8080", ...ECHO);
    b.ok("network", "connect", "portb", "mover");
    b.ok("network", "disconnect", "porta", "mover");
    const newIp = b.ip("mover");
    assert.match(newIp, /^10\.68\.1\./);
    assert.match(dnat(), new RegExp(`tcp \\. 9095 : ${newIp.replaceAll(".", "\\.")} \\. 8080`), "the element points at the address on portb");
    // the released address goes to another container, which must not get the traffic
    b.ok("run", "-d", "--name", "impostor", "--network", "porta", "--ip", "10.68.0.5", "sleep", "600");
    waitListening(b.netns("mover"));
    assert.ok(ask("tcp", "127.0.0.1", 9095), "the published port still reaches mover");
    b.ok("network", "disconnect", "portb", "mover");
    assert.doesNotMatch(dnat(), /9095/, "no network left: nothing is published");
    b.ok("network", "connect", "porta", "mover");
    assert.match(dnat(), new RegExp(`tcp \\. 9095 : ${b.ip("mover").replaceAll(".", "\\.")} \\. 8080`), "published again on connect");
    assert.ok(ask("tcp", "127.0.0.1", 9095), "and reachable");
  } finally {
    b.run("rm", "-f", "mover", "impostor");
    b.run("network", "rm", "-f", "porta", "portb");
  }
});
