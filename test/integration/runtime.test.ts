// The container runtime layer on the real runc and conmon, inside the test
// sandbox: foreground runs, detached containers that outlive their caller,
// exec, logs, stop, exit codes and exit commands, and nothing left behind.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { inSandbox, requireSandbox, tempRoot } from "../helpers.js";
import { berthPaths, containerRunDir, type BerthPaths } from "../../src/paths.js";
import { Runtime, type ContainerProcessSpec } from "../../src/runtime/index.js";
import { BerthError } from "../../src/errors.js";

let root: ReturnType<typeof tempRoot>;
let paths: BerthPaths;
let rt: Runtime;
let netns: string;
let etc: ContainerProcessSpec["etc"];
const started: string[] = [];

before(() => {
  if (!inSandbox()) return;
  root = tempRoot("berth-rt-");
  paths = berthPaths(root.env);
  rt = new Runtime(paths);
  // a persistent network namespace without `ip netns`: unshare bind-mounts it onto the file
  netns = join(root.root, "netns-a");
  closeSync(openSync(netns, "w"));
  sh("unshare", `--net=${netns}`, "true");
  sh("nsenter", `--net=${netns}`, "ip", "link", "set", "lo", "up");
  etc = { hosts: join(root.root, "hosts"), resolvConf: join(root.root, "resolv.conf"), hostname: join(root.root, "hostname") };
  writeFileSync(etc.hosts, "127.0.0.1\tlocalhost\n10.99.0.5\tbox1\n");
  writeFileSync(etc.resolvConf, "nameserver 10.99.0.1\n");
  writeFileSync(etc.hostname, "box1\n");
});

after(async () => {
  if (!inSandbox()) return;
  for (const id of started) {
    await rt.delete(id, { force: true }).catch(() => undefined);
    await rt.waitMonitorGone(id, 5000).catch(() => undefined);
  }
  spawnSync("umount", [netns]);
  assert.deepEqual(leftovers(), [], "no runc or conmon process of this test is left");
  root.cleanup();
});

/** A separate process that starts one detached container and exits, as the berth CLI does. Prints {"pid", "ms"}. */
const START_HELPER = `
import { berthPaths } from ${JSON.stringify(new URL("../../src/paths.js", import.meta.url).href)};
import { Runtime } from ${JSON.stringify(new URL("../../src/runtime/index.js", import.meta.url).href)};
const o = JSON.parse(process.argv[1]);
const t0 = performance.now();
const { pid } = await new Runtime(berthPaths({ BERTH_ROOT: o.root })).startDetached(o.spec, o.bundle, { exitCommand: o.exitCommand });
process.stdout.write(JSON.stringify({ pid, ms: Math.round(performance.now() - t0) }) + "\\n");
`;

function sh(cmd: string, ...args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function newSpec(args: string[], extra: Partial<ContainerProcessSpec> = {}): ContainerProcessSpec {
  const id = randomBytes(32).toString("hex");
  started.push(id);
  return { id, name: `c-${id.slice(0, 6)}`, hostname: "box1", args, network: { kind: "netns", path: netns }, etc, ...extra };
}

function bundleOf(id: string): string {
  return join(containerRunDir(paths, id), "bundle");
}

/** Processes of this test: runc and conmon (their command line names its root) and containers (their cgroup names the id). */
function leftovers(): string[] {
  const found: string[] = [];
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").join(" ");
      const cgroup = readFileSync(`/proc/${p}/cgroup`, "utf8");
      if ((cmd.includes(root.root) && !cmd.includes("--test")) || started.some((id) => cgroup.includes(id))) found.push(`${p}: ${cmd}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

async function until(what: string, fn: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("runForeground() returns the exit code and output, and deletes the container", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["sh", "-c", 'echo "out $0"; echo err >&2; exit 3', "x y"]);
  const t0 = performance.now();
  const r = await rt.runForeground(spec, bundleOf(spec.id), { capture: true });
  t.diagnostic(`runForeground (sh, capture) took ${(performance.now() - t0).toFixed(0)} ms`);
  assert.deepEqual(r, { exitCode: 3, stdout: "out x y\n", stderr: "err\n" });
  assert.deepEqual(await rt.state(spec.id), { status: "missing", pid: undefined });
});

test("runForeground(): hostname and /etc files are the given ones, the host root is read-only, tmp is writable", async (t) => {
  if (!requireSandbox(t)) return;
  const script = [
    "hostname",
    "cat /etc/hosts /etc/resolv.conf /etc/hostname",
    "echo HOSTNAME=$HOSTNAME TERM=$TERM",
    "if touch /usr/berth-probe 2>/dev/null; then echo usr-writable; else echo usr-ro; fi",
    "if touch /etc/berth-probe 2>/dev/null; then echo etc-writable; else echo etc-ro; fi",
    "touch /tmp/ok && echo tmp-ok",
    "echo 10.99.0.9 extra >> /etc/hosts && echo hosts-rw",
  ].join("; ");
  const spec = newSpec(["sh", "-c", script]);
  const r = await rt.runForeground(spec, bundleOf(spec.id), { capture: true });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(
    r.stdout,
    "box1\n127.0.0.1\tlocalhost\n10.99.0.5\tbox1\nnameserver 10.99.0.1\nbox1\nHOSTNAME=box1 TERM=xterm\nusr-ro\netc-ro\ntmp-ok\nhosts-rw\n",
  );
  assert.match(readFileSync(etc.hosts, "utf8"), /10\.99\.0\.9 extra/, "/etc/hosts is the host file, bind-mounted read-write");
  assert.ok(!existsSync("/usr/berth-probe"));
  writeFileSync(etc.hosts, "127.0.0.1\tlocalhost\n10.99.0.5\tbox1\n");
});

test("runForeground(): netns mode joins the given namespace; ping works without CAP_NET_RAW; capabilities are Podman's", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec([
    "sh",
    "-c",
    "readlink /proc/self/ns/net; ip -o link show | cut -d: -f2; ping -c1 -W2 127.0.0.1 >/dev/null && echo ping-ok; grep CapEff /proc/self/status",
  ]);
  const r = await rt.runForeground(spec, bundleOf(spec.id), { capture: true });
  assert.equal(r.exitCode, 0, r.stderr);
  const [ns, link, ping, caps] = (r.stdout ?? "").trim().split("\n");
  assert.equal(ns, `net:[${statSync(netns).ino}]`);
  assert.equal(link?.trim(), "lo");
  assert.equal(ping, "ping-ok");
  // CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP
  assert.equal(caps, "CapEff:\t00000000800405fb");
});

test("runForeground(): host mode shares the host's network namespace and sees its interfaces", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["sh", "-c", "readlink /proc/self/ns/net; ip -o link show | cut -d: -f2 | tr -d ' ' | sort | tr '\\n' ,"], {
    network: { kind: "host" },
  });
  const r = await rt.runForeground(spec, bundleOf(spec.id), { capture: true });
  assert.equal(r.exitCode, 0, r.stderr);
  const [ns, links] = (r.stdout ?? "").trim().split("\n");
  assert.equal(ns, `net:[${statSync("/proc/self/ns/net").ino}]`);
  const hostLinks = sh("sh", "-c", "ip -o link show | cut -d: -f2 | tr -d ' ' | sort | tr '\\n' ,");
  assert.equal(links, hostLinks.trim());
});

test("runForeground() with inherited stdio returns the exit code", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["sh", "-c", "exit 4"]);
  assert.deepEqual(await rt.runForeground(spec, bundleOf(spec.id)), { exitCode: 4 });
});

test("runForeground() with a tty but no terminal (or captured) fails with INVALID_ARGUMENT before starting", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["true"], { tty: true });
  await assert.rejects(rt.runForeground(spec, bundleOf(spec.id), { capture: true }), (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT");
});

test("startDetached() with a tty: the log has the terminal's output", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["sh", "-c", "tty; echo hi; sleep 600"], { tty: true });
  await rt.startDetached(spec, bundleOf(spec.id));
  await until("the log", () => rt.readLogs(spec.id) === "/dev/pts/0\r\nhi\r\n");
  const e = await rt.exec(spec.id, ["sh", "-c", "tty"], { capture: true });
  assert.deepEqual(e, { exitCode: 1, stdout: "not a tty\n", stderr: "" });
  await rt.delete(spec.id, { force: true });
  assert.ok(await rt.waitMonitorGone(spec.id));
  assert.equal(rt.exitCode(spec.id), 137);
});

test("runForeground(): a missing command fails as COMMAND_NOT_FOUND with the runtime's message", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["/nonexistent/berth-cmd"]);
  await assert.rejects(
    rt.runForeground(spec, bundleOf(spec.id), { capture: true }),
    (e: unknown) => e instanceof BerthError && e.code === "COMMAND_NOT_FOUND" && /nonexistent\/berth-cmd.*no such file or directory/.test(e.message),
  );
  assert.deepEqual(await rt.state(spec.id), { status: "missing", pid: undefined });
});

test("startDetached() outlives its caller; exec, logs, stop, exit code, exit command and delete work", async (t) => {
  if (!requireSandbox(t)) return;
  const marker = join(root.root, "exit-marker");
  const exitScript = join(root.root, "on-exit.sh");
  writeFileSync(exitScript, `#!/bin/sh\necho "$@" > ${marker}\n`);
  chmodSync(exitScript, 0o755);
  const spec = newSpec(["sh", "-c", "echo hello; echo oops >&2; trap 'echo bye; exit 7' TERM; while :; do sleep 0.05; done"]);
  // start from a separate node process that exits right away: the CLI's situation
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      START_HELPER,
      JSON.stringify({ root: root.root, spec, bundle: bundleOf(spec.id), exitCommand: [exitScript, "cleanup", spec.id] }),
    ],
    {
      encoding: "utf8",
      timeout: 20_000,
    },
  );
  t.diagnostic(`separate process: startDetached + exit took ${(performance.now() - t0).toFixed(0)} ms; inside it: ${child.stdout.trim()}`);
  assert.equal(child.status, 0, `the caller exits by itself: ${child.stderr}`);
  const { pid, ms } = JSON.parse(child.stdout) as { pid: number; ms: number };
  assert.ok(ms < 5000);

  const st = await rt.state(spec.id);
  assert.deepEqual(st, { status: "running", pid });
  assert.equal(rt.exitCode(spec.id), undefined);

  const e1 = await rt.exec(spec.id, ["sh", "-c", 'cat /etc/hostname; echo "$FOO"; exit 5'], { capture: true, env: ["FOO=bar"] });
  assert.deepEqual(e1, { exitCode: 5, stdout: "box1\nbar\n", stderr: "" });
  await until("the log", () => rt.readLogs(spec.id) === "hello\noops\n");

  const t1 = performance.now();
  await rt.stop(spec.id, 10);
  t.diagnostic(`stop (trapped SIGTERM) took ${(performance.now() - t1).toFixed(0)} ms`);
  assert.equal(rt.exitCode(spec.id), 7, "conmon recorded the exit code");
  assert.equal((await rt.state(spec.id)).status, "stopped");
  assert.equal(rt.readLogs(spec.id), "hello\noops\nbye\n");
  assert.ok(await rt.waitMonitorGone(spec.id), "conmon exits after the container");
  assert.equal(readFileSync(marker, "utf8"), `cleanup ${spec.id}\n`, "the exit command ran");

  await rt.stop(spec.id, 1); // already stopped: fine
  await rt.delete(spec.id);
  await rt.delete(spec.id);
  await rt.delete(spec.id, { force: true });
  await rt.stop(spec.id, 1); // unknown: fine
  assert.deepEqual(await rt.state(spec.id), { status: "missing", pid: undefined });
});

test("stop() kills a process that ignores SIGTERM after the timeout; exit code 137", async (t) => {
  if (!requireSandbox(t)) return;
  // pid 1 of a pid namespace ignores signals it has no handler for
  const spec = newSpec(["sleep", "600"]);
  const t0 = performance.now();
  const { pid } = await rt.startDetached(spec, bundleOf(spec.id));
  t.diagnostic(`startDetached (sleep) took ${(performance.now() - t0).toFixed(0)} ms`);
  assert.ok(pid > 1);
  await rt.stop(spec.id, 1);
  assert.equal(rt.exitCode(spec.id), 137, "SIGTERM was ignored, so it ended by SIGKILL");
  await rt.delete(spec.id);
  assert.ok(await rt.waitMonitorGone(spec.id));
});

test("a container killed behind Berth's back: conmon still records the exit and runs the exit command", async (t) => {
  if (!requireSandbox(t)) return;
  const marker = join(root.root, "exit-marker-2");
  const spec = newSpec(["sleep", "600"]);
  const { pid } = await rt.startDetached(spec, bundleOf(spec.id), { exitCommand: ["/bin/sh", "-c", `echo ran > ${marker}`] });
  process.kill(pid, "SIGKILL");
  await until("the exit command", () => existsSync(marker));
  assert.equal(rt.exitCode(spec.id), 137);
  await rt.delete(spec.id, { force: true });
});

test("exec() into a stopped or unknown container fails with CONTAINER_NOT_RUNNING", async (t) => {
  if (!requireSandbox(t)) return;
  await assert.rejects(rt.exec("c".repeat(64), ["true"], { capture: true }), (e: unknown) => e instanceof BerthError && e.code === "CONTAINER_NOT_RUNNING");
});

test("startDetached() with a missing command fails as COMMAND_NOT_FOUND with the runtime's message and leaves nothing running", async (t) => {
  if (!requireSandbox(t)) return;
  const marker = join(root.root, "exit-marker-3");
  const spec = newSpec(["/nonexistent/berth-cmd"]);
  await assert.rejects(rt.startDetached(spec, bundleOf(spec.id), { exitCommand: ["/bin/sh", "-c", `echo ran > ${marker}`] }), (e: unknown) => {
    assert.ok(e instanceof BerthError && e.code === "COMMAND_NOT_FOUND", String(e));
    assert.match(e.message, /nonexistent\/berth-cmd/);
    return true;
  });
  await rt.delete(spec.id, { force: true });
  assert.ok(await rt.waitMonitorGone(spec.id));
  assert.ok(existsSync(marker), "conmon runs the exit command after a failed create too");
});

test("startDetached() refuses an exit command that is not an absolute path", async (t) => {
  if (!requireSandbox(t)) return;
  const spec = newSpec(["true"]);
  await assert.rejects(
    rt.startDetached(spec, bundleOf(spec.id), { exitCommand: ["sh", "-c", "true"] }),
    (e: unknown) => e instanceof BerthError && e.code === "INVALID_ARGUMENT",
  );
});
