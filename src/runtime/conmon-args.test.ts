import { test } from "node:test";
import assert from "node:assert/strict";
import { conmonArgs, parseSyncMessage } from "./conmon-args.js";

const opts = {
  id: "b".repeat(64),
  name: "web",
  runtime: "/usr/sbin/runc",
  runtimeRoot: "/run/berth/runc",
  bundleDir: "/run/berth/containers/x/bundle",
  pidFile: "/run/berth/containers/x/bundle/pidfile",
  conmonPidFile: "/run/berth/containers/x/bundle/conmon.pid",
  exitDir: "/run/berth/exits",
  logPath: "/run/berth/containers/x/bundle/ctr.log",
};

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

test("conmonArgs() names the container, runtime, its state root, bundle, pid files, exit dir and k8s-file log", () => {
  const a = conmonArgs(opts);
  assert.equal(flag(a, "--api-version"), "1");
  assert.equal(flag(a, "-c"), opts.id);
  assert.equal(flag(a, "-u"), opts.id);
  assert.equal(flag(a, "-n"), "web");
  assert.equal(flag(a, "-r"), "/usr/sbin/runc");
  assert.equal(flag(a, "--runtime-arg"), "--root=/run/berth/runc");
  assert.equal(flag(a, "-b"), opts.bundleDir);
  assert.equal(flag(a, "-p"), opts.pidFile);
  assert.equal(flag(a, "-P"), opts.conmonPidFile);
  assert.equal(flag(a, "--exit-dir"), "/run/berth/exits");
  assert.equal(flag(a, "-l"), `k8s-file:${opts.logPath}`);
  assert.ok(a.includes("--full-attach"));
  assert.ok(!a.includes("-t"));
  assert.ok(!a.includes("--exit-command"));
});

test("conmonArgs() passes the exit command as --exit-command plus one --exit-command-arg each", () => {
  const a = conmonArgs({ ...opts, tty: true, exitCommand: ["/usr/bin/env", "A=1", "node", "main.js", "container", "cleanup", "x y"] });
  assert.ok(a.includes("-t"));
  const i = a.indexOf("--exit-command");
  assert.deepEqual(a.slice(i), [
    "--exit-command",
    "/usr/bin/env",
    "--exit-command-arg",
    "A=1",
    "--exit-command-arg",
    "node",
    "--exit-command-arg",
    "main.js",
    "--exit-command-arg",
    "container",
    "--exit-command-arg",
    "cleanup",
    "--exit-command-arg",
    "x y",
  ]);
});

test("parseSyncMessage() reads a pid, a failure with its message, and conmon's loosely escaped JSON", () => {
  assert.deepEqual(parseSyncMessage('{"data": 1234}'), { data: 1234 });
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "exec: \\"nope\\": not found"}'), { data: -1, message: 'exec: "nope": not found' });
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "bad \u0001 char"}'), { data: -1, message: "bad \u0001 char" });
  assert.equal(parseSyncMessage("nonsense"), undefined);
  assert.equal(parseSyncMessage(""), undefined);
});
