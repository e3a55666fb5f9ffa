// Berth on a host where firewalld runs (nftables backend), as Podman's
// netavark supports: firewalld's own `table inet firewalld` rejects what
// it has no zone for, and a packet must pass every base chain, so Berth's
// accepting table is not enough. First shown: a network made before
// firewalld came (so no trusted-zone step) has its containers' egress and
// their resolver on the gateway rejected by firewalld. Then Berth binds the
// subnet to firewalld's trusted zone (reconcile; network create while
// firewalld runs does it at once) and everything passes: masquerade to an
// outside namespace, a neighbour's name through Berth's resolver, a
// published port from outside and from 127.0.0.1. network rm unbinds it.
// firewalld and its D-Bus daemon run inside the test sandbox only
// (test/firewalld.ts); nothing of the machine's is touched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO, askAll, waitListening, type Probe } from "../echo.js";
import { HOST_ADDR, OUTSIDE_ADDR, makeOutside, type Outside } from "../outside.js";
import { startTestFirewalld, testBusAddress, type TestFirewalld } from "../firewalld.js";
import { before, after } from "node:test";

const SUBNET = "10.93.0.0/24";
const GATEWAY = "10.93.0.1";
const SUBNET2 = "10.94.0.0/24";
/** A refused path answers at once (firewalld rejects with ICMP); a silent one waits this long. */
const NO = 1500;

let b: BerthSandbox | undefined;
let outside: Outside | undefined;
let fw: TestFirewalld | undefined;
let echoOutside: ChildProcess | undefined;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox().withoutUpstreamDns();
  outside = makeOutside(b.root, { defaultRoute: true });
  // Berth is told of the test's bus from its first command on (its service starts with this environment)
  b.env["DBUS_SYSTEM_BUS_ADDRESS"] = testBusAddress(join(b.root, "dbus"));
});

after(() => {
  echoOutside?.kill("SIGKILL");
  b?.run("rm", "-af");
  b?.run("network", "rm", "-f", "fwnet");
  b?.run("network", "rm", "-f", "fwnet2");
  fw?.stop();
  outside?.remove();
  b?.dispose();
});

/** The probes of one look at the network, and what each got. */
async function look(ns: { web: string; peer: string }): Promise<Record<string, boolean>> {
  const probes: Record<string, Probe> = {
    "egress to the outside namespace (masquerade)": { proto: "tcp", host: OUTSIDE_ADDR, port: 8080, netns: ns.web, timeoutMs: NO },
    "published port from the outside namespace": { proto: "tcp", host: HOST_ADDR, port: 9730, netns: outside?.ns, timeoutMs: NO },
    "published port on 127.0.0.1 from the host": { proto: "tcp", host: "127.0.0.1", port: 9730, timeoutMs: NO },
  };
  const names = Object.keys(probes);
  const answers = await askAll(names.map((n) => probes[n] as Probe));
  const out: Record<string, boolean> = {};
  names.forEach((n, i) => (out[n] = answers[i] !== undefined));
  // the resolver on the gateway: the neighbour's name, asked from inside the container (busybox's stock client)
  const dns = spawnSync("nsenter", [`--net=${ns.web}`, "busybox", "nslookup", "peer.dns.berth", GATEWAY], { encoding: "utf8", timeout: 20_000 });
  out["the neighbour's name through Berth's resolver on the gateway"] = new RegExp(`10\\.93\\.0\\.\\d+`).test(dns.stdout.split("Name:")[1] ?? "");
  return out;
}

/** Doctor's findings on the whole host, as "CODE severity: summary". */
function doctorFindings(): string[] {
  const r = b?.run("doctor", "--format", "json");
  const report = JSON.parse(r?.stdout ?? "{}") as { findings?: { code: string; severity: string; summary: string }[] };
  return (report.findings ?? []).map((f) => `${f.code} ${f.severity}: ${f.summary}`);
}

test("firewalld: without the trusted zone its table rejects Berth's containers; with Berth's subnet in it, egress, DNS and published ports pass; network rm unbinds", async (t) => {
  if (!requireSandbox(t) || !b || !outside) return;
  // the network is made while no firewalld runs: no bus socket, so no trusted-zone step
  b.ok("network", "create", "fwnet", "--subnet", SUBNET);
  b.ok("run", "-d", "--name", "web", "--network", "fwnet", "-p", "9730:8080", ...ECHO);
  b.ok("run", "-d", "--name", "peer", "--network", "fwnet", ...ECHO);
  const ns = { web: b.netns("web"), peer: b.netns("peer") };
  echoOutside = spawn("nsenter", [`--net=${outside.ns}`, ...ECHO], { stdio: "ignore" });
  waitListening(ns.web);
  waitListening(outside.ns);
  const all = await look(ns);
  assert.ok(
    Object.values(all).every((v) => v),
    `before firewalld, everything passes: ${JSON.stringify(all)}`,
  );

  fw = startTestFirewalld(join(b.root, "dbus"));
  assert.equal(fw.cmd("--state").trim(), "running");
  assert.equal(fw.cmd("--zone=trusted", "--list-sources").trim(), "", "nothing in the trusted zone yet");
  const rejected = await look(ns);
  // the reason for the trusted-zone step: firewalld's forward and input chains reject what no zone lets in
  assert.equal(rejected["egress to the outside namespace (masquerade)"], false, `firewalld rejects egress: ${JSON.stringify(rejected)}`);
  assert.equal(
    rejected["the neighbour's name through Berth's resolver on the gateway"],
    false,
    `firewalld rejects the resolver on the gateway: ${JSON.stringify(rejected)}`,
  );
  // what passes regardless: firewalld accepts DNATed connections (`ct status dnat accept` in its forward
  // and input chains), and 127.0.0.1 never crosses its forward chain
  assert.equal(rejected["published port from the outside namespace"], true, JSON.stringify(rejected));
  assert.equal(rejected["published port on 127.0.0.1 from the host"], true, JSON.stringify(rejected));

  // reconcile binds the subnet (as it does after firewalld restarted or reloaded)
  const rec = b.ok("system", "reconcile");
  assert.match(rec, new RegExp(`added ${SUBNET.replace(/[./]/g, "\\$&")} \\(network fwnet\\) to firewalld's trusted zone`));
  assert.deepEqual(fw.cmd("--zone=trusted", "--list-sources").trim().split(/\s+/), [SUBNET]);
  const passed = await look(ns);
  assert.ok(
    Object.values(passed).every((v) => v),
    `with ${SUBNET} in the trusted zone, everything passes: ${JSON.stringify(passed)}`,
  );

  // a network made while firewalld runs is bound at once
  b.ok("network", "create", "fwnet2", "--subnet", SUBNET2);
  assert.deepEqual(fw.cmd("--zone=trusted", "--list-sources").trim().split(/\s+/).sort(), [SUBNET, SUBNET2]);

  // firewall-cmd --reload drops the runtime configuration; the next container's setup binds the subnet again
  fw.cmd("--reload");
  assert.equal(fw.cmd("--zone=trusted", "--list-sources").trim(), "");
  b.ok("run", "-d", "--name", "late", "--network", "fwnet2", ...ECHO);
  assert.deepEqual(fw.cmd("--zone=trusted", "--list-sources").trim().split(/\s+/), [SUBNET2]);
  // fwnet's subnet is unbound now: doctor says so, and the containers on it do meet firewalld's reject
  const firewalldFindings = () => doctorFindings().filter((f) => f.startsWith("FIREWALLD"));
  const [unbound, ...others] = firewalldFindings();
  assert.equal(others.length, 0, others.join("\n"));
  assert.match(unbound ?? "", new RegExp(`^FIREWALLD_NO_ZONE error: .*${SUBNET.replace(/[./]/g, "\\$&")}, the subnet of network fwnet \\(2 containers\\)`));
  assert.equal((await look(ns))["egress to the outside namespace (masquerade)"], false, "what doctor reports is what the container meets");
  b.ok("system", "reconcile");
  assert.deepEqual(fw.cmd("--zone=trusted", "--list-sources").trim().split(/\s+/).sort(), [SUBNET, SUBNET2]);
  assert.deepEqual(firewalldFindings(), [], "after the fix doctor names, nothing to report");

  // a source an admin bound is never Berth's to remove
  fw.cmd("--zone=trusted", "--add-source=10.95.0.0/24");
  b.ok("network", "create", "fwnet3", "--subnet", "10.95.0.0/24");
  b.ok("network", "rm", "fwnet3");
  assert.ok(fw.cmd("--zone=trusted", "--list-sources").includes("10.95.0.0/24"), "the admin's source stays");

  // network rm unbinds what Berth bound
  b.ok("network", "rm", "-f", "fwnet");
  b.ok("network", "rm", "-f", "fwnet2");
  assert.equal(fw.cmd("--zone=trusted", "--list-sources").trim(), "10.95.0.0/24");
  fw.stopFirewalld();
});
