// The CLI as Podman users type it: --format field names, exit codes, the
// container's /etc/hosts, closed pipes, terminals, stop messages, start -a.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ECHO, ask } from "../echo.js";
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
  assert.equal(
    b.ok("ps", "--format", "{{.Names}} {{.ID}} {{.Networks}} {{.Ports}} {{.Command}}"),
    `fmt1 ${id.slice(0, 12)} fmtnet 127.0.0.1:18080->80/tcp sleep 600\n`,
  );
  assert.match(
    b.ok("ps", "--format", "{{.Status}}|{{.Image}}|{{.CreatedAt}}"),
    /^Up \d+ seconds? ago\|\/\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/,
  );
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
  for (const [args, tail] of [
    [["system", "info"], "true"],
    [["topology", "--format", "svg"], "head -c 300 >/dev/null"],
  ] as const) {
    const r = piped(args, tail);
    assert.equal(r.code, 0);
    assert.doesNotMatch(r.stderr, /EPIPE|node:events|at /, `berth ${args.join(" ")} | ${tail}`);
  }
});

test("run -t without -i writes exactly the command's output: no byte from the caller's stdin is passed on", (t) => {
  if (!requireSandbox(t)) return;
  // script(1) gives the command a terminal; its stdin is /dev/null, whose end it signals by writing to the terminal
  const r = spawnSync("script", ["-qec", `"${process.execPath}" "${BERTH}" run --rm -t echo hi`, "/dev/null"], {
    env: b.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 60_000,
  });
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

test("create, start, stop, start: a stopped container comes back with its network, published port and name; kill, wait, logs --tail, ps --filter, rm -a", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--subnet", "10.94.0.0/24", "lifenet");
  b.ok("create", "--name", "life", "--net", "lifenet", "-p", "127.0.0.1:18090:8080", "--label", "tier=web", ...ECHO);
  assert.equal(b.ok("ps", "-a", "--filter", "status=created", "--format", "{{.Names}} {{.Status}} {{.Labels}}"), "life Created map[tier:web]\n");
  const answers = () => {
    const ip = b.ip("life");
    return { direct: waitAnswer("tcp", ip, 8080), published: waitAnswer("tcp", "127.0.0.1", 18090) };
  };
  for (const round of ["first start", "started again"]) {
    b.ok("start", "life");
    const a = answers();
    assert.ok(a.direct, `${round}: answers on its address`);
    assert.ok(a.published, `${round}: answers on its published port`);
    b.ok("stop", "-t", "1", "life");
    assert.equal(b.ok("ps", "--filter", "name=^life$", "--format", "{{.Names}}"), "", `${round}: stopped`);
  }
  b.ok("start", "life");
  const ip = b.ip("life");
  assert.match(b.ok("restart", "-t", "0", "life"), /^[0-9a-f]{64}\n$/);
  assert.ok(waitAnswer("tcp", "127.0.0.1", 18090), "restarted: answers on its published port");
  assert.ok(ip !== "" && b.ip("life") !== "", "it has an address again");
  b.ok("run", "-d", "--name", "follow", "--network", "none", "sh", "-c", "echo a; sleep 1; echo b");
  assert.equal(b.ok("logs", "-f", "follow"), "a\nb\n", "logs -f follows until the container exits");
  b.ok("create", "--name", "talker", "--network", "lifenet", "sh", "-c", "echo one; echo two; echo three; sleep 600");
  b.ok("start", "talker");
  assert.equal(b.ok("ps", "--filter", "network=lifenet", "--format", "{{.Names}}"), "life\ntalker\n");
  waitFor(() => b.ok("logs", "talker").includes("three"));
  assert.equal(b.ok("logs", "--tail", "2", "talker"), "two\nthree\n");
  b.ok("kill", "-s", "KILL", "talker");
  assert.equal(b.ok("wait", "talker"), "137\n");
  assert.equal(b.run("kill", "-s", "NOSUCHSIG", "life").code, 125);
  assert.equal(b.run("rm", "-a").code, 125, "rm -a without -f refuses the running one");
  b.ok("rm", "-a", "-f");
  assert.equal(b.ok("ps", "-a", "-q"), "");
  b.ok("network", "rm", "lifenet");
});

test("--restart on-failure:N is supervised through conmon's cleanup; always does not restart what the user stopped", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "flaky", "--network", "none", "--restart", "on-failure:2", "sh", "-c", "echo ran; exit 3");
  waitFor(
    () =>
      b
        .ok("logs", "flaky")
        .split("\n")
        .filter((l) => l === "ran").length === 3 && /Exited \(3\)/.test(b.ok("ps", "-a", "--filter", "name=flaky", "--format", "{{.Status}}")),
    30_000,
  );
  assert.equal(b.ok("logs", "flaky"), "ran\nran\nran\n", "once, then restarted twice");
  b.ok("run", "-d", "--name", "steady", "--network", "none", "--restart", "always", "sleep", "600");
  b.ok("stop", "-t", "0", "steady");
  assert.match(b.ok("ps", "-a", "--filter", "name=steady", "--format", "{{.Status}}"), /^Exited/);
  b.ok("rm", "-a");
});

test("run flags Podman users type: -w -u -v --env-file --entrypoint --cap-add --sysctl --init --replace --network ns:PATH", (t) => {
  if (!requireSandbox(t)) return;
  const dir = mkdtempSync(join(tmpdir(), "berth-flags-"));
  try {
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, "file"), "from the host\n");
    writeFileSync(join(dir, "env"), "# comment\nGREETING=hello\n");
    const script =
      "echo cwd=$(pwd) env=$GREETING; cat /mnt/file; touch /mnt/x 2>/dev/null || echo ro; grep CapEff /proc/self/status; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; cat /proc/1/cmdline | tr '\\0' ' '; echo";
    const out = b.ok(
      "run",
      "--rm",
      "--network",
      "none",
      "-w",
      "/tmp",
      "-v",
      `${dir}:/mnt:ro`,
      "--env-file",
      join(dir, "env"),
      "--cap-drop",
      "ALL",
      "--cap-add",
      "NET_BIND_SERVICE",
      "--sysctl",
      "net.ipv4.ip_unprivileged_port_start=42",
      "--init",
      "--entrypoint",
      "sh",
      "--",
      "-c",
      script,
    );
    assert.match(out, /^cwd=\/tmp env=hello$/m);
    assert.match(b.ok("run", "--rm", "--network", "none", "-u", "1234:1234", "id"), /^uid=1234 gid=1234/);
    assert.match(out, /^from the host$/m);
    assert.match(out, /^ro$/m, "the volume is read-only");
    assert.match(out, /^CapEff:\t0000000000000400$/m, "only CAP_NET_BIND_SERVICE");
    assert.match(out, /^42$/m, "the sysctl is set in the container's namespace");
    assert.match(out, /^\/run\/berth-init -- sh -c /m, "catatonit is PID 1");
    assert.equal(spawnSync("cat", ["/proc/sys/net/ipv4/ip_unprivileged_port_start"], { encoding: "utf8" }).stdout.trim() === "42", false, "not on the host");
    // --network ns:PATH joins a namespace made elsewhere and leaves it alone
    const ns = join(dir, "ns");
    writeFileSync(ns, "");
    assert.equal(spawnSync("unshare", [`--net=${ns}`, "true"]).status, 0);
    spawnSync("nsenter", [`--net=${ns}`, "ip", "addr", "add", "192.0.2.77/32", "dev", "lo"]);
    assert.match(b.ok("run", "--rm", "--network", `ns:${ns}`, "ip", "-o", "addr", "show", "lo"), /192\.0\.2\.77/);
    assert.equal(spawnSync("nsenter", [`--net=${ns}`, "true"]).status, 0, "the namespace is still there");
    spawnSync("umount", [ns]);
    const first = b.ok("run", "-d", "--name", "rep", "--network", "none", "sleep", "600").trim();
    const second = b.ok("run", "-d", "--replace", "--name", "rep", "--network", "none", "sleep", "600").trim();
    assert.notEqual(first, second);
    assert.equal(b.ok("ps", "-a", "--format", "{{.Names}} {{.ID}}"), `rep ${second.slice(0, 12)}\n`);
    b.ok("rm", "-f", "rep");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("start -a prints what the container writes from then on and exits with its code; exec's 126/127; -a takes one container", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("create", "--name", "att", "--network", "none", "sh", "-c", "echo out; echo err >&2; exit 4");
  for (const round of ["first", "again"]) {
    const r = b.run("start", "-a", "att");
    assert.equal(r.code, 4, `${round}: the container's exit code (${r.stderr})`);
    assert.match(r.stdout, /^(out\nerr|err\nout)\n$/, `${round}: only this run's output`);
  }
  assert.equal(b.run("start", "-a", "att", "att").code, 125, "one container with -a");
  b.ok("run", "-d", "--name", "ex", "--network", "none", "sleep", "600");
  assert.equal(b.run("exec", "ex", "no-such-command-here").code, 127);
  assert.equal(b.run("exec", "ex", "/etc/hostname").code, 126);
  assert.equal(b.run("exec", "ex", "sh", "-c", "exit 5").code, 5);
  b.ok("rm", "-f", "att", "ex");
});

function waitFor(check: () => boolean, timeoutMs = 15_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    spawnSync("sleep", ["0.2"]);
  }
}

function waitAnswer(proto: "tcp" | "udp", host: string, port: number): string | undefined {
  let a: string | undefined;
  const deadline = Date.now() + 10_000;
  while ((a = ask(proto, host, port, undefined, 1000)) === undefined && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
  return a;
}
