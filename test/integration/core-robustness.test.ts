// Bad input, concurrency and crash consistency of the core verbs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

test("looking at the default network before first use changes nothing; the first container makes it", (t) => {
  if (!requireSandbox(t)) return;
  const fresh = new BerthSandbox();
  try {
    for (const argv of [
      ["network", "inspect", "berth"],
      ["network", "inspect", "bridge"],
      ["network", "rm", "berth"],
      ["network", "disconnect", "berth", "nobody"],
    ]) {
      const r = fresh.run(...argv);
      assert.equal(r.code, 125, argv.join(" "));
      assert.match(r.stderr, /The default network "berth" does not exist yet/, argv.join(" "));
      assert.match(r.stderr, /Hint: It is made by the first container that uses it/, argv.join(" "));
    }
    assert.equal(fresh.ok("network", "ls", "-q"), "", "no network row was made");
    assert.deepEqual(fresh.leftovers(), [], "no bridge, table or namespace was made");
    fresh.ok("run", "--rm", "true");
    assert.equal(JSON.parse(fresh.ok("network", "inspect", "berth"))[0]?.name, "berth", "made by its first container");
  } finally {
    fresh.dispose();
  }
});

/** Every bad input gets exit 125, "Error:" naming the problem, a "Hint:", and changes nothing. */
test("bad input is refused with a message and a hint, and leaves no state", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "taken", "--subnet", "10.77.0.0/24");
  const cases: [string[], RegExp][] = [
    [["network", "create", "bad/name"], /Invalid network name "bad\/name"/],
    [["network", "create", "x".repeat(64)], /Invalid network name/],
    [["network", "create", "n1", "--subnet", "10.77.0.0/33"], /Invalid IPv4 subnet "10.77.0.0\/33"/],
    [["network", "create", "n1", "--subnet", "300.1.0.0/24"], /Invalid IPv4 subnet/],
    [["network", "create", "n1", "--subnet", "10.77.0.128/25"], /overlaps network "taken"/],
    [["network", "create", "n1", "--subnet", "10.78.0.0/24", "--gateway", "10.79.0.1"], /Gateway 10.79.0.1 is not a host address of subnet 10.78.0.0\/24/],
    [["network", "create", "n1", "--subnet", "10.78.0.0/24", "--ip-range", "10.79.0.0/25"], /not inside subnet/],
    [["network", "create", "n1", "--interface-name", "averyveryverylongname"], /Invalid bridge name/],
    [["network", "create", "n1", "--opt", "mtu=9"], /Invalid mtu "9"/],
    [["network", "create", "n1", "--opt", "cluster_cidr=10.244.0.0/33"], /Invalid cluster_cidr entry "10.244.0.0\/33"/],
    [["network", "create", "n1", "--opt", "cluster_cidr=fd00:244::/48"], /cluster_cidr fd00:244::\/48: the network has no IPv6 subnet/],
    [["network", "create", "n1", "--internal", "--opt", "cluster_cidr=10.244.0.0/16"], /--internal network cannot have a cluster_cidr/],
    [["network", "create", "taken"], /already exists/],
    [["run", "--network", "nosuchnet", "true"], /Network "nosuchnet" does not exist/],
    [["run", "--network", "taken", "--ip", "10.77.0.300", "true"], /Invalid IPv4 address for --ip/],
    [["run", "--network", "taken", "--ip", "10.99.0.5", "true"], /outside the subnet 10.77.0.0\/24/],
    [["run", "--network", "taken", "--ip", "10.77.0.1", "true"], /gateway/],
    [["run", "--name", "a;b", "true"], /Invalid container name "a;b"/],
    [["run", "--mac-address", "01:00:5e:00:00:01", "--network", "taken", "true"], /multicast/],
    [["run", "--network", "host,taken", "true"], /cannot be combined/],
    [["run", "--network", "container:ghost", "true"], /Container "ghost" does not exist/],
    [["rm", "ghost"], /Container "ghost" does not exist/],
    [["network", "rm", "ghost"], /Network "ghost" does not exist/],
    [["network", "connect", "taken", "ghost"], /Container "ghost" does not exist/],
  ];
  for (const [args, message] of cases) {
    const r = b.run(...args);
    assert.equal(r.code, 125, `berth ${args.join(" ")}: exit code (stderr: ${r.stderr})`);
    assert.match(r.stderr, message, `berth ${args.join(" ")}`);
    assert.match(r.stderr, /^Hint: .+/m, `berth ${args.join(" ")} gives a hint`);
  }
  const nets = b.ok("network", "ls", "-q").trim().split("\n");
  assert.ok(nets.includes("taken") && !nets.includes("n1"), `networks: ${nets.join(" ")}`);
  assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container was left behind");
  assert.deepEqual(
    b.leftovers().filter((l) => !l.startsWith("nft")),
    [],
    "no interface or namespace left behind",
  );
});

test("hostile input (metacharacters, paths, newlines, unicode, huge strings) is refused everywhere with a reason and a hint, and changes nothing", (t) => {
  if (!requireSandbox(t)) return;
  const before = {
    ps: b.ok("ps", "-a", "-q"),
    nets: b.ok("network", "ls", "-q"),
    nft: spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout,
  };
  const cases: [string[], RegExp][] = [
    [["run", "--name", "a\nb", "true"], /Invalid container name "a\\u000ab"/],
    [["run", "--name", "w\u00e9b", "true"], /Invalid container name "w\\u00e9b"/],
    [["run", "--name", "$(reboot)", "true"], /Invalid container name "\$\(reboot\)"/],
    [["run", "--name", "../../etc", "true"], /Invalid container name "\.\.\/\.\.\/etc"/],
    [["run", "--name", "a".repeat(5000), "true"], /Invalid container name "a+\.\.\."/],
    [["network", "create", "n\u00e9t"], /Invalid network name/],
    [["network", "create", "a`id`"], /Invalid network name/],
    [["network", "create", "ok1", "--interface-name", "br;rm"], /Invalid bridge name/],
    [["network", "create", "ok1", "--dns", "1.1.1.1\nnameserver 6.6.6.6"], /Invalid IPv4 DNS server/],
    [["run", "--network", "taken", "--network-alias", "x;y", "true"], /Invalid alias name "x;y"/],
    [["run", "--dns", "1.1.1.1\nnameserver 6.6.6.6", "true"], /Invalid IPv4 DNS server for --dns/],
    [["run", "--add-host", "a:1.2.3.4\n5.6.7.8 evil", "true"], /Invalid IPv4 address for --add-host/],
    [["run", "--dns-search", "a b", "true"], /Invalid hostname "a b"/],
    [["run", "--hostname", "a;b", "true"], /Invalid hostname "a;b"/],
    [["run", "-p", "1-70000:1-70000", "true"], /container port 70000 is outside 1-65535/],
    [["run", "-p", "80:80/sctp", "true"], /SCTP is not supported/],
    [["run", "-p", "0:80", "true"], /Invalid port mapping/],
    [["run", "-p", "9000-9001:80-82", "true"], /Invalid port mapping/],
    [["run", "-p", "[::1]:80:80", "true"], /IPv6/],
    [["trace", "127.0.0.1:80/sctp"], /not tcp or udp/],
  ];
  for (const [args, message] of cases) {
    const r = b.run(...args);
    const what = `berth ${args.join(" ").slice(0, 80)}`;
    assert.equal(r.code, 125, `${what}: exit code (stderr: ${r.stderr.slice(0, 300)})`);
    assert.match(r.stderr, message, what);
    assert.match(r.stderr, /^Hint: .+/m, `${what} gives a hint`);
  }
  const after = {
    ps: b.ok("ps", "-a", "-q"),
    nets: b.ok("network", "ls", "-q"),
    nft: spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" }).stdout,
  };
  assert.deepEqual(after, before, "no container, network or rule changed");
});

test("network create --opt cluster_cidr: shown by inspect, in the firewall's cluster set while the network exists", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "pods", "--subnet", "10.244.1.0/24", "--opt", "cluster_cidr=10.244.0.0/16,10.96.0.1/12");
  const set = () => spawnSync("nft", ["list", "set", "inet", "berth", "cluster_peers"], { encoding: "utf8" }).stdout;
  try {
    const [view] = JSON.parse(b.ok("network", "inspect", "pods")) as { options: Record<string, string> }[];
    assert.equal(view?.options["cluster_cidr"], "10.244.0.0/16,10.96.0.0/12", "host bits dropped");
    assert.match(set(), /10\.244\.1\.0\/24 \. 10\.244\.0\.0\/16/);
    assert.match(set(), /10\.244\.1\.0\/24 \. 10\.96\.0\.0\/12/);
  } finally {
    b.ok("network", "rm", "pods");
  }
  assert.doesNotMatch(set(), /10\.244\.1\.0/, "gone with the network");
});

test("a static IP already taken names the container holding it", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "holder", "--network", "taken", "--ip", "10.77.0.9", "sleep", "600");
  const r = b.run("run", "--network", "taken", "--ip", "10.77.0.9", "true");
  assert.equal(r.code, 125);
  assert.match(r.stderr, /10.77.0.9 on network "taken": it is already assigned to container holder/);
  const dup = b.run("run", "-d", "--name", "holder", "sleep", "1");
  assert.match(dup.stderr, /the name is in use by container/);
  const rm = b.run("network", "rm", "taken");
  assert.match(rm.stderr, /used by container\(s\) "holder"/);
  assert.match(rm.stderr, /network rm -f taken/);
  const running = b.run("rm", "holder");
  assert.match(running.stderr, /it is running/);
  b.ok("rm", "-f", "holder");
});

test("50 concurrent runs on one network all succeed, with distinct addresses and MACs", async (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "busy");
  try {
    const n = 50;
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: n }, (_, i) => b.start("run", "-d", "--name", `c${i}`, "--network", "busy", "sleep", "600")));
    t.diagnostic(`${n} concurrent runs took ${Date.now() - t0} ms in all`);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const names = Array.from({ length: n }, (_, i) => `c${i}`);
    const rows = b
      .ok("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}", ...names)
      .trim()
      .split("\n");
    assert.equal(rows.length, n, "one line per container");
    const ips = new Set(rows.map((r) => r.split(" ")[0]));
    const macs = new Set(rows.map((r) => r.split(" ")[1]));
    assert.equal(ips.size, n, `distinct addresses: ${[...ips].join(" ")}`);
    assert.equal(macs.size, n);
    const same = await Promise.all([b.start("run", "-d", "--name", "twin", "sleep", "600"), b.start("run", "-d", "--name", "twin", "sleep", "600")]);
    assert.deepEqual(same.map((r) => r.code).sort(), [0, 125], "exactly one of two same-name runs wins");
  } finally {
    b.run("network", "rm", "-f", "busy");
    b.run("rm", "-f", "twin");
  }
});

for (const step of ["run:after-netns", "attach:after-veth", "run:after-attach", "run:before-start"]) {
  test(`a crash (kill -9) at ${step} during run is repaired by the next berth command`, (t) => {
    if (!requireSandbox(t)) return;
    b.ok("network", "create", "crashy", "--subnet", "10.66.0.0/24");
    try {
      const r = b.runWith({ BERTH_FAULT: step }, "run", "-d", "--name", "victim", "--network", "crashy", "sleep", "600");
      assert.equal(r.code, 137, `killed at ${step}`);
      // the next command (any) repairs: the container is gone with its veth, namespace, bridge and lease
      assert.equal(b.ok("ps", "-a", "-q").trim(), "");
      assert.deepEqual(
        b.leftovers().filter((l) => !l.startsWith("nft")),
        [],
      );
      b.ok("run", "-d", "--name", "victim", "--network", "crashy", "--ip", "10.66.0.2", "sleep", "600");
    } finally {
      b.run("network", "rm", "-f", "crashy");
    }
  });
}
