// berth run under `ip netns exec`: that command remounts /sys, which hides
// the cgroup hierarchy, so runc cannot create a container. The run error and
// doctor must name that cause and the fix, and the run must leave nothing.
// `ip netns add` needs /run/netns: the wrapper mounts a tmpfs on /run in a
// mount namespace of its own, so the sandbox's /run is never touched.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox, withPrivateRun } from "../helpers.js";

const UNDER_IP_NETNS_EXEC = withPrivateRun('ip netns add bx && exec ip netns exec bx "$@"');

let b: BerthSandbox;
before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

test("berth run under `ip netns exec` fails with the cgroup cause and the fix, and leaves no container behind", (t) => {
  if (!requireSandbox(t)) return;
  const r = b.runUnder(UNDER_IP_NETNS_EXEC, "run", "--rm", "--name", "nx", "--network", "none", "true");
  assert.notEqual(r.code, 0, r.stdout);
  assert.match(
    r.stderr,
    /Cannot run container "nx": no cgroup hierarchy is mounted where berth runs \(\/proc\/self\/mountinfo lists no cgroup or cgroup2 mount\)/,
  );
  assert.match(r.stderr, /ip netns exec` remounts \/sys.*unshare --net --mount.*mount -t cgroup2 none \/sys\/fs\/cgroup/s);
  assert.doesNotMatch(r.stderr, /command exists/, "not blamed on the command");
  assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container record is left");
  // the same command outside `ip netns exec` works
  assert.equal(b.run("run", "--rm", "--network", "none", "true").code, 0);
});

test("doctor under `ip netns exec` reports CGROUP_MOUNTS_MISSING; outside it does not", (t) => {
  if (!requireSandbox(t)) return;
  const r = b.runUnder(UNDER_IP_NETNS_EXEC, "doctor", "--format", "json");
  const findings = (JSON.parse(r.stdout) as { findings: { code: string; evidence: string; fix: string }[] }).findings;
  const f = findings.find((x) => x.code === "CGROUP_MOUNTS_MISSING");
  assert.ok(f, JSON.stringify(findings));
  assert.match(f.fix, /unshare --net --mount/);
  assert.equal(r.code, 1);
  const here = JSON.parse(b.run("doctor", "--format", "json").stdout) as { findings: { code: string }[] };
  assert.ok(!here.findings.some((x) => x.code === "CGROUP_MOUNTS_MISSING"));
});
