// Objects on the host that Berth did not make stay as they were: a bridge
// that was there before the network that names it (berth network create
// --interface-name, a CNI "bridge") is never deleted or re-addressed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { CniRuntime } from "../cni-runner.js";
import { ECHO } from "../echo.js";

const PLUGIN = fileURLToPath(new URL("../../../bin/cni/berth", import.meta.url));
let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => b?.dispose());

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
}

/** A bridge as an administrator (or another tool) made it: its own address, up. */
function hostBridge(name: string, cidr: string): void {
  sh("ip", "link", "add", name, "type", "bridge");
  sh("ip", "addr", "add", cidr, "dev", name);
  sh("ip", "link", "set", name, "up");
}

/** The bridge's IPv4 addresses, or undefined when it is gone. */
function addressesOf(name: string): string[] | undefined {
  const r = spawnSync("ip", ["-j", "-4", "addr", "show", "dev", name], { encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const [link] = JSON.parse(r.stdout) as { addr_info: { local: string; prefixlen: number }[] }[];
  return (link?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
}

test("a host bridge named with --interface-name keeps its address and survives its last container and network rm", (t) => {
  if (!requireSandbox(t)) return;
  hostBridge("hostbr0", "10.5.0.1/24");
  try {
    b.ok("network", "create", "ext", "--interface-name", "hostbr0", "--subnet", "10.5.0.0/24");
    b.ok("run", "-d", "--name", "on-ext", "--network", "ext", ...ECHO);
    assert.match(b.ip("on-ext"), /^10\.5\.0\.\d+$/);
    assert.deepEqual(addressesOf("hostbr0"), ["10.5.0.1/24"], "Berth used the bridge as it was");
    b.ok("rm", "-f", "on-ext");
    assert.deepEqual(addressesOf("hostbr0"), ["10.5.0.1/24"], "the last container left: the bridge stays, with its address");
    b.ok("network", "rm", "ext");
    assert.deepEqual(addressesOf("hostbr0"), ["10.5.0.1/24"], "network rm: the bridge stays, with its address");
  } finally {
    b.run("rm", "-f", "on-ext");
    b.run("network", "rm", "ext");
    spawnSync("ip", ["link", "del", "hostbr0"]);
  }
});

test("a host bridge without the network's gateway is refused at create (Berth would have to re-address it), and so is an interface that is no bridge", (t) => {
  if (!requireSandbox(t)) return;
  hostBridge("hostbr1", "192.168.77.1/24");
  sh("ip", "link", "add", "hostveth0", "type", "veth", "peer", "name", "hostveth1");
  try {
    const r = b.run("network", "create", "ext2", "--interface-name", "hostbr1", "--subnet", "10.6.0.0/24");
    assert.equal(r.code, 125, r.stderr);
    assert.match(r.stderr, /Bridge "hostbr1" of network "ext2" was on the host before the network and does not carry its gateway 10\.6\.0\.1\/24/);
    assert.match(r.stderr, /ip addr add 10\.6\.0\.1\/24 dev hostbr1/);
    assert.deepEqual(addressesOf("hostbr1"), ["192.168.77.1/24"]);
    const v = b.run("network", "create", "ext3", "--interface-name", "hostveth0");
    assert.equal(v.code, 125, v.stderr);
    assert.match(v.stderr, /"hostveth0" .*interface of type veth/);
    assert.doesNotMatch(b.ok("network", "ls", "-q"), /ext/, "no network was recorded");
  } finally {
    spawnSync("ip", ["link", "del", "hostbr1"]);
    spawnSync("ip", ["link", "del", "hostveth0"]);
  }
});

test('CNI: a "bridge" that was on the host keeps its address after the last DEL; one without the gateway is refused and left alone', (t) => {
  if (!requireSandbox(t)) return;
  const dir = join(b.root, "cni-host-objects");
  mkdirSync(join(dir, "bin"), { recursive: true });
  symlinkSync(PLUGIN, join(dir, "bin", "berth"));
  const cni = new CniRuntime(join(dir, "bin"), b.env);
  const ns = join(dir, "pod");
  writeFileSync(ns, "");
  sh("unshare", `--net=${ns}`, "true");
  hostBridge("cnihost0", "10.25.0.1/24");
  hostBridge("cnihost1", "192.168.78.1/24");
  try {
    const conf = { cniVersion: "1.0.0", name: "hostpods", type: "berth", bridge: "cnihost0", subnet: "10.25.0.0/24" };
    const add = cni.call("berth", { command: "ADD", containerId: "pod1", netns: ns, ifname: "eth0" }, JSON.stringify(conf));
    assert.equal(add.code, 0, add.stdout + add.stderr);
    assert.equal(cni.call("berth", { command: "DEL", containerId: "pod1", netns: ns, ifname: "eth0" }, JSON.stringify(conf)).code, 0);
    assert.deepEqual(addressesOf("cnihost0"), ["10.25.0.1/24"], "the last DEL leaves the host's bridge and its address");
    const bad = { ...conf, name: "hostpods2", bridge: "cnihost1", subnet: "10.26.0.0/24" };
    const refused = cni.call("berth", { command: "ADD", containerId: "pod2", netns: ns, ifname: "eth0" }, JSON.stringify(bad));
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(String(refused.json?.["msg"]), /does not carry its gateway 10\.26\.0\.1\/24/);
    assert.deepEqual(addressesOf("cnihost1"), ["192.168.78.1/24"], "the refused bridge is untouched");
    assert.equal(b.ok("ps", "-a", "-q"), "");
  } finally {
    spawnSync("umount", [ns]);
    rmSync(dir, { recursive: true, force: true });
    spawnSync("ip", ["link", "del", "cnihost0"]);
    spawnSync("ip", ["link", "del", "cnihost1"]);
  }
});
