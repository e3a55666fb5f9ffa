// The CLI as Podman users type it: --format field names, exit codes, the
// container's /etc/hosts, closed pipes, terminals and stop messages.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

const BERTH = fileURLToPath(new URL("../../../bin/berth", import.meta.url));
let b: BerthSandbox;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
});

after(() => {
  if (!b) return;
  b.run("rm", "-a", "-f");
  b.dispose();
  assert.deepEqual(b.leftovers(), [], "nothing Berth made is left");
});

/** `berth ARGS | SHELL-TAIL` through sh: the pipe's reader is what the test is about. */
function piped(args: readonly string[], tail: string): { code: number; stdout: string; stderr: string } {
  const cmd = `"$0" "$@" 2>/tmp/berth-pipe-err.$$ | ${tail}; rc=$?; cat /tmp/berth-pipe-err.$$ >&2; rm -f /tmp/berth-pipe-err.$$; exit $rc`;
  const r = spawnSync("sh", ["-c", cmd, process.execPath, BERTH, ...args], { env: b.env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

test("ps, network ls and network inspect --format take Podman's field names; an unknown one exits 125 naming the valid ones", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--subnet", "10.97.0.0/24", "fmtnet");
  const id = b.ok("run", "-d", "--name", "fmt1", "--network", "fmtnet", "-p", "127.0.0.1:18080:80", "sleep", "600").trim();
  assert.equal(b.ok("ps", "--format", "{{.Names}} {{.ID}} {{.Networks}} {{.Ports}} {{.Command}}"), `fmt1 ${id.slice(0, 12)} fmtnet 127.0.0.1:18080->80/tcp sleep 600\n`);
  assert.match(b.ok("ps", "--format", "{{.Status}}|{{.Image}}|{{.CreatedAt}}"), /^Up \d+ seconds? ago\|\/\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/);
  assert.match(b.ok("ps", "--format", "table {{.ID}} {{.Names}}"), new RegExp(`^CONTAINER ID  NAMES\n${id.slice(0, 12)}  fmt1\n$`));
  const bad = b.run("ps", "--format", "{{.Nmes}}");
  assert.equal(bad.code, 125);
  assert.match(bad.stderr, /can't evaluate field Nmes/);
  assert.match(bad.stderr, /Hint: Fields of .*\.Names/);
  assert.equal(bad.stdout, "");

  const netId = b.ok("network", "inspect", "--format", "{{.ID}}", "fmtnet").trim();
  assert.match(netId, /^[0-9a-f]{64}$/);
  assert.match(b.ok("network", "ls", "--format", "{{.Name}} {{.ID}} {{.Driver}}"), new RegExp(`^fmtnet ${netId.slice(0, 12)} bridge$`, "m"));
  assert.equal(b.ok("network", "inspect", "--format", "{{.Name}}", "fmtnet"), "fmtnet\n");
  const badNet = b.run("network", "inspect", "--format", "{{.name}}", "fmtnet");
  assert.equal(badNet.code, 125);
  assert.match(badNet.stderr, /can't evaluate field name/);
  b.ok("rm", "-f", "fmt1");
  b.ok("network", "rm", "fmtnet");
});

test("exit codes are Podman's: 127 for a command not found, 126 for one that cannot be invoked, the command's own otherwise", (t) => {
  if (!requireSandbox(t)) return;
  const missing = b.run("run", "--rm", "no-such-command-here");
  assert.equal(missing.code, 127, missing.stderr);
  assert.match(missing.stderr, /command "no-such-command-here" not found/);
  const detached = b.run("run", "-d", "--name", "missing-d", "no-such-command-here");
  assert.equal(detached.code, 127, detached.stderr);
  assert.equal(b.run("run", "--rm", "/etc/hostname").code, 126);
  assert.equal(b.run("run", "--rm", "sh", "-c", "exit 3").code, 3);
  assert.equal(b.run("rm", "no-such-container").code, 125);
  assert.equal(b.ok("ps", "-a", "-q"), "", "a container whose command could not start is not left behind");
});

test("/etc/hosts in a container lists its own name and host.containers.internal on the gateway", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--subnet", "10.96.0.0/24", "hostsnet");
  const hosts = b.ok("run", "--rm", "--name", "hoster", "--network", "hostsnet", "cat", "/etc/hosts");
  assert.match(hosts, /^10\.96\.0\.1\thost\.containers\.internal$/m);
  assert.match(hosts, /^10\.96\.0\.2\t[0-9a-f]{12} hoster$/m);
  b.ok("network", "rm", "hostsnet");
});

test("closing stdout early ends quietly: no EPIPE stack trace", (t) => {
  if (!requireSandbox(t)) return;
  for (const [args, tail] of [[["system", "info"], "true"], [["topology", "--format", "svg"], "head -c 300 >/dev/null"]] as const) {
    const r = piped(args, tail);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|node:events|at /, `berth ${args.join(" ")} | ${tail}`);
  }
});

test("run -t without -i writes exactly the command's output: no byte from the caller's stdin is passed on", (t) => {
  if (!requireSandbox(t)) return;
  // script(1) gives the command a terminal; its stdin is /dev/null, whose end it signals by writing to the terminal
  const r = spawnSync("script", ["-qec", `"${process.execPath}" "${BERTH}" run --rm -t echo hi`, "/dev/null"], { env: b.env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "hi\r\n");
});

test("stop says it is resorting to SIGKILL when the command ignores SIGTERM", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "stubborn", "--network", "none", "sh", "-c", "trap '' TERM; while :; do sleep 0.1; done");
  const r = b.run("stop", "-t", "1", "stubborn");
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /StopSignal SIGTERM failed to stop container stubborn in 1 seconds, resorting to SIGKILL/);
  assert.equal(b.ok("ps", "-a", "--format", "{{.Names}} {{.ExitCode}}"), "stubborn 137\n");
  b.ok("rm", "stubborn");
});
