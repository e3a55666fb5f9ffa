// The resolver against local users and broken states, through the CLI as
// users run it (issue 19): an unprivileged user cannot switch DNS off by
// taking the resolver's lock first, and doctor sees a resolver that does
// not answer the way a container does, by asking it from inside one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;
const children: ChildProcess[] = [];

before(() => {
  if (inSandbox()) b = new BerthSandbox();
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
    child.on("exit", (code) => reject(new Error(`unprivileged helper exited ${code}: ${err}${out}`)));
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
    const probe = await asNobody(`try { require("node:fs").openSync(${JSON.stringify(join(dnsDir, "resolver.lock"))}, "r"); console.log("opened") } catch (e) { console.log(e.code) }`);
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
    assert.deepEqual((JSON.parse(again.stdout) as { findings: { code: string }[] }).findings.filter((x) => x.code.startsWith("DNS_")), [], again.stdout);
  } finally {
    b.run("rm", "-f", "dd-a");
    b.run("network", "rm", "docdns");
  }
});
