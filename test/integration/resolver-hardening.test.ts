// The resolver against local users and broken states, through the CLI as
// users run it (issue 19): an unprivileged user cannot switch DNS off by
// taking the resolver's lock first; doctor sees a resolver that does not
// answer the way a container does, by asking it from inside one; Berth's
// directories must be root's, and a link planted in them is not followed;
// an internal network's names resolve but nothing is forwarded for it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;
const children: ChildProcess[] = [];

before(() => {
  if (inSandbox()) b = new BerthSandbox().withoutUpstreamDns();
});
after(() => {
  for (const c of children) c.kill("SIGKILL");
  if (b) b.dispose();
});

function getent(ctr: string, name: string): string | undefined {
  const r = b.run("exec", ctr, "getent", "hosts", name);
  return r.code === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined;
}

/** Run `script` with node as uid/gid nobody; resolves once it prints its first line. */
function asNobody(script: string): Promise<{ child: ChildProcess; line: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script], { cwd: "/" });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => reject(new Error(`unprivileged helper exited ${String(code)}: ${err}${out}`)));
  });
}

test("an unprivileged user holding the resolver's old abstract-socket lock name does not switch DNS off (issue 19, finding 6)", async (t) => {
  if (!requireSandbox(t)) return;
  const dnsDir = join(b.root, "run", "dns");
  // the name the resolver locked on before: an abstract unix socket any local user may bind
  const oldName = `\0berth-dns-${createHash("sha256").update(dnsDir).digest("hex").slice(0, 32)}`;
  const squat = await asNobody(`require("node:net").createServer().listen(${JSON.stringify(oldName)}, () => console.log("holding"))`);
  try {
    assert.equal(squat.line, "holding", "nobody binds the old name");
    b.ok("network", "create", "squatted");
    b.ok("run", "-d", "--name", "sq-a", "--network", "squatted", "sleep", "600");
    b.ok("run", "-d", "--name", "sq-b", "--network", "squatted", "sleep", "600");
    assert.equal(getent("sq-b", "sq-a"), b.ip("sq-a"), "names resolve although nobody holds the old lock name");
    // the lock now is a file in the resolver's directory, which nobody cannot even open
    const probe = await asNobody(
      `try { require("node:fs").openSync(${JSON.stringify(join(dnsDir, "resolver.lock"))}, "r"); console.log("opened") } catch (e) { console.log(e.code) }`,
    );
    assert.equal(probe.line, "EACCES");
  } finally {
    squat.child.kill("SIGKILL");
    b.run("rm", "-f", "sq-a", "sq-b");
    b.run("network", "rm", "squatted");
  }
});

test("doctor asks the resolver from inside a container: a stopped resolver is DNS_NOT_SERVING, and clean again once it runs", (t) => {
  if (!requireSandbox(t)) return;
  try {
    b.ok("network", "create", "docdns");
    b.ok("run", "-d", "--name", "dd-a", "--network", "docdns", "sleep", "600");
    const pid = Number(readFileSync(join(b.root, "run", "dns", "resolver.pid"), "utf8").trim());
    assert.ok(pid > 0, "the resolver runs");
    process.kill(pid, "SIGSTOP");
    let r;
    try {
      r = b.run("doctor", "--format", "json");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    const findings = (JSON.parse(r.stdout) as { findings: { code: string; evidence: string; fix: string }[] }).findings;
    const f = findings.find((x) => x.code === "DNS_NOT_SERVING");
    assert.ok(f, `doctor reports the stopped resolver: ${r.stdout}`);
    assert.match(f.evidence, /^a query for dd-a\.dns\.berth from inside dd-a to 10\.[0-9.]+:53 got no reply within 2000 ms$/);
    assert.equal(f.fix, `kill ${pid} (it is hung or stopped), then berth system reconcile starts a new resolver`);
    assert.equal(r.code, 1);
    const again = b.run("doctor", "--format", "json");
    assert.deepEqual(
      // notes (severity info, such as DNS_NO_UPSTREAM with the test's empty resolv.conf) are not problems
      (JSON.parse(again.stdout) as { findings: { code: string; severity: string }[] }).findings.filter(
        (x) => x.code.startsWith("DNS_") && x.severity !== "info",
      ),
      [],
      again.stdout,
    );
  } finally {
    b.run("rm", "-f", "dd-a");
    b.run("network", "rm", "docdns");
  }
});

test("a BERTH_ROOT owned by another user, or a run directory others may write, is refused with what to do (finding 12)", (t) => {
  if (!requireSandbox(t)) return;
  const other = new BerthSandbox();
  try {
    chownSync(other.root, 65534, 65534);
    const r = other.run("network", "ls");
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, new RegExp(`Refusing to use ${other.root}: the BERTH_ROOT directory is owned by uid 65534, not root`));
    assert.match(r.stderr, new RegExp(`chown root:root ${other.root} && chmod go-w ${other.root}`));
    chownSync(other.root, 0, 0);
    const run = join(other.root, "run");
    mkdirSync(run);
    chmodSync(run, 0o777);
    const w = other.run("network", "ls");
    assert.notEqual(w.code, 0, w.stdout);
    assert.match(w.stderr, /the run directory is writable by every user \(mode 777\)/);
    chmodSync(run, 0o755);
    other.ok("network", "ls");
  } finally {
    chownSync(other.root, 0, 0);
    other.dispose();
  }
});

test("a symbolic link planted as the resolver's log is never written through: run says which file to remove (finding 12)", (t) => {
  if (!requireSandbox(t)) return;
  const other = new BerthSandbox();
  const secretDir = mkdtempSync(join(tmpdir(), "berth-secret-"));
  const secret = join(secretDir, "shadow");
  writeFileSync(secret, "root:only\n", { mode: 0o600 });
  try {
    const dnsDir = join(other.root, "run", "dns");
    mkdirSync(dnsDir, { recursive: true, mode: 0o700 });
    symlinkSync(secret, join(dnsDir, "resolver.log"));
    other.ok("network", "create", "linked");
    const r = other.run("run", "-d", "--name", "l-a", "--network", "linked", "sleep", "600");
    assert.equal(readFileSync(secret, "utf8"), "root:only\n", "the link's target is untouched");
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /resolver\.log: it is a symbolic link/);
    assert.match(r.stderr, /Remove .*resolver\.log/);
    rmSync(join(dnsDir, "resolver.log"));
    other.run("rm", "-f", "l-a");
    other.ok("run", "-d", "--name", "l-b", "--network", "linked", "sleep", "600");
    other.ok("run", "-d", "--name", "l-c", "--network", "linked", "sleep", "600");
    const got = other.run("exec", "l-c", "getent", "hosts", "l-b");
    assert.equal(got.stdout.trim().split(/\s+/)[0], other.ip("l-b"), "names resolve once the link is gone");
  } finally {
    other.dispose();
    rmSync(secretDir, { recursive: true, force: true });
  }
});

test("an --internal network's containers resolve each other, and get REFUSED for outside names (finding 7)", (t) => {
  if (!requireSandbox(t)) return;
  try {
    b.ok("network", "create", "--internal", "sealed");
    b.ok("run", "-d", "--name", "s-a", "--network", "sealed", "sleep", "600");
    b.ok("run", "-d", "--name", "s-b", "--network", "sealed", "sleep", "600");
    assert.equal(getent("s-b", "s-a"), b.ip("s-a"));
    const gw = /^nameserver (\S+)$/m.exec(b.ok("exec", "s-b", "cat", "/etc/resolv.conf"))?.[1] ?? "";
    const out = b.run("exec", "s-b", "busybox", "nslookup", "example.com", gw);
    assert.match(`${out.stdout}${out.stderr}`, /REFUSED/, "refused at once, not forwarded (which would fail with SERVFAIL here, or answer)");
  } finally {
    b.run("rm", "-f", "s-a", "s-b");
    b.run("network", "rm", "sealed");
  }
});
