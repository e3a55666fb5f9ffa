// Real Podman (Debian's 4.3.1) with Berth as its network backend, for the
// network kinds netavark supports beyond one IPv4 bridge subnet: dual-stack
// and IPv6-only networks (addresses, default routes, AAAA names through the
// resolver, IPv6 name servers in resolv.conf, ports on ::), macvlan on a
// parent the test makes (this kernel has no dummy links: a bridge),
// and the default route metric (netavark's 100, or
// `-o metric=N`) with two networks at once.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inSandbox, requireSandbox } from "../helpers.js";
import { BerthSandbox } from "../berth-cli.js";
import { IMAGE, PodmanSandbox, podmanMissing } from "../podman.js";

const PAGE = "hello over ipv6";
let b: BerthSandbox | undefined;
let p: PodmanSandbox | undefined;

before(async () => {
  if (!inSandbox() || podmanMissing() !== undefined) return;
  b = new BerthSandbox();
  p = await PodmanSandbox.start(b.env);
  p.importBusybox(PAGE);
});

after(() => {
  p?.dispose();
  if (b) {
    const left = b.leftovers().filter((l) => !l.startsWith("nft"));
    b.dispose();
    assert.deepEqual(left, [], "no veth, bridge, shim or resolver left after the last podman rm");
  }
});

/** The shared Podman sandbox, or a skip (a failure in CI) with the reason. */
function podman(t: { skip(m?: string): void }): PodmanSandbox | undefined {
  if (!requireSandbox(t)) return undefined;
  const missing = podmanMissing();
  if (missing !== undefined) {
    if (process.env["CI"] === "true") throw new Error(missing);
    t.skip(missing);
    return undefined;
  }
  assert.ok(p, "the Podman sandbox started");
  return p;
}

/** Remove the containers and networks a test made, whatever happened. */
function cleanup(pm: PodmanSandbox, containers: readonly string[], networks: readonly string[]): void {
  if (containers.length > 0) pm.podman("rm", "-f", "-t", "0", ...containers);
  if (networks.length > 0) pm.podman("network", "rm", "-f", ...networks);
}

function sh(...argv: string[]): string {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

test("a dual-stack Podman network (--ipv6): IPv6 address and default route, AAAA names, IPv6 name server, ports on ::", (t) => {
  const pm = podman(t);
  if (!pm) return;
  try {
    pm.ok("network", "create", "--ipv6", "--subnet", "10.92.0.0/24", "--subnet", "fd00:92::/64", "dual");
    pm.ok("run", "-d", "--name", "web6", "--network", "dual", "-p", "8086:80", IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
    pm.ok("run", "-d", "--name", "cli6", "--network", "dual", IMAGE, "sleep", "600");
    const web6 = pm.ok("inspect", "-f", '{{(index .NetworkSettings.Networks "dual").GlobalIPv6Address}}', "web6").trim();
    assert.match(web6, /^fd00:92::[0-9a-f]+$/);

    const addrs = pm.ok("exec", "cli6", "ip", "-6", "addr", "show", "dev", "eth0");
    assert.match(addrs, /inet6 fd00:92::[0-9a-f]+\/64 scope global/);
    const routes6 = pm.ok("exec", "cli6", "ip", "-6", "route", "show", "default");
    assert.match(routes6, /default via fd00:92::1 dev eth0\s+metric 100/, routes6);
    const routes4 = pm.ok("exec", "cli6", "ip", "-4", "route", "show", "default");
    assert.match(routes4, /default via 10\.92\.0\.1 dev eth0\s+metric 100/, routes4);

    const resolv = pm.ok("exec", "cli6", "cat", "/etc/resolv.conf");
    assert.match(resolv, /^nameserver 10\.92\.0\.1$/m);
    assert.match(resolv, /^nameserver fd00:92::1$/m);
    const aaaa = pm.podman("exec", "cli6", "nslookup", "-type=AAAA", "web6", "fd00:92::1");
    assert.equal(aaaa.code, 0, aaaa.stdout + aaaa.stderr);
    assert.ok(aaaa.stdout.includes(web6), `web6's AAAA through the IPv6 resolver address:\n${aaaa.stdout}`);
    assert.equal(pm.ok("exec", "cli6", "wget", "-q", "-O", "-", `http://[${web6}]/`).trim(), PAGE, "http over IPv6 between containers");
    const port = b?.ok("port", "--all") ?? "";
    assert.match(port, /80\/tcp -> 0\.0\.0\.0:8086/);
    assert.match(port, /80\/tcp -> \[::\]:8086/, "a bare -p publishes on :: as well on a dual-stack network");
  } finally {
    cleanup(pm, ["web6", "cli6"], ["dual"]);
  }
});

test("an IPv6-only Podman network: only IPv6 addresses, routes and name servers", (t) => {
  const pm = podman(t);
  if (!pm) return;
  try {
    pm.ok("network", "create", "--subnet", "fd00:93::/64", "only6");
    pm.ok("run", "-d", "--name", "a6", "--network", "only6", IMAGE, "sleep", "600");
    pm.ok("run", "-d", "--name", "b6", "--network", "only6", IMAGE, "sleep", "600");
    assert.equal(pm.ok("exec", "a6", "ip", "-4", "addr", "show", "dev", "eth0").trim(), "", "no IPv4 address");
    assert.match(pm.ok("exec", "a6", "ip", "-6", "addr", "show", "dev", "eth0"), /inet6 fd00:93::[0-9a-f]+\/64 scope global/);
    assert.match(pm.ok("exec", "a6", "ip", "-6", "route", "show", "default"), /default via fd00:93::1 dev eth0\s+metric 100/);
    const resolv = pm.ok("exec", "a6", "cat", "/etc/resolv.conf");
    assert.match(resolv, /^search dns\.podman\nnameserver fd00:93::1$/m, "the network's IPv6 resolver address first");
    const ping = pm.podman("exec", "a6", "ping", "-6", "-c", "1", "-W", "3", "b6");
    assert.equal(ping.code, 0, `ping b6 by name over IPv6: ${ping.stdout}${ping.stderr}`);
  } finally {
    cleanup(pm, ["a6", "b6"], ["only6"]);
  }
});

test("a macvlan Podman network (-d macvlan -o parent=BRIDGE): the containers' macvlans on the parent reach each other, default route metric 100", (t) => {
  const pm = podman(t);
  if (!pm) return;
  // the parent: a bridge the test makes (no dummy module on this kernel)
  sh("ip", "link", "add", "mvpar0", "type", "bridge");
  sh("ip", "link", "set", "mvpar0", "up");
  try {
    pm.ok("network", "create", "-d", "macvlan", "-o", "parent=mvpar0", "--subnet", "10.94.0.0/24", "--gateway", "10.94.0.254", "mvnet");
    pm.ok("run", "-d", "--name", "mv1", "--network", "mvnet", "--ip", "10.94.0.11", IMAGE, "sleep", "600");
    pm.ok("run", "-d", "--name", "mv2", "--network", "mvnet", "--ip", "10.94.0.12", IMAGE, "sleep", "600");
    assert.match(pm.ok("exec", "mv1", "ip", "-4", "addr", "show", "dev", "eth0"), /inet 10\.94\.0\.11\/24/);
    assert.match(pm.ok("exec", "mv1", "ip", "-4", "route", "show", "default"), /default via 10\.94\.0\.254 dev eth0\s+metric 100/);
    assert.equal(pm.ok("exec", "mv1", "cat", "/proc/sys/net/ipv6/conf/eth0/autoconf").trim(), "0", "no addresses from the LAN's router advertisements");
    const ping = pm.podman("exec", "mv1", "ping", "-c", "1", "-W", "3", "10.94.0.12");
    assert.equal(ping.code, 0, `macvlan to macvlan on one parent: ${ping.stdout}${ping.stderr}`);
    // the interfaces are macvlans of the parent: the host's parent has no ports, and its macvlan children are not on the host
    assert.equal(sh("ip", "link", "show", "master", "mvpar0").trim(), "", "no veth on the parent");
    // teardown deletes the macvlan inside the namespace Podman keeps (a macvlan has no host end to delete)
    pm.ok("network", "disconnect", "mvnet", "mv2");
    const left = pm.podman("exec", "mv2", "ip", "link", "show", "eth0");
    assert.notEqual(left.code, 0, `eth0 is gone from mv2 after the disconnect:\n${left.stdout}`);
  } finally {
    cleanup(pm, ["mv1", "mv2"], ["mvnet"]);
    spawnSync("ip", ["link", "del", "mvpar0"]);
  }
});

test("-o metric=N, and two networks at once: each network's default route with its metric, as netavark routes them", (t) => {
  const pm = podman(t);
  if (!pm) return;
  try {
    // Podman 4.3 has no -o metric yet (4.5 does): the option goes into its network file as newer Podman writes it
    pm.ok("network", "create", "--subnet", "10.95.0.0/24", "m55");
    const file = join(pm.dir, "networks", "m55.json");
    const conf = JSON.parse(readFileSync(file, "utf8")) as { options?: Record<string, string> };
    writeFileSync(file, JSON.stringify({ ...conf, options: { ...conf.options, metric: "55" } }));
    pm.ok("network", "create", "--subnet", "10.96.0.0/24", "mdef");
    pm.ok("run", "-d", "--name", "two", "--network", "m55", "--network", "mdef", IMAGE, "sleep", "600");
    const routes = pm.ok("exec", "two", "ip", "-4", "route", "show", "default");
    assert.match(routes, /default via 10\.95\.0\.1 dev eth[01]\s+metric 55/, routes);
    assert.match(routes, /default via 10\.96\.0\.1 dev eth[01]\s+metric 100/, routes);
  } finally {
    cleanup(pm, ["two"], ["m55", "mdef"]);
  }
});

test("--ipam-driver none: the container gets an interface that is up, with no address and no default route", (t) => {
  const pm = podman(t);
  if (!pm) return;
  try {
    pm.ok("network", "create", "--ipam-driver", "none", "bare");
    pm.ok("run", "-d", "--name", "bare1", "--network", "bare", IMAGE, "sleep", "600");
    const link = pm.ok("exec", "bare1", "ip", "link", "show", "eth0");
    assert.match(link, /eth0@if[0-9]+: <[A-Z_,]*\bUP\b/, `eth0 is up:\n${link}`);
    assert.equal(pm.ok("exec", "bare1", "ip", "-4", "addr", "show", "dev", "eth0").trim(), "", "no IPv4 address");
    assert.doesNotMatch(pm.ok("exec", "bare1", "ip", "-6", "addr", "show", "dev", "eth0"), /scope global/, "no global IPv6 address");
    assert.doesNotMatch(pm.ok("exec", "bare1", "ip", "route"), /default/, "no default route");
    const inspect = b?.ok("network", "inspect", "bare") ?? "";
    assert.match(inspect, /"driver": "none"/, `berth network inspect shows the IPAM driver none:\n${inspect}`);
    // the veth's host end is on the network's bridge, which has no address either
    const bridge = (JSON.parse(inspect) as { network_interface: string }[])[0]?.network_interface ?? "";
    assert.match(sh("ip", "link", "show", "master", bridge), /bth[0-9a-f]+/, "the container's veth is on the bridge");
  } finally {
    cleanup(pm, ["bare1"], ["bare"]);
  }
});

test("an --internal macvlan network and macvlan modes (private, source): no default route, the mode Podman asked for", (t) => {
  const pm = podman(t);
  if (!pm) return;
  sh("ip", "link", "add", "mvpar1", "type", "bridge");
  sh("ip", "link", "set", "mvpar1", "up");
  try {
    pm.ok("network", "create", "-d", "macvlan", "--internal", "-o", "parent=mvpar1", "--subnet", "10.97.8.0/24", "mvint");
    pm.ok("run", "-d", "--name", "mvi1", "--network", "mvint", "--ip", "10.97.8.11", IMAGE, "sleep", "600");
    pm.ok("run", "-d", "--name", "mvi2", "--network", "mvint", "--ip", "10.97.8.12", IMAGE, "sleep", "600");
    assert.match(pm.ok("exec", "mvi1", "ip", "-4", "addr", "show", "dev", "eth0"), /inet 10\.97\.8\.11\/24/);
    // busybox's ip lists every route for "show default"
    assert.doesNotMatch(pm.ok("exec", "mvi1", "ip", "route"), /default/, "an internal macvlan network gives no default route");
    const ping = pm.podman("exec", "mvi1", "ping", "-c", "1", "-W", "3", "10.97.8.12");
    assert.equal(ping.code, 0, `the segment is still reachable: ${ping.stdout}${ping.stderr}`);
    for (const mode of ["private", "source"]) {
      // Podman 4.3 has no mode source yet (newer Podman does): it goes into the network file as newer Podman writes it
      pm.ok("network", "create", "-d", "macvlan", "-o", "parent=mvpar1", "-o", "mode=private", "--subnet", "10.97.9.0/24", `mv${mode}`);
      const file = join(pm.dir, "networks", `mv${mode}.json`);
      const conf = JSON.parse(readFileSync(file, "utf8")) as { options?: Record<string, string> };
      writeFileSync(file, JSON.stringify({ ...conf, options: { ...conf.options, mode } }));
      pm.ok("run", "-d", "--name", `mvm${mode}`, "--network", `mv${mode}`, IMAGE, "sleep", "600");
      const d = pm.ok("exec", `mvm${mode}`, "cat", "/sys/class/net/eth0/type");
      assert.equal(d.trim(), "1", "an Ethernet interface");
      // busybox's ip has no -d: the mode as the kernel reports it, read from the container's namespace with the host's ip
      const pid = pm.ok("inspect", "-f", "{{.State.Pid}}", `mvm${mode}`).trim();
      const details = sh("nsenter", `--net=/proc/${pid}/ns/net`, "ip", "-d", "link", "show", "eth0");
      assert.match(details, new RegExp(`macvlan mode ${mode}\\b`), details);
      cleanup(pm, [`mvm${mode}`], [`mv${mode}`]);
    }
  } finally {
    cleanup(pm, ["mvi1", "mvi2", "mvmprivate", "mvmsource"], ["mvint", "mvprivate", "mvsource"]);
    spawnSync("ip", ["link", "del", "mvpar1"]);
  }
});

test("a host with IPv6 disabled (all.disable_ipv6=1): IPv4 networks still work, an IPv6 network fails with a clear error and leaves nothing", (t) => {
  const pm = podman(t);
  if (!pm) return;
  writeFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
  try {
    pm.ok("network", "create", "--subnet", "10.97.10.0/24", "v4only");
    pm.ok("run", "-d", "--name", "v4c", "--network", "v4only", "-p", "8097:80", IMAGE, "httpd", "-f", "-p", "80", "-h", "/www");
    assert.match(pm.ok("exec", "v4c", "ip", "-4", "addr", "show", "dev", "eth0"), /inet 10\.97\.10\.[0-9]+\/24/);
    const page = pm.ok("exec", "v4c", "wget", "-q", "-O", "-", "http://127.0.0.1/");
    assert.equal(page.trim(), PAGE);

    pm.ok("network", "create", "--ipv6", "--subnet", "10.97.11.0/24", "--subnet", "fd00:97:11::/64", "v6net");
    const r = pm.podman("--log-level=info", "run", "-d", "--name", "v6c", "--network", "v6net", IMAGE, "sleep", "600");
    assert.notEqual(r.code, 0, "a container on an IPv6 network cannot start");
    // netavark's words (Podman shows them), Berth's reason and hint in Podman's info log
    assert.match(r.stderr, /Error: netavark( \(exit code 1\))?: add ip addr to bridge: failed to add ipv6 address, is ipv6 enabled in the kernel\?/, r.stderr);
    assert.match(r.stderr, /IPv6 is disabled on this host \(net\.ipv6\.conf\.all\.disable_ipv6=1\).*sysctl -w net\.ipv6\.conf\.all\.disable_ipv6=0/, r.stderr);
    assert.doesNotMatch(b?.ok("network", "ls") ?? "", /v6net/, "the IPv6 network was not adopted");
  } finally {
    cleanup(pm, ["v4c", "v6c"], ["v4only", "v6net"]);
    writeFileSync("/proc/sys/net/ipv6/conf/all/disable_ipv6", "0");
  }
});
