// Recovery from what other tools and crashes do to a running host: a
// firewall reload that flushes every nftables rule, and the resolver daemon
// killed behind Berth's back.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const HTTPD = ["sh", "-c", "echo served > /tmp/index.html && exec busybox httpd -f -p 8080 -h /tmp"];
let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  if (b) b.dispose();
});

/** Berth's table as `nft list` prints it, lines sorted (element order is the kernel's). */
function berthTable(): string {
  const r = spawnSync("nft", ["list", "table", "inet", "berth"], { encoding: "utf8" });
  return r.status === 0
    ? r.stdout
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .sort()
        .join("\n")
    : "";
}

function curl(url: string): string | undefined {
  const r = spawnSync("curl", ["-s", "--max-time", "2", url], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function getent(ctr: string, name: string): string | undefined {
  const r = b.run("exec", ctr, "getent", "hosts", name);
  return r.code === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined;
}

test("after `nft flush ruleset` (a firewall reload), reconcile restores every rule and published port", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "reload-a");
  b.ok("network", "create", "reload-b", "--internal");
  b.ok("run", "-d", "--name", "served", "--network", "reload-a", "-p", "9600:8080", "-p", "127.0.0.1:9601:8080", ...HTTPD);
  b.ok("run", "-d", "--name", "inside", "--network", "reload-b", "sleep", "600");
  spawnSync("sleep", ["0.5"]);
  assert.equal(curl("http://127.0.0.1:9600/"), "served");
  const before = berthTable();
  assert.match(before, /9600/);

  assert.equal(spawnSync("nft", ["flush", "ruleset"]).status, 0);
  assert.equal(berthTable(), "", "the reload took Berth's table with it");
  assert.equal(curl("http://127.0.0.1:9600/"), undefined, "so the published port is dead");

  const out = b.ok("system", "reconcile");
  assert.match(out, /re-published tcp 0\.0\.0\.0:9600/);
  assert.match(out, /re-published tcp 127\.0\.0\.1:9601/);
  assert.equal(berthTable(), before, "the same table as before the flush");
  assert.equal(curl("http://127.0.0.1:9600/"), "served");
  assert.equal(curl("http://127.0.0.1:9601/"), "served");
  assert.doesNotMatch(b.ok("system", "reconcile"), /re-published|removed stale/, "a second reconcile has nothing to do");
  b.ok("rm", "-f", "served", "inside");
  b.ok("network", "rm", "reload-a", "reload-b");
});

test("reconcile removes a port mapping that no container holds any more", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "holder", "-p", "9602:8080", "sleep", "600");
  const ip = b.ip("holder");
  assert.equal(spawnSync("nft", ["add", "element", "inet", "berth", "dnat_any", `{ tcp . 9603 : ${ip} . 8080 }`]).status, 0, "a stale element planted");
  const out = b.ok("system", "reconcile");
  assert.match(out, /removed stale port mapping tcp 0\.0\.0\.0:9603/);
  assert.doesNotMatch(berthTable(), /9603/);
  assert.match(berthTable(), /9602/, "the container's own mapping stays");
  b.ok("rm", "-f", "holder");
});

test("the resolver killed with SIGKILL: the next berth command restarts it and no name is lost", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "names");
  b.ok("run", "-d", "--name", "alpha", "--network", "names", "sleep", "600");
  b.ok("run", "-d", "--name", "beta", "--network", "names", "sleep", "600");
  assert.equal(getent("beta", "alpha"), b.ip("alpha"));
  const pidFile = join(b.root, "run", "dns", "resolver.pid");
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  process.kill(pid, "SIGKILL");
  spawnSync("sleep", ["0.2"]);
  assert.equal(getent("beta", "alpha"), undefined, "no resolver, no names");
  b.ok("run", "-d", "--name", "gamma", "--network", "names", "sleep", "600");
  const again = Number(readFileSync(pidFile, "utf8").trim());
  assert.notEqual(again, pid, "a new daemon");
  assert.equal(getent("beta", "alpha"), b.ip("alpha"), "an old name");
  assert.equal(getent("alpha", "gamma"), b.ip("gamma"), "the new one");
  b.ok("rm", "-f", "alpha", "beta", "gamma");
  b.ok("network", "rm", "names");
});

test("the OCI runtime or the monitor missing: a clear error, and nothing half-made", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "noruntime");
  for (const env of [{ BERTH_RUNTIME: "/nonexistent/runc" }, { PATH: "/nonexistent" }]) {
    const r = b.runWith(env, "run", "-d", "--name", "orphan", "--network", "noruntime", "-p", "9610:8080", "sleep", "600");
    assert.equal(r.code, 125, JSON.stringify(env));
    assert.match(r.stderr, /^Error: .*(runc|runtime|conmon)/m, `says what is missing: ${r.stderr}`);
    assert.match(r.stderr, /^Hint: .*(install|BERTH_RUNTIME|PATH)/im, `says what to do: ${r.stderr}`);
    assert.equal(b.ok("ps", "-a", "-q").trim(), "", "no container row");
    assert.doesNotMatch(berthTable(), /9610/, "no port mapping");
    assert.deepEqual(
      b.leftovers().filter((l) => !l.startsWith("nft")),
      [],
      "no veth, namespace or process",
    );
  }
  b.ok("network", "rm", "noruntime");
});

test("a reboot (processes gone, /run wiped, namespaces, links and rules lost): reconcile marks the containers stopped and the host clean", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "survivor");
  b.ok("run", "-d", "--name", "booted", "--network", "survivor", "-p", "9620:8080", "sleep", "600");
  const netns = b.netns("booted");
  // what a reboot does: every process, the tmpfs /run (runtime state, netns mounts), every link and rule
  const pids = spawnSync("pgrep", ["-f", b.root], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
  for (const p of pids) spawnSync("kill", ["-9", p]);
  spawnSync("sleep", ["0.3"]);
  spawnSync("umount", [netns]);
  spawnSync("rm", ["-rf", join(b.root, "run"), join(b.root, "netns")]);
  for (const l of JSON.parse(spawnSync("ip", ["-j", "link", "show"], { encoding: "utf8" }).stdout) as { ifname: string }[]) {
    if (/^(bth|berth)/.test(l.ifname)) spawnSync("ip", ["link", "del", l.ifname]);
  }
  spawnSync("nft", ["flush", "ruleset"]);

  b.ok("system", "reconcile");
  assert.match(b.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}"), /^booted Exited/m, "the container is recorded as stopped");
  const doctor = JSON.parse(b.run("doctor", "--format", "json").stdout) as { findings: { code: string; severity: string }[] };
  assert.deepEqual(
    doctor.findings.filter((f) => f.severity !== "info").map((f) => f.code),
    [],
    "doctor finds nothing",
  );
  b.ok("rm", "booted");
  b.ok("run", "-d", "--name", "booted", "--network", "survivor", "-p", "9620:8080", "sleep", "600");
  b.ok("rm", "-f", "booted");
  b.ok("network", "rm", "survivor");
});
