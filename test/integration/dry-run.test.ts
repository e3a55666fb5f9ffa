// --dry-run on run, network create, network connect/disconnect and rm: the
// planned kernel, nft and DNS changes are printed, and nothing changes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

/** Everything a verb could change: rows, links, addresses, routes, nft, namespaces, DNS zone. */
function snapshot(): string {
  const out = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: "utf8" }).stdout;
  const netnsDir = join(b.root, "netns");
  return [
    b.ok("ps", "-a", "--format", "{{.Names}} {{.Exited}} {{.Pid}}"),
    b.ok("network", "ls", "-q"),
    out("ip", "-br", "link"),
    out("ip", "-br", "addr"),
    out("ip", "route"),
    out("nft", "list", "ruleset"),
    existsSync(netnsDir) ? readdirSync(netnsDir).join(" ") : "",
    out("cat", join(b.root, "run", "dns", "zone.json")),
  ].join("\n----\n");
}

test("--dry-run prints the plan of each verb and changes nothing; the real command then does what was planned", (t) => {
  if (!requireSandbox(t)) return;
  let before = snapshot();
  const create = b.ok("network", "create", "--dry-run", "planned", "--subnet", "10.91.0.0/24");
  assert.match(create, /^network create would make these changes \(--dry-run: nothing was changed\):$/m);
  assert.match(create, /state +record network planned: subnet 10\.91\.0\.0\/24, gateway 10\.91\.0\.1, bridge berth[0-9]+, DNS on, isolated/);
  assert.match(create, /nft +add berth[0-9]+ \/ 10\.91\.0\.0\/24 to the sets bridges/);
  assert.equal(snapshot(), before, "network create --dry-run changed nothing");
  b.ok("network", "create", "planned", "--subnet", "10.91.0.0/24");

  before = snapshot();
  const run = b.ok("run", "--dry-run", "-d", "--name", "web", "--network", "planned", "--network-alias", "www", "-p", "9300:8080", "sleep", "600");
  assert.match(run, /namespace +create .*\/netns\/berth-[0-9a-f]{12} \(loopback up\)/);
  assert.match(run, /link +create bridge berth[0-9]+/);
  assert.match(run, /address +10\.91\.0\.1\/24 on berth[0-9]+$/m);
  const lease = /state +lease (10\.91\.0\.[0-9]+) on network planned for web/.exec(run)?.[1];
  assert.ok(lease, run);
  assert.match(run, /link +create veth bth[0-9a-f]+ \(on berth[0-9]+, up\) with its peer eth0/);
  assert.match(run, /route +default via 10\.91\.0\.1 dev eth0 inside web/);
  assert.match(run, /dns +web, www, [0-9a-f]{12} -> 10\.91\.0\.[0-9]+ for containers on planned/);
  assert.match(run, new RegExp(`nft +add element tcp \\. 9300 : ${lease.replaceAll(".", "\\.")} \\. 8080 to map dnat_any`));
  assert.equal(snapshot(), before, "run --dry-run changed nothing (not even the address cursor)");
  b.ok("run", "-d", "--name", "web", "--network", "planned", "--network-alias", "www", "-p", "9300:8080", "sleep", "600");
  assert.equal(b.ip("web"), lease, "the real run got the planned address");

  b.ok("network", "create", "second");
  before = snapshot();
  const connect = b.ok("network", "connect", "--dry-run", "--alias", "w2", "second", "web");
  assert.match(connect, /with its peer eth1/);
  assert.match(connect, /dns +web, w2, /);
  assert.equal(snapshot(), before, "connect --dry-run changed nothing");
  const disconnect = b.ok("network", "disconnect", "--dry-run", "planned", "web");
  assert.match(disconnect, /state +release 10\.91\.0\.[0-9]+ on network planned/);
  assert.equal(snapshot(), before, "disconnect --dry-run changed nothing");

  const refused = b.run("rm", "--dry-run", "web");
  assert.equal(refused.code, 125, "a dry run refuses what the real command refuses");
  assert.match(refused.stderr, /it is running/);
  const rm = b.ok("rm", "--dry-run", "-f", "web");
  assert.match(rm, /nft +delete element tcp 0\.0\.0\.0:9300 -> 10\.91\.0\.[0-9]+:8080/);
  assert.match(rm, /namespace +delete .*berth-[0-9a-f]{12}/);
  assert.match(rm, /link +the kernel destroys veth bth[0-9a-f]+ <-> eth0 with the namespace/);
  assert.match(rm, /link +delete bridge berth[0-9]+$/m);
  assert.equal(snapshot(), before, "rm --dry-run changed nothing");
  b.ok("rm", "-f", "web");
  b.ok("network", "rm", "planned", "second");
});

test("--dry-run names the addresses it would release on IPv6-only and dual-stack networks", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--subnet", "fd00:91:6::/64", "only6");
  b.ok("network", "create", "--ipv6", "--subnet", "10.91.6.0/24", "--subnet", "fd00:91:7::/64", "dual");
  b.ok("run", "-d", "--name", "v6", "--network", "only6,dual", "sleep", "600");
  try {
    const rm = b.ok("rm", "--dry-run", "-f", "v6");
    assert.match(rm, /state +release fd00:91:6::[0-9a-f]+ on network only6/);
    assert.match(rm, /state +release 10\.91\.6\.[0-9]+ and fd00:91:7::[0-9a-f]+ on network dual/);
    assert.doesNotMatch(rm, /undefined/);
  } finally {
    b.ok("rm", "-f", "v6");
    b.ok("network", "rm", "only6", "dual");
  }
});
