// --dns on a network with DNS, and names checked the way the container
// resolves them: its resolv.conf, /etc/hosts and nsswitch, queried from
// inside its namespace. The outside DNS server lives in a namespace the
// test makes (test/outside.ts), never at a real address.
import { test, after } from "node:test";
import assert from "node:assert/strict";
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
  assert.match(tr.hops.find((h) => h.step === "name")?.detail ?? "", new RegExp(`database resolves to ${b.ip("database").replaceAll(".", "\\.")} on app-net, looked up as dnsc does \\(nameserver 10\\.89\\.`));
});

test("a resolv.conf edited by hand inside the container: trace says the name does not resolve, doctor flags it, reconcile restores it", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("exec", "dnsc", "sh", "-c", `echo 'nameserver ${DEAD_SERVER}' > /etc/resolv.conf`);
  const tr = traceJson("dnsc", "database:5432");
  assert.equal(tr.reachable, false, "a container that cannot resolve the name does not reach it by name");
  const name = tr.hops.at(-1);
  assert.equal(name?.step, "name");
  assert.match(name?.detail ?? "", new RegExp(`database does not resolve in dnsc: no name server of dnsc answered \\(${DEAD_SERVER.replaceAll(".", "\\.")}: database (no reply within|unreachable)`));
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
