import { test } from "node:test";
import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthError, type ErrorCode } from "../../errors.js";
import { parseConfig } from "./request.js";
import { CONFLIST_NAME, installCni, type CniInstallRequest } from "./install.js";
import { nodeConflist, validateNodeConf, type NodeConfRequest } from "./node-conflist.js";

function refuses(fn: () => unknown, code: ErrorCode, msg: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BerthError && e.code === code && msg.test(e.message) && (e.hint ?? "").length > 0);
}

const req = (over: Partial<NodeConfRequest> = {}): NodeConfRequest => ({
  podCidrs: ["10.244.1.0/24"],
  clusterCidrs: ["10.244.0.0/16"],
  nodeCidrs: [],
  cniVersion: "1.0.0",
  name: "pods",
  ...over,
});

/** A node's two directories and a stand-in plugin, in a temp dir. */
function node(): {
  dir: string;
  confDir: string;
  binDir: string;
  plugin: string;
  request: (over?: Partial<CniInstallRequest>) => CniInstallRequest;
  done: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "berth-cni-install-"));
  const plugin = join(dir, "plugin");
  writeFileSync(plugin, "#!/bin/sh\n", { mode: 0o755 });
  const confDir = join(dir, "etc", "cni", "net.d");
  const binDir = join(dir, "opt", "cni", "bin");
  return {
    dir,
    confDir,
    binDir,
    plugin,
    request: (over = {}) => ({ ...req(), confDir, binDir, force: false, pluginPath: plugin, ...over }),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

test("validateNodeConf() accepts a node's pod CIDR inside the cluster's, drops duplicate cluster CIDRs", () => {
  assert.deepEqual(validateNodeConf(req({ clusterCidrs: ["10.244.0.0/16", "10.244.0.0/16", "10.96.0.0/12"] })), {
    podCidr: "10.244.1.0/24",
    clusterCidrs: ["10.244.0.0/16", "10.96.0.0/12"],
    nodeCidrs: [],
    cniVersion: "1.0.0",
    name: "pods",
  });
  const dual = validateNodeConf(
    req({
      podCidrs: ["fd00:10:244:1::/64", "10.244.1.0/24"],
      clusterCidrs: ["10.244.0.0/16", "fd00:10:244::/56"],
      nodeCidrs: ["192.168.1.0/24", "fd00:192:168:1::/64"],
    }),
  );
  assert.equal(dual.podCidr, "10.244.1.0/24");
  assert.equal(dual.podCidr6, "fd00:10:244:1::/64");
  assert.deepEqual(dual.nodeCidrs, ["192.168.1.0/24", "fd00:192:168:1::/64"]);
  assert.deepEqual(validateNodeConf(req({ clusterCidrs: [] })).clusterCidrs, []);
});

test("validateNodeConf() refuses bad input with what to give instead", () => {
  refuses(() => validateNodeConf(req({ podCidrs: ["10.244.1.0"] })), "INVALID_SUBNET", /--pod-cidr "10\.244\.1\.0" is not a CIDR/);
  refuses(() => validateNodeConf(req({ podCidrs: ["fd00::/64"] })), "INVALID_SUBNET", /give one IPv4 --pod-cidr and at most one IPv6, not fd00::\/64/);
  refuses(() => validateNodeConf(req({ podCidrs: ["10.244.1.0/24", "10.244.2.0/24"] })), "INVALID_SUBNET", /give one IPv4 --pod-cidr/);
  refuses(() => validateNodeConf(req({ podCidrs: ["10.244.1.0/24", "fd00:1::/64", "fd00:2::/64"] })), "INVALID_SUBNET", /at most one IPv6/);
  refuses(
    () => validateNodeConf(req({ nodeCidrs: ["fd00:192::/64"] })),
    "INVALID_SUBNET",
    /--node-cidr fd00:192::\/64 is IPv6 and the node has no IPv6 --pod-cidr/,
  );
  refuses(
    () => validateNodeConf(req({ nodeCidrs: ["192.168.1.9/24"] })),
    "INVALID_SUBNET",
    /--node-cidr 192\.168\.1\.9\/24 is not written as its network address/,
  );
  refuses(
    () => validateNodeConf(req({ podCidrs: ["10.244.1.0/24", "fd00:10:245:1::/64"], clusterCidrs: ["10.244.0.0/16", "fd00:10:244::/56"] })),
    "INVALID_SUBNET",
    /fd00:10:245:1::\/64 is not inside any --cluster-cidr \(fd00:10:244::\/56\)/,
  );
  refuses(() => validateNodeConf(req({ podCidrs: ["10.244.1.7/24"] })), "INVALID_SUBNET", /not written as its network address/);
  refuses(() => validateNodeConf(req({ podCidrs: ["10.244.1.0/31"] })), "INVALID_SUBNET", /too small/);
  refuses(() => validateNodeConf(req({ podCidrs: ["10.245.1.0/24"] })), "INVALID_SUBNET", /not inside any --cluster-cidr \(10\.244\.0\.0\/16\)/);
  refuses(() => validateNodeConf(req({ clusterCidrs: ["10.244.0.0/33"] })), "INVALID_SUBNET", /--cluster-cidr/);
  refuses(() => validateNodeConf(req({ cniVersion: "2.0.0" })), "INVALID_ARGUMENT", /--cni-version "2\.0\.0"/);
  refuses(() => validateNodeConf(req({ name: "../etc" })), "INVALID_NAME", /Invalid network name/);
});

test("nodeConflist() is a configuration Berth's plugin accepts: the node's subnets, cluster and node CIDRs, hairpin, hostPorts, no resolver", () => {
  const doc = nodeConflist(validateNodeConf(req({ podCidrs: ["10.244.1.0/24", "fd00:10:244:1::/64"], nodeCidrs: ["192.168.1.0/24"] })));
  const plugin = (doc["plugins"] as Record<string, unknown>[])[0] ?? {};
  const parsed = parseConfig(
    JSON.stringify({
      ...plugin,
      cniVersion: doc["cniVersion"],
      name: doc["name"],
      runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }] },
    }),
    "ADD",
  );
  assert.equal(parsed.subnet, "10.244.1.0/24");
  assert.deepEqual(parsed.clusterCidrs, ["10.244.0.0/16"]);
  assert.equal(parsed.enableDns, false);
  assert.equal(parsed.subnet6, "fd00:10:244:1::/64");
  assert.deepEqual(parsed.nodeCidrs, ["192.168.1.0/24"]);
  assert.equal(parsed.hairpinMode, true);
  assert.equal(parsed.portMappings.length, 1);
  assert.deepEqual(plugin["capabilities"], { portMappings: true });
});

test("installCni() links the plugin and writes the conflist; the same run again changes nothing; a new pod CIDR updates it", () => {
  const n = node();
  try {
    const first = installCni(n.request());
    assert.equal(first.conflist.action, "created");
    assert.equal(first.plugin.action, "created");
    assert.equal(readlinkSync(join(n.binDir, "berth")), n.plugin);
    const text = readFileSync(join(n.confDir, CONFLIST_NAME), "utf8");
    assert.equal(JSON.parse(text).plugins[0].subnet, "10.244.1.0/24");
    const again = installCni(n.request());
    assert.deepEqual([again.conflist.action, again.plugin.action], ["unchanged", "unchanged"]);
    assert.equal(readFileSync(join(n.confDir, CONFLIST_NAME), "utf8"), text);
    const moved = installCni(n.request({ podCidrs: ["10.244.7.0/24"] }));
    assert.equal(moved.conflist.action, "updated");
    assert.equal(JSON.parse(readFileSync(join(n.confDir, CONFLIST_NAME), "utf8")).plugins[0].subnet, "10.244.7.0/24");
  } finally {
    n.done();
  }
});

test("installCni() refuses to overwrite another provider's files without --force, and then changes nothing", () => {
  const n = node();
  try {
    mkdirSync(n.confDir, { recursive: true });
    const flannel = JSON.stringify({ cniVersion: "0.3.1", name: "cbr0", plugins: [{ type: "flannel" }] });
    writeFileSync(join(n.confDir, CONFLIST_NAME), flannel);
    refuses(() => installCni(n.request()), "FILE_CONFLICT", /10-berth\.conflist exists and is not Berth's/);
    assert.equal(readFileSync(join(n.confDir, CONFLIST_NAME), "utf8"), flannel, "the foreign file is untouched");
    assert.equal(existsSync(join(n.binDir, "berth")), false, "the plugin was not linked either");
    assert.equal(installCni(n.request({ force: true })).conflist.action, "replaced");

    rmSync(join(n.binDir, "berth"));
    writeFileSync(join(n.binDir, "berth"), "someone else's binary");
    refuses(() => installCni(n.request()), "FILE_CONFLICT", /bin\/berth exists and is not Berth's: a file/);
    rmSync(join(n.binDir, "berth"));
    symlinkSync("/usr/lib/cni/bridge", join(n.binDir, "berth"));
    refuses(() => installCni(n.request()), "FILE_CONFLICT", /a link to \/usr\/lib\/cni\/bridge/);
    assert.equal(installCni(n.request({ force: true })).plugin.action, "replaced");
    assert.equal(readlinkSync(join(n.binDir, "berth")), n.plugin);
    assert.ok(lstatSync(join(n.binDir, "berth")).isSymbolicLink());
  } finally {
    n.done();
  }
});

test("installCni() warns about what would keep pods off Berth's network: an earlier conflist, no loopback, cniVersion 1.1.0", () => {
  const n = node();
  try {
    mkdirSync(n.confDir, { recursive: true });
    writeFileSync(join(n.confDir, "05-other.conflist"), "{}");
    writeFileSync(join(n.confDir, "99-later.conflist"), "{}");
    const w = installCni(n.request({ cniVersion: "1.1.0" })).warnings.join("\n");
    assert.match(w, /05-other\.conflist sorts before 10-berth\.conflist/);
    assert.doesNotMatch(w, /99-later/);
    assert.match(w, /bin\/loopback is missing/);
    assert.match(w, /containerd 1\.6 cannot parse 1\.1\.0 results/);
    writeFileSync(join(n.binDir, "loopback"), "#!/bin/sh\n", { mode: 0o755 }); // the reference plugin, not needed on this machine
    rmSync(join(n.confDir, "05-other.conflist"));
    assert.deepEqual(installCni(n.request()).warnings, []);
  } finally {
    n.done();
  }
});

test("installCni() refuses relative directories and a missing plugin before writing anything", () => {
  const n = node();
  try {
    refuses(() => installCni(n.request({ confDir: "etc/cni/net.d" })), "INVALID_ARGUMENT", /--conf-dir must be an absolute path/);
    refuses(() => installCni(n.request({ binDir: "" })), "INVALID_ARGUMENT", /--bin-dir must be an absolute path/);
    refuses(() => installCni(n.request({ pluginPath: join(n.dir, "nope") })), "MISSING_DEPENDENCY", /does not exist/);
    refuses(() => installCni(n.request({ podCidrs: ["bad"] })), "INVALID_SUBNET", /--pod-cidr/);
    assert.equal(existsSync(n.confDir), false);
  } finally {
    n.done();
  }
});

test("installCni() links this installation's bin/cni/berth when no plugin is named", () => {
  const n = node();
  try {
    const { pluginPath: _ignored, ...request } = n.request();
    const r = installCni(request);
    assert.match(readlinkSync(join(n.binDir, "berth")), /\/bin\/cni\/berth$/);
    assert.ok(existsSync(r.plugin.target), `${r.plugin.target} exists`);
  } finally {
    n.done();
  }
});
