// Berth as Docker's network and IPAM driver, driven by the real thing:
// Debian's dockerd (its own data-root, exec-root and containerd, in a
// mount namespace of its own, test/docker/dockerd.ts) finds the Berth
// service's plugin socket (`berth docker-plugin enable`) in
// /run/docker/plugins and calls it as it calls any remote driver. Every step goes through the docker CLI; the test looks at
// what containers see, at packets, and at Berth's views and the kernel.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox, type Skippable } from "../helpers.js";
import { HOST_ADDR, OUTSIDE_ADDR, makeOutside, type Outside } from "../outside.js";
import { ask, ECHO, waitListening } from "../echo.js";
import { hostLinks, nftInventory, processesMentioning } from "../kernel-inventory.js";
import { DockerNode, IMAGE, dockerMissing } from "../docker/dockerd.js";

let b: BerthSandbox | undefined;
let outside: Outside | undefined;
let node: DockerNode | undefined;

before(async () => {
  if (!inSandbox() || dockerMissing()) return;
  b = new BerthSandbox().withoutUpstreamDns();
  const dir = mkdtempSync(join(b.root, "docker-"));
  outside = makeOutside(dir);
  node = await DockerNode.start({ dir, env: b.env });
});

after(async () => {
  await node?.stop();
  outside?.remove();
  b?.dispose();
});

/** The sandbox and dockerd; in CI a missing docker.io fails the test. */
function requireNode(t: Skippable): DockerNode | undefined {
  if (!requireSandbox(t)) return undefined;
  const missing = dockerMissing();
  if (missing !== undefined) {
    if (process.env["CI"] === "true") throw new Error(`the Docker test needs docker.io: ${missing}`);
    t.skip(missing);
    return undefined;
  }
  if (!node) throw new Error("dockerd did not start");
  return node;
}

/** `docker run -d` of the echo server (test/echo.ts: TCP and UDP on 8080, answering with the client's address), the host's node run from a read-only bind of /. */
function runEcho(n: DockerNode, name: string, args: readonly string[]): string {
  const id = n.ok("run", "-d", "--name", name, "-v", "/:/host:ro", ...args, "--entrypoint", "/bin/chroot", IMAGE, "/host", process.execPath, ...ECHO.slice(1));
  waitListening(n.netnsOf(name), 8080);
  return id;
}

/** What a container sees of its network: addresses, routes, resolv.conf. */
function inside(n: DockerNode, name: string): { addrs: string; routes: string; resolv: string } {
  return {
    addrs: n.ok("exec", name, "ip", "-o", "-4", "addr", "show"),
    routes: n.ok("exec", name, "ip", "route"),
    resolv: n.ok("exec", name, "cat", "/etc/resolv.conf"),
  };
}

function dockerNetworkId(n: DockerNode, name: string): string {
  return n.ok("network", "inspect", "--format", "{{.ID}}", name);
}

/** Berth's links made for Docker: bridges bd-*, host veth ends bth*, handed-over ends not yet moved bdc*. */
function dockerLinks(): string[] {
  return hostLinks()
    .map((l) => l.name)
    .filter((l) => /^(bd-|bdc|bth)/.test(l));
}

function dockerUserRules(): string[] {
  const r = spawnSync("iptables", ["-w", "5", "-S", "DOCKER-USER"], { encoding: "utf8" });
  return r.stdout.split("\n").filter((l) => l.includes("berth"));
}

test("docker network create -d berth --ipam-driver berth makes a Berth network of the subnet, isolated, without Berth's resolver", (t) => {
  const n = requireNode(t);
  if (!n || !b) return;
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "--subnet", "10.98.0.0/24", "dn1");
  const id = dockerNetworkId(n, "dn1");
  const inspect = JSON.parse(n.berth("network", "inspect", `docker-${id.slice(0, 12)}`).stdout) as {
    subnets: { subnet: string; gateway: string }[];
    network_interface: string;
    dns_enabled: boolean;
    options?: Record<string, string>;
  }[];
  assert.equal(inspect[0]?.subnets[0]?.subnet, "10.98.0.0/24");
  assert.equal(inspect[0]?.subnets[0]?.gateway, "10.98.0.1");
  assert.equal(inspect[0]?.network_interface, `bd-${id.slice(0, 12)}`);
  assert.equal(inspect[0]?.dns_enabled, false);
  assert.deepEqual(nftInventory()?.sets.get("isolated_bridges"), [`bd-${id.slice(0, 12)}`]);
  // dockerd's FORWARD policy is DROP: the bridge's traffic is accepted in DOCKER-USER
  assert.equal(dockerUserRules().length, 2, dockerUserRules().join("\n"));
  if (process.env["BERTH_DUMP_DOCKER_USER"])
    spawnSync("sh", [
      "-c",
      `nft -j list chain ip filter DOCKER-USER > ${process.env["BERTH_DUMP_DOCKER_USER"]}; nft -j list chain ip filter FORWARD >> ${process.env["BERTH_DUMP_DOCKER_USER"]}`,
    ]);
  // a driver option Berth does not know is refused, naming it, and nothing is left
  const bad = n.docker("network", "create", "-d", "berth", "--ipam-driver", "berth", "-o", "com.docker.network.bridge.enable_icc=false", "dnbad");
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /does not know the option "com\.docker\.network\.bridge\.enable_icc"/);
  assert.equal(n.docker("network", "inspect", "dnbad").code, 1);
  // the Berth service answered: no plugin process of its own
  assert.match(n.berth("docker-plugin", "status").stdout, /^serving: \/run\/docker\/plugins\/berth\.sock$/m);
  assert.deepEqual(processesMentioning("docker-plugin"), []);
});

test("docker run -p publishes through Berth's maps: 0.0.0.0, 127.0.0.1, udp and a range answer from loopback and from outside, without docker-proxy", (t) => {
  const n = requireNode(t);
  if (!n || !b) return;
  runEcho(n, "web", ["--network", "dn1", "-p", "8080:8080", "-p", "127.0.0.1:8081:8080", "-p", "8082:8080/udp", "-p", "8190-8191:8080-8081"]);
  const ip = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "web");
  assert.match(ip, /^10\.98\.0\.\d+$/);
  assert.equal(ask("tcp", "127.0.0.1", 8080), "10.98.0.1", "from loopback: masqueraded to the gateway, as docker-proxy's connections come from it");
  assert.equal(ask("tcp", "127.0.0.1", 8081), "10.98.0.1");
  assert.equal(ask("udp", "127.0.0.1", 8082), "10.98.0.1");
  assert.equal(ask("tcp", "127.0.0.1", 8190), "10.98.0.1");
  assert.equal(ask("tcp", HOST_ADDR, 8080, outside?.ns), OUTSIDE_ADDR, "from outside: the client's own address");
  assert.equal(ask("udp", HOST_ADDR, 8082, outside?.ns), OUTSIDE_ADDR);
  assert.equal(ask("tcp", HOST_ADDR, 8081, outside?.ns, 800), undefined, "127.0.0.1:8081 is not published on other addresses");
  assert.deepEqual(
    nftInventory()?.dnat.filter((d) => d.includes(ip)),
    [
      `tcp 0.0.0.0:8080 -> ${ip}:8080`,
      `tcp 0.0.0.0:8190 -> ${ip}:8080`,
      `tcp 0.0.0.0:8191 -> ${ip}:8081`,
      `tcp 127.0.0.1:8081 -> ${ip}:8080`,
      `udp 0.0.0.0:8082 -> ${ip}:8080`,
    ],
  );
  assert.deepEqual(processesMentioning("docker-proxy"), []);
  // a published port without a host port is refused with what to do
  const r = n.docker("run", "-d", "--name", "noport", "--network", "dn1", "-p", "9999", IMAGE);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /without a host port.*Give the host port/s);
  n.docker("rm", "-f", "noport");
});

test("Berth's views show the Docker container: ps, port --all, topology, trace, doctor", (t) => {
  const n = requireNode(t);
  if (!n || !b) return;
  const sandbox = `docker-${n.ok("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", "web").split("/").pop() ?? ""}`;
  const ps = n.berth("ps");
  assert.equal(ps.code, 0, ps.stderr);
  assert.match(ps.stdout, new RegExp(`0\\.0\\.0\\.0:8080->8080/tcp.*${sandbox}`));
  assert.match(n.berth("port", "--all").stdout, /8080\/tcp -> 0\.0\.0\.0:8080/);
  const topo = n.berth("topology", sandbox);
  assert.equal(topo.code, 0, topo.stderr);
  assert.match(topo.stdout, /eth0/);
  assert.doesNotMatch(topo.stdout, /missing|drift/i);
  const trace = n.berth("trace", "127.0.0.1:8080/tcp");
  assert.equal(trace.code, 0, trace.stdout + trace.stderr);
  assert.match(trace.stdout, new RegExp(sandbox));
  // doctor checks the Docker container like any other: 8191 leads to 8081, where nothing listens (the echo server is on 8080 only)
  const doctor = n.berth("doctor", sandbox);
  assert.equal(doctor.code, 1, doctor.stdout + doctor.stderr);
  const problems = doctor.stdout.split("\n").filter((l) => /^(ERROR|WARNING) /.test(l));
  assert.deepEqual(
    problems,
    [`ERROR PORT_NOT_LISTENING: nothing listens on 8081/tcp inside ${sandbox}: connections to host port 8191 are refused`],
    doctor.stdout,
  );
  // dockerd's FORWARD policy drop is no problem: DOCKER-USER accepts the bridge both ways
  assert.doesNotMatch(doctor.stdout, /FOREIGN_DROP_POLICY/);
});

test("Docker's embedded DNS names containers on a Berth network, as on any user-defined network", (t) => {
  const n = requireNode(t);
  if (!n) return;
  n.ok("run", "-d", "--name", "peer", "--network", "dn1", IMAGE);
  const seen = inside(n, "peer");
  assert.match(seen.resolv, /^nameserver 127\.0\.0\.11$/m);
  assert.match(seen.routes, /^default via 10\.98\.0\.1 dev eth0/m);
  const webIp = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "web");
  assert.match(n.ok("exec", "peer", "nslookup", "web"), new RegExp(`Address: ${webIp.replaceAll(".", "\\.")}`));
  // the echo server answers with the client's own address: no NAT between two containers of one network
  assert.equal(n.ok("exec", "peer", "nc", "web", "8080"), n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "peer"));
});

test("docker network connect and disconnect: a second Berth network (its subnet picked by Berth's IPAM) comes and goes", (t) => {
  const n = requireNode(t);
  if (!n || !b) return;
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "dn2");
  const subnet = n.ok("network", "inspect", "--format", "{{(index .IPAM.Config 0).Subnet}}", "dn2");
  assert.match(subnet, /^10\.\d+\.\d+\.0\/24$/);
  n.ok("network", "connect", "dn2", "peer");
  const ip2 = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn2").IPAddress}}', "peer");
  assert.match(n.ok("exec", "peer", "ip", "-o", "-4", "addr", "show", "eth1"), new RegExp(`inet ${ip2.replaceAll(".", "\\.")}/24`));
  const sandbox = `docker-${n.ok("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", "peer").split("/").pop() ?? ""}`;
  // Berth records the name dockerd gave the interface inside the container
  const psJson = JSON.parse(n.berth("ps", "--format", "json").stdout) as { Name: string; NetworkSettings: { Networks: Record<string, unknown> } }[];
  assert.equal(Object.keys(psJson.find((c) => c.Name === sandbox)?.NetworkSettings.Networks ?? {}).length, 2);
  assert.equal(n.berth("doctor", sandbox).code, 0, n.berth("doctor", sandbox).stdout);
  n.ok("network", "disconnect", "dn2", "peer");
  assert.doesNotMatch(n.ok("exec", "peer", "ip", "-o", "link"), /eth1/);
  assert.match(n.ok("exec", "peer", "ip", "route"), /^default via 10\.98\.0\.1 dev eth0/m);
  assert.equal(ask("tcp", "127.0.0.1", 8080), "10.98.0.1", "the other container's ports are untouched");
});

test("berth network rm and berth rm refuse Docker's network and container, naming the docker command; -f removes a network dockerd no longer needs, DOCKER-USER rules included", (t) => {
  const n = requireNode(t);
  if (!n) return;
  const id = dockerNetworkId(n, "dn1").slice(0, 12);
  const rm = n.berth("network", "rm", `docker-${id}`);
  assert.notEqual(rm.code, 0);
  assert.match(
    rm.stderr,
    new RegExp(
      `Error: Cannot remove network "docker-${id}": docker made it with Berth's driver and still uses it\\nHint: Remove it with docker: \`docker network rm ${id}\``,
    ),
  );
  const sandbox = `docker-${n.ok("inspect", "--format", "{{.NetworkSettings.SandboxKey}}", "web").split("/").pop() ?? ""}`;
  const rmc = n.berth("rm", "-f", sandbox);
  assert.notEqual(rmc.code, 0);
  assert.match(rmc.stderr, /it is managed by docker, Berth only provides its network\nHint: Use docker for it \(e\.g\. `docker rm -f CONTAINER`\)/);
  // prune leaves Docker's networks, even one no container uses
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "dnf");
  const fid = dockerNetworkId(n, "dnf").slice(0, 12);
  assert.equal(n.berth("network", "prune", "-f").code, 0);
  assert.equal(n.berth("network", "exists", `docker-${fid}`).code, 0);
  // forced: gone from Berth with its DOCKER-USER rules; dockerd's own removal later still succeeds
  assert.equal(n.berth("network", "rm", "-f", `docker-${fid}`).code, 0);
  assert.deepEqual(
    dockerUserRules().filter((r) => r.includes(`bd-${fid}`)),
    [],
  );
  n.ok("network", "rm", "dnf");
  assert.match(n.berth("network", "inspect", `docker-${id}`).stdout, /"name": "docker-/);
});

test("docker network create --internal -d berth: an internal Berth network (no masquerade, no way out, containers still reach each other); --ipv6 gives both families", (t) => {
  const n = requireNode(t);
  if (!n) return;
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "--internal", "--subnet", "10.93.0.0/24", "dint");
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "--ipv6", "--subnet", "10.92.0.0/24", "--subnet", "fd00:92::/64", "d6");
  try {
    const iid = dockerNetworkId(n, "dint").slice(0, 12);
    const inspect = JSON.parse(n.berth("network", "inspect", `docker-${iid}`).stdout) as { internal: boolean }[];
    assert.equal(inspect[0]?.internal, true);
    const inv = nftInventory();
    assert.ok(inv?.sets.get("internal_bridges")?.includes(`bd-${iid}`), JSON.stringify([...(inv?.sets.entries() ?? [])]));
    assert.ok(!(inv?.sets.get("nat_subnets") ?? []).some((e) => e.startsWith("10.93.0.")));
    runEcho(n, "isrv", ["--network", "dint"]);
    n.ok("run", "-d", "--name", "inner", "--network", "dint", IMAGE);
    assert.equal(n.ok("exec", "inner", "nc", "isrv", "8080"), n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dint").IPAddress}}', "inner"));
    // a container of an ordinary Berth network goes out; one of the internal network does not
    assert.equal(n.docker("exec", "web", "ping", "-c", "1", "-W", "2", OUTSIDE_ADDR).code, 0);
    assert.notEqual(n.docker("exec", "inner", "ping", "-c", "1", "-W", "1", OUTSIDE_ADDR).code, 0);
    assert.notEqual(n.docker("exec", "inner", "ping", "-c", "1", "-W", "1", HOST_ADDR).code, 0);
    // IPv6: Docker's IPv6 pool and addresses are Berth's
    const sid = dockerNetworkId(n, "d6").slice(0, 12);
    const six = JSON.parse(n.berth("network", "inspect", `docker-${sid}`).stdout) as { subnets: { subnet: string; gateway: string }[] }[];
    assert.deepEqual(
      six[0]?.subnets.map((x) => `${x.subnet} ${x.gateway}`),
      ["10.92.0.0/24 10.92.0.1", "fd00:92::/64 fd00:92::1"],
    );
    n.ok("run", "-d", "--name", "c6", "--network", "d6", IMAGE);
    const ip6 = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "d6").GlobalIPv6Address}}', "c6");
    assert.match(ip6, /^fd00:92::[0-9a-f]+$/);
    assert.match(n.ok("exec", "c6", "ip", "-o", "-6", "addr", "show", "eth0"), new RegExp(`inet6 ${ip6}/64`));
    assert.match(n.ok("exec", "c6", "ip", "-6", "route"), /^default via fd00:92::1 dev eth0/m);
    assert.equal(n.docker("exec", "c6", "ping", "-c", "1", "-W", "2", "fd00:92::1").code, 0);
  } finally {
    n.docker("rm", "-f", "isrv", "inner", "c6");
    n.docker("network", "rm", "dint", "d6");
  }
});

test("the Berth service restarted under dockerd: it serves the plugin socket again when it starts, running containers keep their network, Docker's next calls work", async (t) => {
  const n = requireNode(t);
  if (!n) return;
  await n.stopPlugin();
  // any berth command starts the service again; it opens the plugin socket before it answers
  assert.match(
    n.berth("docker-plugin", "status").stdout,
    /^enabled: yes \(\/run\/docker\/plugins\/berth\.sock\)\nserving: \/run\/docker\/plugins\/berth\.sock$/m,
  );
  assert.equal(ask("tcp", "127.0.0.1", 8080), "10.98.0.1");
  n.ok("rm", "-f", "peer");
  n.ok("run", "-d", "--name", "peer2", "--network", "dn1", IMAGE);
  assert.match(n.ok("exec", "peer2", "nslookup", "web"), /Address: 10\.98\.0\./);
  n.ok("rm", "-f", "peer2");
  assert.equal(n.berth("ps", "-a", "--format", "{{.Names}}").stdout.trim().split("\n").length, 1);
});

test("dockerd restarted with containers running: Docker takes the endpoints down and up again through the plugin", async (t) => {
  const n = requireNode(t);
  if (!n) return;
  await n.stopDaemon();
  await n.startDaemon();
  // without --live-restore dockerd stopped the container; starting it joins the network anew
  n.ok("start", "web");
  waitListening(n.netnsOf("web"), 8080);
  assert.equal(ask("tcp", "127.0.0.1", 8080), "10.98.0.1");
  assert.equal(ask("tcp", HOST_ADDR, 8080, outside?.ns), OUTSIDE_ADDR);
  assert.equal(n.berth("ps", "-a", "--format", "{{.Names}}").stdout.trim().split("\n").length, 1, n.berth("ps", "-a").stdout);
});

test("differential, dockerd with --live-restore stopped and started again: containers on Berth's driver and on Docker's bridge keep addresses, ports and names throughout; Docker's next calls work", async (t) => {
  const n = requireNode(t);
  if (!n) return;
  await n.stopDaemon();
  await n.startDaemon({ liveRestore: true });
  n.ok("network", "create", "--subnet", "10.96.0.0/24", "lr-docker");
  try {
    n.ok("start", "web");
    waitListening(n.netnsOf("web"), 8080);
    runEcho(n, "lr-web", ["--network", "lr-docker", "-p", "8380:8080"]);
    n.ok("run", "-d", "--name", "lr-peer", "--network", "dn1", IMAGE);
    n.ok("run", "-d", "--name", "lr-peer-docker", "--network", "lr-docker", IMAGE);
    const webIp = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "web");
    const lrWebIp = n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "lr-docker").IPAddress}}', "lr-web");
    const peerNs = n.netnsOf("lr-peer");
    const peerDockerNs = n.netnsOf("lr-peer-docker");
    const pids = () => ["web", "lr-web", "lr-peer"].map((c) => n.ok("inspect", "--format", "{{.State.Pid}}", c));
    const pidsBefore = pids();
    /** What both drivers' containers answer: from loopback, from outside, and from a peer on the same network. */
    const seen = () => ({
      berth: [ask("tcp", "127.0.0.1", 8080), ask("tcp", HOST_ADDR, 8080, outside?.ns), ask("tcp", webIp, 8080, peerNs)],
      docker: [ask("tcp", "127.0.0.1", 8380), ask("tcp", HOST_ADDR, 8380, outside?.ns), ask("tcp", lrWebIp, 8080, peerDockerNs)],
    });
    const expected = {
      berth: ["10.98.0.1", OUTSIDE_ADDR, n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "lr-peer")],
      docker: ["10.96.0.1", OUTSIDE_ADDR, n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "lr-docker").IPAddress}}', "lr-peer-docker")],
    };
    assert.deepEqual(seen(), expected, "before");

    await n.stopDaemon();
    const down = seen();
    assert.deepEqual(down.berth, expected.berth, "while dockerd is down (live-restore keeps the containers running), Berth's ports and paths all answer");
    // Docker's bridge publishes to loopback through docker-proxy, which goes with dockerd; the rest stays
    assert.deepEqual(down.docker.slice(1), expected.docker.slice(1), "Docker's bridge, while dockerd is down");
    await n.startDaemon();
    assert.deepEqual(pids(), pidsBefore, "the same processes: restored, not restarted");
    assert.deepEqual(seen(), expected, "after dockerd restored them");
    assert.match(n.ok("exec", "lr-peer", "nslookup", "web"), new RegExp(`Address: ${webIp.replaceAll(".", "\\.")}`), "Docker's embedded DNS, restored");

    // Docker's next calls: a removal tears its endpoint down through the plugin, a new container joins
    n.ok("rm", "-f", "lr-peer");
    n.ok("run", "-d", "--name", "lr-peer2", "--network", "dn1", IMAGE);
    assert.equal(
      n.ok("exec", "lr-peer2", "nc", "web", "8080"),
      n.ok("inspect", "--format", '{{(index .NetworkSettings.Networks "dn1").IPAddress}}', "lr-peer2"),
    );
    n.ok("rm", "-f", "lr-peer2");
    assert.equal(n.berth("ps", "-a", "--format", "{{.Names}}").stdout.trim().split("\n").length, 1, n.berth("ps", "-a").stdout);
  } finally {
    if (!n.daemonRunning) await n.startDaemon();
    n.docker("rm", "-f", "lr-web", "lr-peer", "lr-peer-docker", "lr-peer2");
    n.docker("network", "rm", "lr-docker");
  }
});

/** What a container sees, with its own network's addresses replaced by names, for comparing two drivers. */
function normalized(n: DockerNode, name: string, subnetPrefix: string): { addrs: string; routes: string; resolv: string; hosts: string } {
  const seen = inside(n, name);
  const id = n.ok("inspect", "--format", "{{.Config.Hostname}}", name);
  const norm = (text: string) =>
    text
      .replaceAll(`${subnetPrefix}.1`, "GATEWAY")
      .replaceAll(new RegExp(`${subnetPrefix.replaceAll(".", "\\.")}\\.\\d+`, "g"), "ADDR")
      .replaceAll(`${subnetPrefix}.0`, "SUBNET")
      .replaceAll(id, "HOSTNAME")
      .replace(/^\d+: /gm, "");
  return { addrs: norm(seen.addrs), routes: norm(seen.routes), resolv: seen.resolv, hosts: norm(n.ok("exec", name, "cat", "/etc/hosts")) };
}

test("differential: a container on Berth's driver sees what it sees on Docker's own bridge driver (addresses, routes, resolv.conf, hosts, names, ports)", (t) => {
  const n = requireNode(t);
  if (!n) return;
  n.ok("network", "create", "-d", "berth", "--ipam-driver", "berth", "--subnet", "10.94.0.0/24", "diff-berth");
  n.ok("network", "create", "--subnet", "10.95.0.0/24", "diff-docker");
  try {
    const runs = [
      { net: "diff-berth", prefix: "10.94.0", port: 8280 },
      { net: "diff-docker", prefix: "10.95.0", port: 8281 },
    ].map((r) => {
      runEcho(n, `srv-${r.net}`, ["--network", r.net, "-p", `${r.port}:8080`, "-p", `127.0.0.1:${r.port + 100}:8080/udp`]);
      n.ok("run", "-d", "--name", `cli-${r.net}`, "--network", r.net, IMAGE);
      return {
        ...r,
        seen: normalized(n, `cli-${r.net}`, r.prefix),
        resolves: n.ok("exec", `cli-${r.net}`, "nslookup", `srv-${r.net}`).includes(`Address: ${r.prefix}.`),
        direct: n.ok("exec", `cli-${r.net}`, "nc", `srv-${r.net}`, "8080").startsWith(`${r.prefix}.`),
        loopback: ask("tcp", "127.0.0.1", r.port),
        loopbackUdp: ask("udp", "127.0.0.1", r.port + 100),
        fromOutside: ask("tcp", HOST_ADDR, r.port, outside?.ns),
        mac: n.ok("inspect", "--format", `{{(index .NetworkSettings.Networks "${r.net}").MacAddress}}`, `cli-${r.net}`),
      };
    });
    const [berth, docker] = runs;
    assert.ok(berth && docker);
    assert.deepEqual(berth.seen, docker.seen);
    assert.equal(berth.resolves, true);
    assert.equal(docker.resolves, true);
    assert.equal(berth.direct, true);
    assert.equal(docker.direct, true);
    // from loopback both see the gateway (Berth masquerades to it, docker-proxy connects from it); from outside, the client
    assert.equal(berth.loopback, "10.94.0.1");
    assert.equal(docker.loopback, "10.95.0.1");
    assert.equal(berth.loopbackUdp, "10.94.0.1");
    assert.equal(docker.loopbackUdp, "10.95.0.1");
    assert.equal(berth.fromOutside, OUTSIDE_ADDR);
    assert.equal(docker.fromOutside, OUTSIDE_ADDR);
    // the intended differences: the MAC (Berth's from the endpoint id, Docker's from the address) and no docker-proxy
    assert.match(docker.mac, /^02:42:0a:5f:00:/);
    assert.doesNotMatch(berth.mac, /^02:42:/);
    const proxies = processesMentioning("docker-proxy").map((p) => p.args);
    assert.ok(proxies.some((a) => a.includes("-host-port 8281")));
    assert.ok(!proxies.some((a) => a.includes("-host-port 8280")));
  } finally {
    n.docker("rm", "-f", "srv-diff-berth", "cli-diff-berth", "srv-diff-docker", "cli-diff-docker");
    n.docker("network", "rm", "diff-berth", "diff-docker");
  }
});

test("nothing is left after docker rm -f and docker network rm: veths, bridges, map elements, DOCKER-USER rules, store rows", (t) => {
  const n = requireNode(t);
  if (!n || !b) return;
  n.ok("rm", "-f", "web");
  n.ok("network", "rm", "dn1", "dn2");
  assert.equal(n.berth("ps", "-a", "--format", "{{.Names}}").stdout.trim(), "");
  assert.equal(n.berth("network", "ls", "--format", "{{.Name}}").stdout.trim(), "");
  assert.deepEqual(dockerLinks(), []);
  assert.deepEqual(nftInventory()?.dnat ?? [], []);
  assert.deepEqual(dockerUserRules(), []);
  // the service's log names each failed request: only the two the tests provoked failed
  const failed = readFileSync(n.pluginLog, "utf8")
    .split("\n")
    .filter((l) => / docker-plugin: \/[A-Za-z.]+: /.test(l));
  assert.deepEqual(
    failed.map((l) => / docker-plugin: (\/[A-Za-z.]+): /.exec(l)?.[1]),
    ["/NetworkDriver.CreateNetwork", "/NetworkDriver.CreateEndpoint"],
    failed.join("\n"),
  );
});
