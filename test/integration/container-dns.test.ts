// Name resolution between berth containers, through the embedded resolver.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";

let b: BerthSandbox;

before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => {
  if (b) b.dispose();
});

function getent(ctr: string, name: string): string | undefined {
  const r = b.run("exec", ctr, "getent", "hosts", name);
  return r.code === 0 ? r.stdout.trim().split(/\s+/)[0] : undefined;
}

test("containers on a custom network resolve each other by name, alias, short id and FQDN; others cannot", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "app-net");
  b.ok("network", "create", "elsewhere");
  b.ok("run", "-d", "--name", "database", "--network", "app-net", "--network-alias", "db", "sleep", "600");
  b.ok("run", "-d", "--name", "webapp", "--network", "app-net", "--add-host", "extra.test:10.1.2.3", "sleep", "600");
  b.ok("run", "-d", "--name", "stranger", "--network", "elsewhere", "sleep", "600");
  // no upstream is reachable from the sandbox: fail fast instead of waiting out the resolver's retries
  b.ok("run", "-d", "--name", "plain", "--dns-option", "timeout:1", "--dns-option", "attempts:1", "sleep", "600");
  const dbIp = b.ip("database");
  const shortId = b.ok("inspect", "-f", "{{.Id}}", "database").trim().slice(0, 12);
  // glibc never asks DNS for an all-digit name (it is taken as an address), so such a short id is skipped
  const names = ["database", "DATABASE", "db", "database.dns.berth", ...(/^[0-9]+$/.test(shortId) ? [] : [shortId])];
  for (const name of names) {
    assert.equal(getent("webapp", name), dbIp, `webapp resolves ${name}`);
  }
  assert.equal(b.run("exec", "webapp", "ping", "-c1", "-W2", "database").code, 0, "ping by name");
  assert.equal(getent("stranger", "database"), undefined, "no cross-network leak");
  assert.equal(getent("stranger", "db.dns.berth"), undefined, "no cross-network leak of aliases");
  assert.equal(getent("plain", "database"), undefined, "the default network has no name resolution");
  const resolv = b.ok("exec", "webapp", "cat", "/etc/resolv.conf");
  assert.match(resolv, /^search dns\.berth$/m);
  assert.match(resolv, /^nameserver 10\.89\.[0-9]+\.1$/m);
  assert.doesNotMatch(b.ok("exec", "plain", "cat", "/etc/resolv.conf"), /dns\.berth/);
  assert.equal(getent("webapp", "extra.test"), "10.1.2.3", "--add-host shows up in /etc/hosts");
  // not an open resolver: the host (or anything else that is not a container on the network) is refused
  const gw = /^nameserver (\S+)$/m.exec(resolv)?.[1] ?? "";
  const fromHost = spawnSync("busybox", ["nslookup", "database", gw], { encoding: "utf8" });
  assert.doesNotMatch(fromHost.stdout, new RegExp(dbIp.replaceAll(".", "\\.")), "the host gets no answer");
  assert.match(`${fromHost.stdout}${fromHost.stderr}`, /REFUSED/i, "the host is refused");
});

test("--dns servers are written for a container on the default network", (t) => {
  if (!requireSandbox(t)) return;
  const r = b.ok("run", "--rm", "--dns", "192.0.2.53", "--dns-search", "example.test", "--dns-option", "ndots:2", "cat", "/etc/resolv.conf");
  assert.match(r, /^nameserver 192\.0\.2\.53$/m);
  assert.match(r, /^search example\.test$/m);
  assert.match(r, /^options ndots:2$/m);
});

test("a container that joins later is resolvable at once, without restarting the resolver", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("run", "-d", "--name", "latecomer", "--network", "app-net", "sleep", "600");
  assert.equal(getent("webapp", "latecomer"), b.ip("latecomer"));
  b.ok("network", "connect", "--alias", "bridgehead", "app-net", "stranger");
  assert.ok(getent("webapp", "bridgehead"), "an alias given at connect resolves");
  b.ok("rm", "-f", "latecomer");
  assert.equal(getent("webapp", "latecomer.dns.berth"), undefined, "a removed container is gone from DNS");
});
