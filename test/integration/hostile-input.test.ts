// The smaller findings of the hostile review (issue 19), as users meet them
// through the CLI: each is refused or warned about with what to do.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO } from "../echo.js";

let b: BerthSandbox;
before(() => {
  if (inSandbox()) b = new BerthSandbox();
});
after(() => b?.dispose());

test("reserved ranges are refused as subnets and cluster CIDRs, with what the range is", (t) => {
  if (!requireSandbox(t)) return;
  const cases: [string[], RegExp][] = [
    [["--subnet", "127.0.0.0/24"], /overlaps loopback/],
    [["--subnet", "169.254.169.0/24"], /link-local .*169\.254\.169\.254/],
    [["--subnet", "224.1.0.0/24"], /multicast/],
    [["--subnet", "10.31.0.0/24", "--opt", "cluster_cidr=0.0.0.0/0"], /Cluster CIDR 0\.0\.0\.0\/0 overlaps/],
    [["--ipv6", "--subnet", "10.32.0.0/24", "--subnet", "::ffff:0:0/96"], /IPv4-mapped/],
  ];
  for (const [args, msg] of cases) {
    const r = b.run("network", "create", "reserved", ...args);
    assert.equal(r.code, 125, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
  assert.doesNotMatch(b.ok("network", "ls", "-q"), /reserved/);
});

test("an --ip-range with no address to give a container is refused", (t) => {
  if (!requireSandbox(t)) return;
  for (const range of ["10.33.0.0/32", "10.33.0.1/32", "10.33.0.255/32"]) {
    const r = b.run("network", "create", "norange", "--subnet", "10.33.0.0/24", "--ip-range", range);
    assert.equal(r.code, 125, `${range}: ${r.stderr}`);
    assert.match(r.stderr, /has no address to give a container/);
  }
  b.ok("network", "create", "norange", "--subnet", "10.33.0.0/24", "--ip-range", "10.33.0.2/32");
  b.ok("network", "rm", "norange");
});

test("-e with an invalid name exits 125 with the form to use, before anything runs", (t) => {
  if (!requireSandbox(t)) return;
  for (const bad of ["NOEQUALS", "=value", "BAD NAME=1"]) {
    const r = b.run("run", "--rm", "--network", "none", "-e", bad, "true");
    assert.equal(r.code, 125, `${bad}: ${r.stderr}`);
    assert.match(r.stderr, /Invalid environment variable/);
    assert.match(r.stderr, /-e NAME=VALUE/);
  }
  assert.equal(b.ok("ps", "-a", "-q"), "");
});

test("-p on an internal network warns that the port is dropped for other machines and networks", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "inner", "--internal");
  try {
    const r = b.run("run", "-d", "--name", "inner1", "--network", "inner", "-p", "9730:8080", ...ECHO);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Warning: network "inner" is internal: the ports published with -p are dropped/);
  } finally {
    b.run("rm", "-f", "inner1");
    b.run("network", "rm", "inner");
  }
});

test("a bridge named with a dot gets route_localnet like any other", (t) => {
  if (!requireSandbox(t)) return;
  b.ok("network", "create", "dotted", "--interface-name", "br.dot");
  try {
    b.ok("run", "-d", "--name", "dot1", "--network", "dotted", ...ECHO);
    assert.equal(readFileSync("/proc/sys/net/ipv4/conf/br.dot/route_localnet", "utf8").trim(), "1");
  } finally {
    b.run("rm", "-f", "dot1");
    b.run("network", "rm", "dotted");
  }
});
