// --dns on a network with DNS, and names checked the way the container
// resolves them: its resolv.conf, /etc/hosts and nsswitch, queried from
// inside its namespace. The outside DNS server lives in a namespace the
// test makes (test/outside.ts), never at a real address.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BerthSandbox } from "../berth-cli.js";
import { requireSandbox } from "../helpers.js";
import { OUTSIDE_ADDR, sandboxWithOutside, type Outside } from "../outside.js";
import { startOutsideDns, type OutsideDns } from "../outside-dns.js";

/** What the outside server answers for every name. */
const OUTSIDE_ANSWER = "203.0.113.77";
/** An address on the outside link where nothing lives: queries to it go unanswered. */
const DEAD_SERVER = "198.51.100.9";

let b: BerthSandbox;
let outside: Outside;
let dns: OutsideDns | undefined;
sandboxWithOutside({ defaultRoute: true }, (sandbox, o) => {
  b = sandbox;
  outside = o;
});
after(async () => {
  await dns?.stop();
});

interface Trace {
  readonly reachable: boolean;
  readonly verdict: string;
  readonly hops: { step: string; ok: boolean; detail: string; fix?: string }[];
}

function traceJson(...args: string[]): Trace {
  const r = b.run("trace", "--format", "json", ...args);
  return JSON.parse(r.stdout) as Trace;
}

function sh(...argv: string[]): void {
  const r = spawnSync(argv[0] ?? "", argv.slice(1), { encoding: "utf8" });
  assert.equal(r.status, 0, `${argv.join(" ")}: ${r.stderr}`);
}

function getent(ctr: string, name: string): string | undefined {
  const r = b.run("exec", ctr, "getent", "hosts", name);
  return r.code === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined;
}

test("--dns on a DNS network keeps Berth's resolver in resolv.conf and forwards outside names to the --dns server", async (t) => {
  if (!requireSandbox(t)) return;
  dns = await startOutsideDns(outside.ns, OUTSIDE_ADDR, OUTSIDE_ANSWER);
  b.ok("network", "create", "app-net");
  b.ok("run", "-d", "--name", "database", "--network", "app-net", "busybox", "httpd", "-f", "-p", "5432", "-h", "/tmp");
  b.ok("run", "-d", "--name", "dnsc", "--network", "app-net", "--dns", OUTSIDE_ADDR, "sleep", "600");
  const resolv = b.ok("exec", "dnsc", "cat", "/etc/resolv.conf");
  assert.match(resolv, /^nameserver 10\.89\.[0-9]+\.1$/m, "the resolver (the gateway) is the name server");
  assert.doesNotMatch(resolv, new RegExp(`nameserver ${OUTSIDE_ADDR}`), "the --dns server is the resolver's upstream, not in resolv.conf");
  assert.equal(getent("dnsc", "database"), b.ip("database"), "container names resolve");
  assert.equal(getent("dnsc", "www.example.test"), OUTSIDE_ANSWER, "outside names are forwarded to the --dns server");
  const tr = traceJson("dnsc", "database:5432");
  assert.ok(tr.reachable, tr.verdict);
  assert.match(
    tr.hops.find((h) => h.step === "name")?.detail ?? "",
    new RegExp(`database resolves to ${b.ip("database").replaceAll(".", "\\.")} on app-net, looked up as dnsc does \\(nameserver 10\\.89\\.`),
  );
});

test("a resolv.conf edited by hand inside the container: trace says the name does not resolve, doctor flags it, reconcile restores it", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("exec", "dnsc", "sh", "-c", `echo 'nameserver ${DEAD_SERVER}' > /etc/resolv.conf`);
  const tr = traceJson("dnsc", "database:5432");
  assert.equal(tr.reachable, false, "a container that cannot resolve the name does not reach it by name");
  const name = tr.hops.at(-1);
  assert.equal(name?.step, "name");
  assert.match(
    name?.detail ?? "",
    new RegExp(
      `database does not resolve in dnsc: no name server of dnsc answered \\(${DEAD_SERVER.replaceAll(".", "\\.")}: database (no reply within|unreachable)`,
    ),
  );
  assert.match(name?.detail ?? "", /not Berth's resolver at 10\.89\./);
  assert.match(name?.fix ?? "", /berth system reconcile/);
  const doc = JSON.parse(b.run("doctor", "dnsc", "--format", "json").stdout) as { findings: { code: string; evidence: string }[] };
  const codes = doc.findings.map((f) => f.code);
  assert.ok(codes.includes("CONTAINER_RESOLV_CONF"), codes.join(" "));
  assert.match(doc.findings.find((f) => f.code === "CONTAINER_DNS_NO_ANSWER")?.evidence ?? "", new RegExp(`to ${DEAD_SERVER.replaceAll(".", "\\.")}:53/udp`));
  const rec = b.ok("system", "reconcile");
  assert.match(rec, /rewrote \/etc\/resolv\.conf of dnsc/);
  assert.ok(traceJson("dnsc", "database:5432").reachable, "the fix the trace gave works");
  assert.equal(getent("dnsc", "database"), b.ip("database"));
});

test("on a network without DNS, --dns goes into resolv.conf directly", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "--disable-dns", "plain-net");
  const r = b.ok("run", "--rm", "--network", "plain-net", "--dns", OUTSIDE_ADDR, "cat", "/etc/resolv.conf");
  assert.match(r, new RegExp(`^nameserver ${OUTSIDE_ADDR.replaceAll(".", "\\.")}$`, "m"));
  b.ok("rm", "-f", "dnsc", "database");
  b.ok("network", "rm", "app-net", "plain-net");
});

test('"no internet" is diagnosable: trace to an outside name walks route, forwarding, masquerade, upstream DNS and the host\'s route, and names the first broken hop', async (t) => {
  if (!requireSandbox(t)) return;
  // the resolver's upstream is the outside server (the sandbox inherits a resolv.conf naming a server it cannot reach)
  const resolvConf = join(b.root, "host-resolv.conf");
  writeFileSync(resolvConf, `nameserver ${OUTSIDE_ADDR}\n`);
  b.env["BERTH_RESOLV_CONF"] = resolvConf;
  b.ok("network", "create", "out-net");
  b.ok("run", "-d", "--name", "surfer", "--network", "out-net", "sleep", "600");
  try {
    const noRoute = traceJson("surfer", "www.example.test:80");
    assert.deepEqual(
      noRoute.hops.map((h) => `${h.step}:${h.ok}`),
      ["source:true", "default route:true", "forwarding:true", "masquerade:true", "upstream DNS:true", "name:true", "host route:false"],
      noRoute.verdict,
    );
    assert.match(
      noRoute.hops.find((h) => h.step === "upstream DNS")?.detail ?? "",
      new RegExp(`${OUTSIDE_ADDR.replaceAll(".", "\\.")} answered ${OUTSIDE_ANSWER.replaceAll(".", "\\.")}`),
    );
    assert.match(noRoute.verdict, new RegExp(`breaks at host route: the host has no route to ${OUTSIDE_ANSWER.replaceAll(".", "\\.")}`));
    assert.match(noRoute.hops.at(-1)?.fix ?? "", /ip route add default via/);

    sh("ip", "route", "add", "default", "via", OUTSIDE_ADDR);
    const ok = traceJson("surfer", "www.example.test:80");
    assert.ok(ok.reachable, ok.verdict);
    assert.match(ok.verdict, /leaves the host through vhost0/);
    assert.ok(traceJson("surfer", `${OUTSIDE_ADDR}:53/udp`).reachable, "an outside address with a port");

    sh("sysctl", "-qw", "net.ipv4.ip_forward=0");
    try {
      const off = traceJson("surfer", "www.example.test");
      assert.match(off.verdict, /^breaks at forwarding: net\.ipv4\.ip_forward = 0/);
      assert.equal(off.hops.at(-1)?.fix, "sysctl -w net.ipv4.ip_forward=1");
    } finally {
      sh("sysctl", "-qw", "net.ipv4.ip_forward=1");
    }

    await dns?.stop();
    dns = undefined;
    const dead = traceJson("surfer", "www.example.test:80");
    assert.match(
      dead.verdict,
      new RegExp(
        `^breaks at upstream DNS: no upstream server answers Berth's resolver \\(from the host's ${resolvConf.replaceAll(".", "\\.")}\\): ${OUTSIDE_ADDR.replaceAll(".", "\\.")} (unreachable: connection refused|no reply within)`,
      ),
    );
    const doc = JSON.parse(b.run("doctor", "surfer", "--format", "json").stdout) as { findings: { code: string; summary: string }[] };
    assert.match(
      doc.findings.find((f) => f.code === "DNS_UPSTREAM_UNREACHABLE")?.summary ?? "",
      new RegExp(`Upstream DNS server ${OUTSIDE_ADDR.replaceAll(".", "\\.")} does not answer: .* in surfer`),
    );
  } finally {
    spawnSync("ip", ["route", "del", "default"]);
    b.run("rm", "-f", "surfer");
    b.run("network", "rm", "out-net");
  }
});
