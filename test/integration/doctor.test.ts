// `berth doctor` and `berth system info` on the real kernel, inside the test
// sandbox: a healthy setup is reported clean; then one fault at a time is
// planted (the way it happens on real hosts), doctor must name it with its
// code, and the fix it prints must make doctor clean again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox, type CliResult } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const HTTPD = ["sh", "-c", "exec busybox httpd -f -p 8080 -h /tmp"];

let b: BerthSandbox;

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

interface JsonFinding {
  code: string;
  severity: string;
  summary: string;
  evidence: string;
  fix: string;
}

function doctorJson(...args: string[]): { code: number; findings: JsonFinding[]; ok: boolean } {
  const r = b.run("doctor", ...args, "--format", "json");
  if (r.stdout === "") throw new Error(`doctor ${args.join(" ")} printed no JSON (exit ${r.code}): ${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { findings: JsonFinding[]; ok: boolean };
  return { code: r.code, ...doc };
}

function problems(findings: readonly JsonFinding[]): string[] {
  return findings.filter((f) => f.severity !== "info").map((f) => `${f.code}: ${f.evidence}`);
}

/** doctor must be clean: exit 0, "No problems found", no error or warning in JSON. */
function assertClean(what: string, ...args: string[]): CliResult {
  const r = b.run("doctor", ...args);
  assert.equal(r.code, 0, `${what}: ${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^No problems found/m, what);
  const j = doctorJson(...args);
  assert.deepEqual(problems(j.findings), [], what);
  assert.equal(j.ok, true, what);
  return r;
}

/** Poll until `ok()` or the deadline (a server needs a moment to bind). */
function waitFor(ok: () => boolean, ms = 5000): boolean {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (ok()) return true;
    spawnSync("sleep", ["0.1"]);
  }
  return ok();
}

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox().withoutUpstreamDns();
  b.ok("network", "create", "docnet");
  b.ok("run", "-d", "--name", "web", "--network", "docnet", "-p", "9090:8080", ...HTTPD);
});

after(() => {
  if (!b) return;
  b.dispose();
});

test("a healthy setup (a DNS network, a container with -p, something listening): doctor exits 0 and reports no problems", (t) => {
  if (!requireSandbox(t)) return;
  const r = assertClean("healthy host");
  assert.doesNotMatch(r.stdout, /^(ERROR|WARNING) /m);
  assert.ok(
    waitFor(() => b.run("doctor", "web").code === 0),
    "doctor web is clean once httpd listens",
  );
  assertClean("healthy container", "web");
});

test("(a) ip_forward = 0 is IP_FORWARD_OFF with its sysctl fix; --format json carries the code; the fix works", (t) => {
  if (!requireSandbox(t)) return;
  sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
  try {
    const r = b.run("doctor");
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^ERROR IP_FORWARD_OFF: IPv4 forwarding is off: containers on docnet/m);
    assert.match(r.stdout, /evidence: net\.ipv4\.ip_forward = 0; non-internal networks with containers: docnet \(1 container\)/);
    assert.match(r.stdout, /fix: +sysctl -w net\.ipv4\.ip_forward=1/);
    assert.match(r.stdout, /^1 problem found \(1 error\)/m);
    const j = doctorJson();
    assert.equal(j.code, 1);
    assert.equal(j.ok, false);
    const f = j.findings.find((x) => x.code === "IP_FORWARD_OFF");
    assert.equal(f?.severity, "error");
    assert.equal(f?.fix, "sysctl -w net.ipv4.ip_forward=1");
    assert.match(b.run("doctor", "web").stdout, /IP_FORWARD_OFF/, "a container's doctor includes the host checks of its networks");
  } finally {
    sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
  }
  assertClean("after sysctl -w net.ipv4.ip_forward=1");
});

test("(b) a deleted nft table is FIREWALL_TABLE_MISSING; berth system reconcile brings it back with the published port", (t) => {
  if (!requireSandbox(t)) return;
  sh("nft", "delete", "table", "inet", "berth");
  const j = doctorJson();
  assert.equal(j.code, 1);
  const f = j.findings.find((x) => x.code === "FIREWALL_TABLE_MISSING");
  assert.equal(f?.severity, "error");
  assert.match(f?.evidence ?? "", /no such table; the store has 1 network and 1 published port/);
  assert.equal(f?.fix, "berth system reconcile");
  const rec = b.ok("system", "reconcile");
  assert.match(rec, /re-published tcp 0\.0\.0\.0:9090 -> 10\.89\.0\.[0-9]+:8080/);
  assert.match(sh("nft", "list", "map", "inet", "berth", "dnat_any"), /tcp \. 9090 : 10\.89\.0\.[0-9]+ \. 8080/);
  assertClean("after reconcile");
});

test("(b') a published port whose map element was deleted is PORT_MAPPING_MISSING; reconcile re-adds it", (t) => {
  if (!requireSandbox(t)) return;
  sh("nft", "flush", "map", "inet", "berth", "dnat_any");
  const j = doctorJson();
  const f = j.findings.find((x) => x.code === "PORT_MAPPING_MISSING");
  assert.match(f?.evidence ?? "", /^published tcp 0\.0\.0\.0:9090 -> 10\.89\.0\.[0-9]+:8080, but no such element in map inet berth dnat_any$/);
  b.ok("system", "reconcile");
  assertClean("after reconcile");
});

test("(c) another table's forward chain with policy drop is a FOREIGN_DROP_POLICY warning naming table and chain", (t) => {
  if (!requireSandbox(t)) return;
  sh("nft", "add", "table", "inet", "otherfw");
  try {
    sh("nft", "add", "chain", "inet", "otherfw", "filterfwd", "{ type filter hook forward priority 0; policy drop; }");
    const r = b.run("doctor");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^WARNING FOREIGN_DROP_POLICY: /m);
    assert.match(r.stdout, /evidence: table inet otherfw chain filterfwd hook forward policy drop/);
    assert.match(r.stdout, /fix: +accept Berth's traffic in that chain .*nft insert rule inet otherfw filterfwd/);
    assert.match(r.stdout, /^1 problem found \(1 warning\)/m);
  } finally {
    spawnSync("nft", ["delete", "table", "inet", "otherfw"]);
  }
  assertClean("after deleting table inet otherfw");
});

test("(d) doctor NAME: nothing listening on a published port is PORT_NOT_LISTENING; with httpd listening it is not", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "idle", "--network", "docnet", "-p", "9500:8080", "sleep", "600");
  try {
    const r = b.run("doctor", "idle");
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^ERROR PORT_NOT_LISTENING: nothing listens on 8080\/tcp inside idle/m);
    assert.match(r.stdout, /fix: .*nsenter --net=\S+berth-[0-9a-f]{12} ss -ltnp/);
    assert.equal(b.run("doctor").code, 0, "the host-wide doctor does not look inside containers");
    const web = b.run("doctor", "web");
    assert.equal(web.code, 0, web.stdout);
    assert.doesNotMatch(web.stdout, /PORT_NOT_LISTENING/);
    b.ok("run", "-d", "--name", "local", "--network", "docnet", "-p", "9501:8080", "sh", "-c", "exec busybox httpd -f -p 127.0.0.1:8080 -h /tmp");
    assert.ok(
      waitFor(() => /PORT_NOT_REACHABLE/.test(b.run("doctor", "local").stdout)),
      "a server bound to 127.0.0.1 only is named",
    );
  } finally {
    b.run("rm", "-f", "idle", "local");
  }
});

test("doctor NAME: unknown container is an error with a hint; a stopped one is CONTAINER_NOT_RUNNING; default network is a note", (t) => {
  if (!requireSandbox(t)) return;
  const missing = b.run("doctor", "nosuch");
  assert.equal(missing.code, 125);
  assert.match(missing.stderr, /Error: Container "nosuch" does not exist\nHint: List containers with `berth ps -a`/);
  b.ok("run", "-d", "--name", "onbridge", "sleep", "600");
  try {
    const r = b.run("doctor", "onbridge");
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^INFO DEFAULT_NETWORK_NO_DNS: onbridge is only on the default network berth/m);
    b.ok("stop", "-t", "0", "onbridge");
    const stopped = b.run("doctor", "onbridge");
    assert.equal(stopped.code, 1);
    assert.match(stopped.stdout, /^ERROR CONTAINER_NOT_RUNNING: /m);
    assert.match(stopped.stdout, /evidence: status exited/);
  } finally {
    b.run("rm", "-f", "onbridge");
  }
});

test("(e) a leftover netns file and veth are LEFTOVER_* warnings; reconcile removes them", (t) => {
  if (!requireSandbox(t)) return;
  const planted = join(b.root, "netns", "berth-0123456789ab");
  writeFileSync(planted, "");
  sh("ip", "link", "add", "bth0000deadbeef", "type", "veth", "peer", "name", "doctorpeer0");
  const j = doctorJson();
  assert.equal(j.code, 1);
  assert.deepEqual(
    j.findings
      .filter((f) => f.code.startsWith("LEFTOVER_"))
      .map((f) => [f.code, f.severity, f.evidence])
      .sort(),
    [
      ["LEFTOVER_NETNS", "warning", `${planted} exists; no container in the store uses it`],
      ["LEFTOVER_VETH", "warning", "veth bth0000deadbeef on the host; no attachment in the store uses it"],
    ],
  );
  const r = b.run("doctor");
  assert.match(r.stdout, /^2 problems found \(2 warnings\)/m);
  b.ok("system", "reconcile");
  assertClean("after reconcile");
});

test("the DNS resolver stopped is DNS_RESOLVER_DOWN; reconcile restarts it", (t) => {
  if (!requireSandbox(t)) return;
  const pid = Number(readFileSync(join(b.root, "run", "dns", "resolver.pid"), "utf8").trim());
  // SIGTERM, not SIGKILL: in the sandbox's pid namespace nothing reaps an orphan, and a zombie still answers kill(pid, 0)
  process.kill(pid, "SIGTERM");
  assert.ok(
    waitFor(() => doctorJson().findings.some((f) => f.code === "DNS_RESOLVER_DOWN")),
    "doctor notices the dead resolver",
  );
  b.ok("system", "reconcile");
  assertClean("after reconcile");
});

test("a host process bound on a published port is HOST_PORT_IN_USE naming it and its pid", (t) => {
  if (!requireSandbox(t)) return;
  const holder: ChildProcess = spawn(process.execPath, ["-e", "require('net').createServer().listen(9090, '0.0.0.0'); setTimeout(()=>{}, 60000)"], {
    stdio: "ignore",
  });
  try {
    assert.ok(waitFor(() => b.run("doctor").code === 1));
    const r = b.run("doctor");
    assert.match(r.stdout, /^WARNING HOST_PORT_IN_USE: Port 9090\/tcp published by container web is also bound by host process node/m);
    assert.match(r.stdout, new RegExp(`evidence: tcp 0\\.0\\.0\\.0:9090 bound by node \\(pid ${String(holder.pid)}\\)`));
  } finally {
    holder.kill();
  }
  assert.ok(
    waitFor(() => b.run("doctor").code === 0),
    "clean once the process is gone",
  );
});

test("a host route over a network's subnet (a VPN's) is SUBNET_OVERLAP naming the route and its interface", (t) => {
  if (!requireSandbox(t)) return;
  // a veth pair plays the VPN's interface (this kernel has no dummy module)
  sh("ip", "link", "add", "vpn0", "type", "veth", "peer", "name", "vpn0peer");
  try {
    sh("ip", "link", "set", "vpn0peer", "up");
    sh("ip", "link", "set", "vpn0", "up");
    sh("ip", "route", "add", "10.0.0.0/8", "dev", "vpn0");
    const j = doctorJson();
    assert.equal(j.code, 1);
    const f = j.findings.find((x) => x.code === "SUBNET_OVERLAP" && /network docnet/.test(x.evidence));
    assert.equal(f?.severity, "warning");
    assert.match(f?.evidence ?? "", /^network docnet subnet 10\.89\.0\.0\/24 on berth[0-9]+; host route 10\.0\.0\.0\/8 dev vpn0$/);
    assert.match(f?.summary ?? "", /hosts behind vpn0 are unreachable/);
  } finally {
    spawnSync("ip", ["link", "del", "vpn0"]);
  }
  assertClean("after the route is gone");
});

test("berth system info (and inspect host) prints the bridge with its gateway, the table, DNS and sysctls", (t) => {
  if (!requireSandbox(t)) return;
  const net = JSON.parse(b.ok("network", "inspect", "docnet")) as { network_interface: string; subnets: { subnet: string; gateway: string }[] }[];
  const bridge = net[0]?.network_interface ?? "";
  const gw = net[0]?.subnets[0]?.gateway ?? "";
  const prefix = net[0]?.subnets[0]?.subnet.split("/")[1] ?? "";
  const text = b.ok("system", "info");
  assert.match(text, new RegExp(`^ +${bridge} +bridge +up +[0-9]+ +[0-9a-f:]{17} +- +${gw.replace(/\./g, "\\.")}/${prefix}$`, "m"));
  assert.match(text, new RegExp(`^ +bth[0-9a-f]{12} +veth +up .* ${bridge} +-$`, "m"), "the container's veth with its bridge as master");
  assert.match(text, /table inet berth\n +chains: .*forward \(hook forward, policy accept\)/);
  assert.match(text, /maps \(elements\): .*dnat_any 1/);
  assert.match(text, new RegExp(`resolver: pid [0-9]+\\n +listening on: .*${gw.replace(/\./g, "\\.")}:53/udp`));
  assert.match(text, /net\.ipv4\.ip_forward = 1/);
  assert.match(text, new RegExp(`net\\.ipv4\\.conf\\.${bridge}\\.route_localnet = 1`));
  assert.match(text, /^Berth: 2 networks, 1 container \(1 running\)$/m, "docnet and the default network (made by an earlier test)");
  assert.equal(b.ok("inspect", "host"), text, "berth inspect host is the same view");
  const j = JSON.parse(b.ok("system", "info", "--format", "json")) as { interfaces: { name: string; addresses: string[] }[] };
  assert.deepEqual(j.interfaces.find((i) => i.name === bridge)?.addresses, [`${gw}/${prefix}`]);
  assert.equal(
    b.ok("inspect", "-f", '{{.berth.running}} {{index .sysctls "net.ipv4.ip_forward"}}', "host"),
    "1 1\n",
    "inspect -f applies a template to the host view",
  );
});

test("nothing is left behind", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("rm", "-f", "web");
  b.ok("network", "rm", "docnet");
  assertClean("empty host");
  b.ok("system", "reset", "-f");
  spawnSync("ip", ["link", "del", "doctorpeer0"]);
  assert.deepEqual(b.leftovers(), []);
});
