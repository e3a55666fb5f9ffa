// Berth's nftables table on the real kernel, inside the test sandbox: a small
// topology of bridges and netns "containers" plus an "outside" netns, checked
// with real TCP/UDP packets and with `nft -j list table inet berth`.
//
//   outside (192.0.2.2) --veth-- ext0 (192.0.2.1, 192.0.2.11)  [sandbox = host]
//   brA 10.89.1.0/24 isolated:  a1 .2, a2 .3        brB 10.89.2.0/24 isolated: b1 .2
//   brC 10.89.3.0/24 open:      c1 .2               brD 10.89.4.0/24 open:     d1 .2
//   brI 10.89.5.0/24 internal:  i1 .2, i2 .3
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "../../src/exec.js";
import { Firewall, NftApplier, type FirewallNetwork, type PortMapping } from "../../src/firewall/index.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const NETS: (FirewallNetwork & { subnet: string })[] = [
  { name: "neta", bridge: "brA", subnet: "10.89.1.0/24", internal: false, isolate: true },
  { name: "netb", bridge: "brB", subnet: "10.89.2.0/24", internal: false, isolate: true },
  { name: "netc", bridge: "brC", subnet: "10.89.3.0/24", internal: false, isolate: false },
  { name: "netd", bridge: "brD", subnet: "10.89.4.0/24", internal: false, isolate: false },
  { name: "neti", bridge: "brI", subnet: "10.89.5.0/24", internal: true, isolate: true },
];
const CONTAINERS: { name: string; bridge: string; ip: string }[] = [
  { name: "a1", bridge: "brA", ip: "10.89.1.2" },
  { name: "a2", bridge: "brA", ip: "10.89.1.3" },
  { name: "b1", bridge: "brB", ip: "10.89.2.2" },
  { name: "c1", bridge: "brC", ip: "10.89.3.2" },
  { name: "d1", bridge: "brD", ip: "10.89.4.2" },
  { name: "i1", bridge: "brI", ip: "10.89.5.2" },
  { name: "i2", bridge: "brI", ip: "10.89.5.3" },
];
const HOST = "192.0.2.1";
const HOST2 = "192.0.2.11";
const OUTSIDE = "192.0.2.2";
const A1 = "10.89.1.2";
const PUBLISHED: PortMapping[] = [
  { proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerIp: A1, containerPort: 80 },
  { proto: "udp", hostIp: "0.0.0.0", hostPort: 8080, containerIp: A1, containerPort: 80 },
  { proto: "tcp", hostIp: HOST2, hostPort: 8081, containerIp: A1, containerPort: 80 },
  { proto: "udp", hostIp: HOST2, hostPort: 8081, containerIp: A1, containerPort: 80 },
];

// replies "<name> <client address>" on TCP and UDP
const SERVER = `import net from "node:net"; import dgram from "node:dgram";
const [port, name] = [Number(process.argv[2]), process.argv[3]];
let up = 0; const ready = () => { if (++up === 2) process.stdout.write("ready\\n"); };
net.createServer((s) => { s.on("error", () => {}); s.end(name + " " + s.remoteAddress + "\\n"); }).listen(port, "0.0.0.0", ready);
const u = dgram.createSocket("udp4"); u.on("message", (_m, r) => u.send(name + " " + r.address + "\\n", r.port, r.address)); u.bind(port, "0.0.0.0", ready);`;
// prints the server's reply; exit 1 on a connection error, 2 on timeout
const PROBE = `import net from "node:net"; import dgram from "node:dgram";
const [proto, host, port, ms] = [process.argv[2], process.argv[3], Number(process.argv[4]), Number(process.argv[5])];
setTimeout(() => { process.stderr.write("timeout"); process.exit(2); }, ms);
if (proto === "tcp") {
  let data = ""; const s = net.connect({ host, port });
  s.setEncoding("utf8").on("data", (d) => (data += d)).on("end", () => { process.stdout.write(data); process.exit(0); });
  s.on("error", (e) => { process.stderr.write(String(e.code)); process.exit(1); });
} else {
  const u = dgram.createSocket("udp4");
  u.on("message", (m) => { process.stdout.write(m.toString()); process.exit(0); });
  u.on("error", (e) => { process.stderr.write(String(e.code)); process.exit(1); });
  u.send("hi", port, host);
}`;

let root = "";
let fw: Firewall;
const servers: ChildProcess[] = [];
const made = { links: [] as string[], netns: [] as string[] };

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}
const ns = (name: string) => join(root, `ns-${name}`);
const inNs = (name: string, ...cmd: string[]) => sh("nsenter", `--net=${ns(name)}`, ...cmd);

function makeNetns(name: string): void {
  writeFileSync(ns(name), "");
  sh("unshare", `--net=${ns(name)}`, "true");
  made.netns.push(ns(name));
  inNs(name, "ip", "link", "set", "lo", "up");
}

/** A netns whose eth0 is the peer of host veth HOSTIF: ip link add HOSTIF type veth peer name eth0 netns PATH */
function plug(name: string, hostIf: string, cidr: string, gateway: string): void {
  makeNetns(name);
  sh("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns(name));
  made.links.push(hostIf);
  inNs(name, "ip", "addr", "add", cidr, "dev", "eth0");
  inNs(name, "ip", "link", "set", "eth0", "up");
  inNs(name, "ip", "route", "add", "default", "via", gateway);
}

function sysctl(key: string, value: string): void {
  writeFileSync(`/proc/sys/${key.replace(/\./g, "/")}`, value);
}

function buildTopology(): void {
  root = mkdtempSync(join(tmpdir(), "berth-fw-"));
  writeFileSync(join(root, "server.mjs"), SERVER);
  writeFileSync(join(root, "probe.mjs"), PROBE);
  sysctl("net.ipv4.ip_forward", "1");
  for (const n of NETS) {
    sh("ip", "link", "add", n.bridge, "type", "bridge");
    made.links.push(n.bridge);
    sh("ip", "addr", "add", n.subnet.replace(/\.0\//, ".1/"), "dev", n.bridge);
    sh("ip", "link", "set", n.bridge, "up");
  }
  for (const c of CONTAINERS) {
    const gw = c.ip.replace(/\.[0-9]+$/, ".1");
    plug(c.name, `v${c.name}`, `${c.ip}/24`, gw);
    sh("ip", "link", "set", `v${c.name}`, "master", c.bridge, "up");
    // with br_netfilter (bridge-nf-call-iptables=1) a DNATed packet to a container on the
    // same bridge is bridged, not routed: hairpin to its own port needs hairpin mode
    sh("ip", "link", "set", `v${c.name}`, "type", "bridge_slave", "hairpin", "on");
  }
  // the outside world: no route back to the containers except for the unsolicited-traffic checks
  plug("out", "ext0", `${OUTSIDE}/24`, HOST);
  sh("ip", "addr", "add", `${HOST}/24`, "dev", "ext0");
  sh("ip", "addr", "add", `${HOST2}/24`, "dev", "ext0");
  sh("ip", "link", "set", "ext0", "up");
}

function teardownTopology(): void {
  for (const s of servers) s.kill("SIGKILL");
  try {
    fw?.reset();
  } catch {
    // the sandbox vanishes anyway
  }
  for (const l of made.links.reverse()) spawnSync("ip", ["link", "del", l]);
  for (const p of made.netns) spawnSync("umount", [p]);
  if (root) rmSync(root, { recursive: true, force: true });
}

async function startServer(where: string, name: string, port: number): Promise<void> {
  const child = spawn("nsenter", [`--net=${ns(where)}`, process.execPath, join(root, "server.mjs"), String(port), name], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${where} did not start`)), 5000);
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      if (d.includes("ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on("exit", (code) => reject(new Error(`server in ${where} exited with ${String(code)}`)));
  });
}

interface Probe {
  readonly ok: boolean;
  /** The server's "<name> <client address>" line, or the error. */
  readonly reply: string;
}

/** Connect from a netns (or "host", the sandbox itself) and return the server's reply. */
async function probe(from: string, proto: "tcp" | "udp", host: string, port: number, timeoutMs = 1500): Promise<Probe> {
  const args = [join(root, "probe.mjs"), proto, host, String(port), String(timeoutMs)];
  const r = from === "host" ? await execFile(process.execPath, args) : await execFile("nsenter", [`--net=${ns(from)}`, process.execPath, ...args]);
  return { ok: r.code === 0, reply: r.code === 0 ? r.stdout.trim() : `failed (${r.stderr.trim()})` };
}

/** ping once from a netns: true when a reply came back. */
async function ping(from: string, to: string): Promise<boolean> {
  return (await execFile("nsenter", [`--net=${ns(from)}`, "ping", "-c1", "-W1", "-q", to])).code === 0;
}

before(async () => {
  if (!inSandbox()) return;
  buildTopology();
  fw = new Firewall();
  fw.ensureBase();
  fw.syncNetworks(NETS);
  for (const n of NETS) for (const s of fw.requiredSysctls(n)) sysctl(s.key, s.value);
  await startServer("a1", "a1", 80);
  await startServer("out", "out", 7000);
});

after(() => {
  if (inSandbox()) teardownTopology();
});

test("the table exists with its chains, sets and hooks (nft -j list table inet berth)", (t) => {
  if (!requireSandbox(t)) return;
  const doc = JSON.parse(sh("nft", "-j", "list", "table", "inet", "berth")) as { nftables: Record<string, Record<string, unknown>>[] };
  const chains = doc.nftables.flatMap((o) => (o["chain"] ? [o["chain"]] : []));
  const hooks = Object.fromEntries(chains.map((c) => [c["name"], `${String(c["type"])}/${String(c["hook"])}/${String(c["policy"])}`]));
  assert.deepEqual(hooks, {
    localhost_guard: "filter/prerouting/accept",
    forward: "filter/forward/accept",
    prerouting: "nat/prerouting/accept",
    output: "nat/output/accept",
    postrouting: "nat/postrouting/accept",
  });
  const sets = Object.fromEntries(doc.nftables.flatMap((o) => (o["set"] ? [[o["set"]["name"], o["set"]["elem"]]] : [])));
  assert.deepEqual(sets["internal_bridges"], ["brI"]);
  assert.deepEqual([...(sets["isolated_bridges"] as string[])].sort(), ["brA", "brB"]);
  const rules = doc.nftables.filter((o) => o["rule"]).length;
  assert.equal(
    rules,
    4 + 14 + 8 + 8 + 5,
    "localhost_guard 4, forward 14 (2 for cluster CIDRs, 2 for node CIDRs, 1 for isolate=peers), prerouting 8 and output 8 (two maps per family, each with its labelling lookup), postrouting 5 (3 IPv4, 2 IPv6)",
  );
  // ensureBase and syncNetworks again: same rules, no duplicates
  fw.ensureBase();
  fw.syncNetworks(NETS);
  const again = JSON.parse(sh("nft", "-j", "list", "table", "inet", "berth")) as { nftables: Record<string, unknown>[] };
  assert.equal(again.nftables.filter((o) => o["rule"]).length, rules);
});

test("same-network traffic flows, also inside an internal network", async (t) => {
  if (!requireSandbox(t)) return;
  const r = await probe("a2", "tcp", A1, 80);
  assert.equal(r.reply, "a1 10.89.1.3", "a1 sees a2's own address");
  assert.ok(await ping("i1", "10.89.5.3"), "i1 -> i2");
});

test("isolated networks cannot reach each other or other networks; two non-isolated networks can", async (t) => {
  if (!requireSandbox(t)) return;
  const [b1ToA1Tcp, b1ToA1, a1ToB1, a1ToC1, c1ToA1, c1ToD1, d1ToC1] = await Promise.all([
    probe("b1", "tcp", A1, 80, 1000),
    ping("b1", A1),
    ping("a1", "10.89.2.2"),
    ping("a1", "10.89.3.2"),
    ping("c1", A1),
    ping("c1", "10.89.4.2"),
    ping("d1", "10.89.3.2"),
  ]);
  assert.equal(b1ToA1Tcp.ok, false, `b1 -> a1:80 must be dropped, got ${b1ToA1Tcp.reply}`);
  assert.equal(b1ToA1, false, "isolated B -> isolated A");
  assert.equal(a1ToB1, false, "isolated A -> isolated B");
  assert.equal(a1ToC1, false, "isolated A -> open C (one side isolated is enough)");
  assert.equal(c1ToA1, false, "open C -> isolated A");
  assert.ok(c1ToD1, "open C -> open D");
  assert.ok(d1ToC1, "open D -> open C");
});

test("a non-internal network goes out masqueraded; an internal one reaches nothing outside and nothing reaches it", async (t) => {
  if (!requireSandbox(t)) return;
  const [tcp, udp, internalOut, internalPing, internalToA, aToInternal] = await Promise.all([
    probe("a1", "tcp", OUTSIDE, 7000),
    probe("c1", "udp", OUTSIDE, 7000),
    probe("i1", "tcp", OUTSIDE, 7000, 1000),
    ping("i1", OUTSIDE),
    ping("i1", A1),
    ping("c1", "10.89.5.2"),
  ]);
  assert.equal(tcp.reply, `out ${HOST}`, "outside sees the host's address, not 10.89.1.2");
  assert.equal(udp.reply, `out ${HOST}`);
  assert.equal(internalOut.ok, false, `internal -> outside must fail, got ${internalOut.reply}`);
  assert.equal(internalPing, false);
  assert.equal(internalToA, false, "internal -> another network");
  assert.equal(aToInternal, false, "another network -> internal");
  inNs("out", "ip", "route", "add", "10.89.0.0/16", "via", HOST);
  try {
    const [outToInternal, outToA1] = await Promise.all([ping("out", "10.89.5.2"), probe("out", "tcp", A1, 80, 1000)]);
    assert.equal(outToInternal, false, "outside -> internal, even with a route");
    assert.equal(outToA1.ok, false, `no unsolicited traffic into a container network, got ${outToA1.reply}`);
  } finally {
    inNs("out", "ip", "route", "del", "10.89.0.0/16");
  }
});

test("a network's cluster CIDR is routed both ways without NAT; other networks stay masqueraded and closed", async (t) => {
  if (!requireSandbox(t)) return;
  // neta takes the outside's subnet as its cluster CIDR (the pods of other nodes)
  fw.syncNetworks(NETS.map((n) => (n.name === "neta" ? { ...n, clusterCidrs: ["192.0.2.0/24"] } : n)));
  inNs("out", "ip", "route", "add", "10.89.0.0/16", "via", HOST);
  t.after(() => {
    inNs("out", "ip", "route", "del", "10.89.0.0/16");
    fw.syncNetworks(NETS);
  });
  const [aOut, cOut, outToA1, outToC1, outToI] = await Promise.all([
    probe("a1", "tcp", OUTSIDE, 7000),
    probe("c1", "tcp", OUTSIDE, 7000),
    probe("out", "tcp", A1, 80),
    ping("out", "10.89.3.2"),
    ping("out", "10.89.5.2"),
  ]);
  assert.equal(aOut.reply, `out ${A1}`, "to its cluster CIDR a container keeps its own address");
  assert.equal(cOut.reply, `out ${HOST}`, "a network without that cluster CIDR is still masqueraded");
  assert.equal(outToA1.reply, `a1 ${OUTSIDE}`, "the cluster CIDR reaches the container directly, with its own address");
  assert.equal(outToC1, false, "no unsolicited traffic into a network without that cluster CIDR");
  assert.equal(outToI, false, "nor into an internal network");
});

test("published ports: 0.0.0.0 from outside (real client address), from the host, via 127.0.0.1, and hairpin, TCP and UDP", async (t) => {
  if (!requireSandbox(t)) return;
  fw.addPortMappings(PUBLISHED);
  t.after(() => fw.removePortMappings(PUBLISHED));
  const cases: [string, string, "tcp" | "udp", string, string][] = [
    ["outside, tcp", "out", "tcp", HOST, `a1 ${OUTSIDE}`],
    ["outside, udp", "out", "udp", HOST, `a1 ${OUTSIDE}`],
    ["host address from the host, tcp", "host", "tcp", HOST, `a1 ${HOST}`],
    ["localhost, tcp", "host", "tcp", "127.0.0.1", "a1 10.89.1.1"],
    ["localhost, udp", "host", "udp", "127.0.0.1", "a1 10.89.1.1"],
    ["hairpin to itself, tcp", "a1", "tcp", HOST, "a1 10.89.1.1"],
    ["hairpin to itself, udp", "a1", "udp", HOST, "a1 10.89.1.1"],
    ["hairpin from the same network, tcp", "a2", "tcp", HOST, "a1 10.89.1.1"],
    ["from an isolated network through the host, tcp", "b1", "tcp", HOST, "a1 10.89.2.2"],
  ];
  const results = await Promise.all(cases.map(([, from, proto, host]) => probe(from, proto, host, 8080)));
  for (const [i, [what, , , , want]] of cases.entries()) assert.equal(results[i]?.reply, want, what);
});

test("a port published on one host address is forwarded only for that address", async (t) => {
  if (!requireSandbox(t)) return;
  fw.addPortMappings(PUBLISHED);
  t.after(() => fw.removePortMappings(PUBLISHED));
  const [tcpRight, udpRight, tcpWrong, udpWrong] = await Promise.all([
    probe("out", "tcp", HOST2, 8081),
    probe("out", "udp", HOST2, 8081),
    probe("out", "tcp", HOST, 8081, 1000),
    probe("out", "udp", HOST, 8081, 1000),
  ]);
  assert.equal(tcpRight.reply, `a1 ${OUTSIDE}`);
  assert.equal(udpRight.reply, `a1 ${OUTSIDE}`);
  assert.equal(tcpWrong.ok, false, `tcp to ${HOST}:8081 must not be forwarded, got ${tcpWrong.reply}`);
  assert.equal(udpWrong.ok, false, `udp to ${HOST}:8081 must not be forwarded, got ${udpWrong.reply}`);
});

test("port mappings: listed from the live maps, kept across syncNetworks, removal is a sweep", async (t) => {
  if (!requireSandbox(t)) return;
  fw.addPortMappings(PUBLISHED);
  fw.addPortMappings(PUBLISHED); // adding again is a no-op
  const key = (m: PortMapping) => `${m.proto} ${m.hostIp}:${m.hostPort} ${m.containerIp}:${m.containerPort}`;
  assert.deepEqual(fw.listPortMappings().map(key).sort(), PUBLISHED.map(key).sort());
  fw.syncNetworks(NETS);
  assert.equal(fw.listPortMappings().length, PUBLISHED.length, "a network re-render leaves published ports alone");
  const other = { ...PUBLISHED[0]!, containerIp: "10.89.1.3" };
  assert.throws(
    () => fw.addPortMappings([other]),
    (e: unknown) => e instanceof Error && "code" in e && e.code === "FIREWALL" && /File exists/.test(e.message),
  );
  fw.removePortMappings([PUBLISHED[0]!, PUBLISHED[2]!]);
  fw.removePortMappings(PUBLISHED); // two already gone: still fine
  fw.removePortMappings(PUBLISHED);
  assert.deepEqual(fw.listPortMappings(), []);
  const gone = await probe("out", "tcp", HOST, 8080, 1000);
  assert.equal(gone.ok, false, "unpublished");
  // someone else's mapping on the same key is left alone by our sweep
  fw.addPortMappings([other]);
  fw.removePortMappings([PUBLISHED[0]!]);
  assert.deepEqual(fw.listPortMappings().map(key), [key(other)]);
  fw.removePortMappings([other]);
});

test("foreign forward chains with policy drop are reported", (t) => {
  if (!requireSandbox(t)) return;
  assert.deepEqual(fw.foreignDropPolicies(), []);
  sh("nft", "add table ip fwtest");
  sh("nft", "add chain ip fwtest gate { type filter hook forward priority 0; policy drop; }");
  try {
    const found = fw.foreignDropPolicies();
    assert.equal(found.length, 1);
    assert.match(found[0]?.where ?? "", /^nftables table "ip fwtest" has a forward chain "gate" with policy drop$/);
    assert.equal(found[0]?.evidence, "table ip fwtest chain gate hook forward policy drop");
  } finally {
    sh("nft", "delete table ip fwtest");
  }
});

test("one published port is one element insert whatever is published already, on libnftables and the nft program", (t) => {
  if (!requireSandbox(t)) return;
  // Per-transaction time is measured in bench/ports.ts; here: what is applied.
  const bulk: PortMapping[] = Array.from({ length: 1000 }, (_, i) => ({
    proto: "tcp",
    hostIp: "0.0.0.0",
    hostPort: 20000 + i,
    containerIp: "10.89.3.2",
    containerPort: 80,
  }));
  const one: PortMapping = { proto: "udp", hostIp: "0.0.0.0", hostPort: 30000, containerIp: "10.89.3.2", containerPort: 80 };
  for (const backend of ["libnftables", "nft"] as const) {
    const scripts: string[] = [];
    const applier = new (class extends NftApplier {
      override apply(script: string, what?: string): void {
        scripts.push(script);
        super.apply(script, what);
      }
    })({ backend });
    const f = new Firewall({ applier });
    try {
      assert.equal(applier.kind, backend);
      f.addPortMappings(bulk);
      scripts.length = 0;
      f.addPortMappings([one]);
      assert.equal(scripts.length, 1, `${backend}: one transaction`);
      const elements = (scripts[0] ?? "").match(/udp \. 30000/g) ?? [];
      assert.equal(elements.length, 1, `${backend}: the new element only:\n${scripts[0] ?? ""}`);
      assert.doesNotMatch(scripts[0] ?? "", /tcp \. 20\d\d\d/, `${backend}: the 1000 present elements are not rewritten`);
      assert.doesNotMatch(scripts[0] ?? "", /flush|delete map|add map/, `${backend}: no map is rebuilt`);
      assert.equal(f.listPortMappings().length, 1001);
      scripts.length = 0;
      f.removePortMappings([one]);
      assert.equal(scripts.length, 1, `${backend}: one transaction to remove`);
      assert.doesNotMatch(scripts[0] ?? "", /tcp \. 20\d\d\d/);
      f.removePortMappings(bulk);
      assert.equal(f.listPortMappings().length, 0);
    } finally {
      f.close();
    }
  }
});

test("tableExists asks the kernel for the one table: nft neither lists nor checks anything, nothing made", (t) => {
  if (!requireSandbox(t)) return;
  for (const backend of ["libnftables", "nft"] as const) {
    const listed: string[] = [];
    const applier = new (class extends NftApplier {
      override list(command: string): ReturnType<NftApplier["list"]> {
        listed.push(command);
        return super.list(command);
      }
      override check(script: string): string | undefined {
        listed.push(`check ${script}`);
        return super.check(script);
      }
    })({ backend });
    const f = new Firewall({ applier });
    try {
      f.ensureBase();
      assert.equal(f.tableExists(), true, `${backend}: the table is there`);
      f.reset();
      assert.equal(f.tableExists(), false, `${backend}: the table is gone`);
      assert.equal(spawnSync("nft", ["list", "table", "inet", "berth"]).status, 1, `${backend}: the check made no table`);
      // nft 1.0 fetches its cache before a listing or a check: with 1,000 containers, every set element
      assert.deepEqual(listed, [], `${backend}: nothing listed or checked through nft`);
    } finally {
      f.ensureBase();
      f.syncNetworks(NETS);
      f.close();
    }
  }
});

test("reset deletes the table and is fine when it is already gone", (t) => {
  if (!requireSandbox(t)) return;
  t.after(() => {
    fw.ensureBase();
    fw.syncNetworks(NETS);
  });
  fw.reset();
  assert.equal(fw.tableExists(), false);
  assert.equal(spawnSync("nft", ["list", "table", "inet", "berth"]).status, 1);
  fw.reset();
  fw.removePortMappings(PUBLISHED); // teardown after a reset: nothing to do, no error
  assert.deepEqual(fw.listPortMappings(), []);
});
