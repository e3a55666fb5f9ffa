// The macvlan driver on the real kernel. The kernel has no dummy
// interfaces, so a veth pair stands in for the parent: one end (the
// parent) stays in the sandbox, which plays the host; the other end sits in
// a "lan" namespace that plays a peer machine and router on the parent's
// segment. Containers get their own MACs on that segment, reach the peer
// and each other without NAT, the host cannot reach them (the known macvlan
// limit) until a network has --opt host_shim=true.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO, ask } from "../echo.js";

let b: BerthSandbox;
let lan = "";

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
}

function inLan(...argv: string[]): string {
  return spawnSync("nsenter", [`--net=${lan}`, ...argv], { encoding: "utf8" }).stdout;
}

/** A segment: PARENT in the sandbox (host address HOSTIP/24), its peer in the lan namespace with LANIP/24 and LANIP6/64. */
function segment(parent: string, peer: string, hostIp: string | undefined, lanIp: string, lanIp6: string): void {
  sh("ip", "link", "add", parent, "type", "veth", "peer", "name", peer);
  sh("ip", "link", "set", peer, "netns", lan);
  if (hostIp) sh("ip", "addr", "add", `${hostIp}/24`, "dev", parent);
  sh("ip", "link", "set", parent, "up");
  sh("nsenter", `--net=${lan}`, "ip", "addr", "add", `${lanIp}/24`, "dev", peer);
  sh("nsenter", `--net=${lan}`, "ip", "addr", "add", `${lanIp6}/64`, "dev", peer, "nodad");
  sh("nsenter", `--net=${lan}`, "ip", "link", "set", peer, "up");
}

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  lan = join(b.root, "lan");
  sh("touch", lan);
  sh("unshare", `--net=${lan}`, "true");
  sh("nsenter", `--net=${lan}`, "ip", "link", "set", "lo", "up");
  segment("mvpar0", "mvlan0", "10.123.0.1", "10.123.0.254", "fd00:123::fe");
  segment("mvpar1", "mvlan1", "10.124.0.1", "10.124.0.254", "fd00:124::fe");
});

after(() => {
  if (!b) return;
  spawnSync("ip", ["link", "del", "mvpar0"]);
  spawnSync("ip", ["link", "del", "mvpar1"]);
  spawnSync("umount", [lan]);
  spawnSync("rm", ["-f", lan]);
  b.dispose();
});

test("macvlan: containers join the parent's segment with their own MACs, reach the peer and each other over IPv4 and IPv6; the host cannot reach them", (t) => {
  if (!requireSandbox(t)) return;
  const echoLan = spawn("nsenter", [`--net=${lan}`, ...ECHO], { stdio: "ignore" });
  try {
    b.ok(
      "network",
      "create",
      "--driver",
      "macvlan",
      "--opt",
      "parent=mvpar0",
      "--subnet",
      "10.123.0.0/24",
      "--gateway",
      "10.123.0.254",
      "--subnet",
      "fd00:123::/64",
      "--gateway",
      "fd00:123::fe",
      "lannet",
    );
    const view = JSON.parse(b.ok("network", "inspect", "lannet")) as { driver: string; options: Record<string, string>; dns_enabled: boolean }[];
    assert.equal(view[0]?.driver, "macvlan");
    assert.equal(view[0]?.options["parent"], "mvpar0");
    assert.equal(view[0]?.options["mode"], "bridge");
    assert.equal(view[0]?.dns_enabled, false, "the resolver cannot listen on a gateway the host does not own");
    b.ok("run", "-d", "--name", "m1", "--network", "lannet", ...ECHO);
    b.ok("run", "-d", "--name", "m2", "--network", "lannet", "--ip", "10.123.0.50", ...ECHO);
    const m1 = b.ip("m1");
    const m1v6 = b.ok("inspect", "-f", "{{.NetworkSettings.GlobalIPv6Address}}", "m1").trim();
    const mac = b.ok("inspect", "-f", "{{.NetworkSettings.MacAddress}}", "m1").trim();
    assert.match(m1, /^10\.123\.0\./);
    assert.notEqual(m1, "10.123.0.1", "the host's own address on the parent is never leased");
    assert.match(b.inNetns(b.netns("m1"), "ip", "-d", "link", "show", "eth0").stdout, /macvlan mode bridge/);
    // the peer sees m1's real address (no NAT) and m1's own MAC on the segment
    for (const proto of ["tcp", "udp"] as const) {
      assert.equal(ask(proto, "10.123.0.254", 8080, b.netns("m1")), m1, `${proto} m1 -> peer, no NAT`);
      assert.equal(ask(proto, "fd00:123::fe", 8080, b.netns("m1")), m1v6, `${proto} m1 -> peer over IPv6`);
      assert.equal(ask(proto, m1, 8080, lan), "10.123.0.254", `${proto} peer -> m1`);
      assert.equal(ask(proto, "10.123.0.50", 8080, b.netns("m1")), m1, `${proto} m1 -> m2 (bridge mode)`);
    }
    assert.match(inLan("ip", "neigh", "show", m1), new RegExp(`lladdr ${mac}`), "the peer learned m1's own MAC");
    // the known macvlan limit: the host cannot talk to its macvlan children
    assert.equal(ask("tcp", m1, 8080, undefined, 1000), undefined, "host -> m1 does not connect without a shim");
    const p = b.run("run", "-d", "--name", "m3", "--network", "lannet", "-p", "9900:8080", "sleep", "600");
    assert.notEqual(p.code, 0);
    assert.match(p.stderr, /Cannot publish ports of a container on macvlan network "lannet"/);
    // disconnect removes the container's interface
    b.ok("network", "disconnect", "lannet", "m2");
    assert.doesNotMatch(b.inNetns(b.netns("m2"), "ip", "link").stdout, /eth0/);
  } finally {
    echoLan.kill("SIGKILL");
    b.run("rm", "-f", "m1", "m2", "m3");
    b.run("network", "rm", "lannet");
  }
});

test("macvlan: --opt host_shim=true lets the host reach its macvlan containers; bad options are refused", (t) => {
  if (!requireSandbox(t)) return;
  b.ok(
    "network",
    "create",
    "--driver",
    "macvlan",
    "--opt",
    "parent=mvpar1",
    "--opt",
    "host_shim=true",
    "--subnet",
    "10.124.0.0/24",
    "--gateway",
    "10.124.0.254",
    "shimnet",
  );
  try {
    b.ok("run", "-d", "--name", "s1", "--network", "shimnet", ...ECHO);
    const s1 = b.ip("s1");
    const shim = `bmv${b.ok("network", "inspect", "-f", "{{.ID}}", "shimnet").trim().slice(0, 12)}`;
    assert.match(spawnSync("ip", ["-d", "link", "show", shim], { encoding: "utf8" }).stdout, /macvlan mode bridge/, "the host shim exists");
    assert.equal(
      b.run("run", "-d", "--name", "s2", "--network", "shimnet", "--ip", "10.124.0.1", "sleep", "600").stderr.includes("the host has it on mvpar1"),
      true,
      "--ip of the host's address is refused",
    );
    assert.match(
      spawnSync("ip", ["route", "show", `${s1}/32`], { encoding: "utf8" }).stdout,
      new RegExp(`dev ${shim}.*src 10\\.124\\.0\\.1`),
      "host route through the shim",
    );
    for (const proto of ["tcp", "udp"] as const) assert.equal(ask(proto, s1, 8080), "10.124.0.1", `${proto} host -> s1 through the shim`);
    b.ok("rm", "-f", "s1");
    assert.equal(spawnSync("ip", ["link", "show", shim], { encoding: "utf8" }).status, 1, "the shim goes with the last container");
    // a shim left behind (a berth process killed between its steps): reconcile removes it
    sh("ip", "link", "add", "link", "mvpar1", "name", shim, "type", "macvlan", "mode", "bridge");
    assert.match(b.ok("system", "reconcile"), new RegExp(`removed unused macvlan host shim ${shim}`));
    assert.equal(spawnSync("ip", ["link", "show", shim], { encoding: "utf8" }).status, 1, "reconcile removed the unused shim");
  } finally {
    b.run("rm", "-f", "s1");
    b.run("network", "rm", "shimnet");
  }
  const cases: [string[], RegExp][] = [
    [["--opt", "mode=vepa"], /needs a parent interface/],
    [["--opt", "parent=nosuch0"], /no such interface/],
    [["--opt", "parent=mvpar1", "--opt", "mode=loud"], /Unknown macvlan mode/],
    [["--opt", "parent=mvpar1", "--opt", "mode=private", "--opt", "host_shim=true"], /host_shim needs macvlan mode bridge/],
    [["--opt", "parent=mvpar1", "--opt", "isolate=true"], /Unknown macvlan network option "isolate"/],
    [["--opt", "parent=mvpar1", "--internal"], /cannot be --internal/],
  ];
  for (const [args, re] of cases) {
    const r = b.run("network", "create", "--driver", "macvlan", ...args, "badnet");
    assert.notEqual(r.code, 0, args.join(" "));
    assert.match(r.stderr, re, args.join(" "));
  }
  assert.equal(b.run("network", "exists", "badnet").code, 1);
  assert.deepEqual(
    b.leftovers().filter((l) => !l.startsWith("nft")),
    [],
    "no link or namespace left",
  );
});
