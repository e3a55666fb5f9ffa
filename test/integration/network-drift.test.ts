// Containers whose veths or bridges vanished (`ip link del`, another tool's
// cleanup): doctor names every one, reconcile restores their network while
// they run, and traffic flows again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const HTTPD = ["sh", "-c", "echo hi > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp"];
let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  if (b) b.dispose();
});

function ipLink(...argv: string[]): void {
  const r = spawnSync("ip", ["link", ...argv], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
}

function fetches(from: string, to: string): boolean {
  const r = b.run("exec", from, "wget", "-q", "-T", "3", "-O", "-", `http://${to}:8080/`);
  return r.code === 0 && r.stdout.trim() === "hi";
}

interface JsonFinding {
  code: string;
  summary: string;
  evidence: string;
  fix: string;
}

test("a deleted bridge and a deleted veth under three containers: doctor lists each, reconcile restores them, traffic flows", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "drift1");
  b.ok("network", "create", "drift2");
  for (const [name, net] of [
    ["a", "drift1"],
    ["b", "drift1"],
    ["c", "drift2"],
    ["d", "drift2"],
  ] as const)
    b.ok("run", "-d", "--name", name, "--network", net, ...HTTPD);
  assert.ok(fetches("a", "b") && fetches("d", "c"), "traffic flows before");
  const bridge1 = (JSON.parse(b.ok("network", "inspect", "drift1")) as { network_interface: string }[])[0]?.network_interface ?? "";
  const vethC = b.ok("inspect", "-f", "{{.NetworkSettings.Networks.drift2.HostInterfaceName}}", "c").trim();
  assert.match(bridge1, /^berth[0-9]+$/);
  assert.match(vethC, /^bth/);
  ipLink("del", bridge1);
  ipLink("del", vethC);
  assert.ok(!fetches("a", "b"), "a and b lost their bridge");

  const r = b.run("doctor", "--format", "json");
  assert.equal(r.code, 1, r.stdout);
  const broken = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.code === "CONTAINER_NETWORK_BROKEN");
  assert.deepEqual(
    broken.map((f) => /^Container (\S+) /.exec(f.summary)?.[1]).sort(),
    ["a", "b", "c"],
    "every container that lost its network, and only those",
  );
  const ofA = broken.find((f) => f.summary.startsWith("Container a "));
  assert.match(ofA?.evidence ?? "", new RegExp(`drift1: bridge ${bridge1} is missing`));
  assert.match(ofA?.evidence ?? "", /veth bth[0-9a-f]+ is not a port of|veth bth[0-9a-f]+ is missing/);
  assert.match(
    broken.find((f) => f.summary.startsWith("Container c "))?.evidence ?? "",
    new RegExp(`drift2: veth ${vethC} is missing; drift2: eth0 is missing inside the container`),
  );
  assert.match(ofA?.fix ?? "", /berth system reconcile/);
  assert.match(b.run("doctor").stdout, /^ERROR .*Container a has lost its network on drift1/m, "the text report names it too");

  const trace = JSON.parse(b.run("trace", "--format", "json", "d", "c:8080").stdout) as { verdict: string; hops: { step: string; fix?: string }[] };
  assert.match(trace.verdict, /breaks at veth/);
  assert.match(trace.hops.at(-1)?.fix ?? "", /berth system reconcile/, "trace's fix is reconcile, and it must be true");

  const rec = b.run("system", "reconcile");
  assert.equal(rec.code, 0, rec.stderr + rec.stdout);
  assert.match(rec.stdout, new RegExp(`re-created veth ${vethC} <-> eth0 with ${b.ip("c").replaceAll(".", "\\.")} \\(container c, network drift2\\)`));
  assert.match(rec.stdout, /put veth bth[0-9a-f]+ back on bridge/);
  assert.ok(fetches("a", "b"), "a reaches b again over the re-created bridge");
  assert.ok(fetches("d", "c"), "d reaches c again over the re-created veth");
  assert.ok(fetches("c", "d"), "and c has its default route and address back");
  assert.match(b.run("doctor").stdout, /^No problems found/m);
  assert.ok(JSON.parse(b.run("trace", "--format", "json", "d", "c:8080").stdout).reachable);
  b.ok("rm", "-f", "a", "b", "c", "d");
  b.ok("network", "rm", "drift1", "drift2");
  assert.deepEqual(
    b.leftovers().filter((x) => x.startsWith("link ")),
    [],
    "no veth or bridge is left behind",
  );
});

test("reconcile says exactly what it could not do: a running container whose namespace is gone", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "drift3");
  b.ok("run", "-d", "--name", "lost", "--network", "drift3", "sleep", "600");
  const ns = b.netns("lost");
  assert.equal(spawnSync("umount", [ns]).status, 0);
  const doc = JSON.parse(b.run("doctor", "--format", "json").stdout) as { findings: JsonFinding[] };
  const f = doc.findings.find((x) => x.code === "CONTAINER_NETWORK_BROKEN" && x.summary.startsWith("Container lost "));
  assert.match(f?.evidence ?? "", /network namespace .* is gone/);
  assert.match(f?.fix ?? "", /berth rm -f lost/);
  const rec = b.run("system", "reconcile");
  assert.match(rec.stdout + rec.stderr, /container lost: its network namespace file .* is gone, so its network cannot be restored; remove and re-run it/);
  b.ok("rm", "-f", "lost");
  b.ok("network", "rm", "drift3");
});

test("ns ls lists a file in the namespace directory with nothing mounted on it as stale, not as a namespace", (t) => {
  if (!requireSandbox(t)) return;
  const dir = join(b.root, "netns");
  mkdirSync(dir, { recursive: true });
  const plain = join(dir, "plain-file");
  writeFileSync(plain, "");
  // a namespace whose bind mount is gone: what `umount /run/netns/x` without `rm` leaves
  const unmounted = join(dir, "gone-ns");
  writeFileSync(unmounted, "");
  assert.equal(spawnSync("unshare", [`--net=${unmounted}`, "true"]).status, 0);
  assert.equal(spawnSync("umount", [unmounted]).status, 0);
  try {
    const list = JSON.parse(b.ok("ns", "ls", "--format", "json")) as { inode: number; path?: string; usedBy: string; stale?: boolean }[];
    for (const p of [plain, unmounted]) {
      const e = list.find((x) => x.path === p);
      assert.equal(e?.stale, true, `${p}: ${JSON.stringify(e)}`);
      assert.match(e?.usedBy ?? "", /^stale: no namespace is mounted on it/);
    }
    assert.match(list[0]?.usedBy ?? "", /^host \(PID 1\)/, "the host's namespace comes first");
    assert.match(b.ok("ns", "ls"), /plain-file +stale: no namespace is mounted on it/);
  } finally {
    rmSync(plain, { force: true });
    rmSync(unmounted, { force: true });
  }
});
