import { test } from "node:test";
import assert from "node:assert/strict";
import { parseNetworkMode, planRun } from "./run-options.js";
import { BerthError } from "../../errors.js";

test("parseNetworkMode() reads the seed's forms", () => {
  assert.deepEqual(parseNetworkMode([], {}), { kind: "bridge", networks: [{ network: "bridge", aliases: [] }] });
  assert.deepEqual(parseNetworkMode(["host"], {}), { kind: "host" });
  assert.deepEqual(parseNetworkMode(["none"], {}), { kind: "none" });
  assert.deepEqual(parseNetworkMode(["container:web1"], {}), { kind: "container", target: "web1" });
  assert.deepEqual(parseNetworkMode(["mynetwork,public"], {}), {
    kind: "bridge",
    networks: [
      { network: "mynetwork", aliases: [] },
      { network: "public", aliases: [] },
    ],
  });
  assert.deepEqual(parseNetworkMode(["a", "b"], { aliases: ["db"] }), {
    kind: "bridge",
    networks: [
      { network: "a", aliases: ["db"] },
      { network: "b", aliases: ["db"] },
    ],
  });
});

test("parseNetworkMode() takes per-network ip, mac and alias options", () => {
  assert.deepEqual(parseNetworkMode(["a:ip=10.89.0.5,mac=92:d0:c6:0a:29:33,alias=x", "b"], {}), {
    kind: "bridge",
    networks: [
      { network: "a", ip: "10.89.0.5", mac: "92:d0:c6:0a:29:33", aliases: ["x"] },
      { network: "b", aliases: [] },
    ],
  });
  assert.deepEqual(parseNetworkMode(["a"], { ip: "10.89.0.7" }), { kind: "bridge", networks: [{ network: "a", ip: "10.89.0.7", aliases: [] }] });
});

test("parseNetworkMode() refuses contradictions with a hint", () => {
  const bad: [string[], object, RegExp][] = [
    [["host,a"], {}, /cannot be combined/],
    [["none"], { ip: "10.0.0.2" }, /need a bridge network/],
    [["a,b"], { ip: "10.0.0.2" }, /apply to one network/],
    [["a,a"], {}, /given twice/],
    [["a:speed=fast"], {}, /Unknown network option/],
    [["container:"], {}, /needs a container name/],
    [["a:ip=1.2.3"], {}, /Invalid IPv4 address/],
  ];
  for (const [values, opts, re] of bad) {
    assert.throws(
      () => parseNetworkMode(values, opts),
      (e: unknown) => e instanceof BerthError && re.test(e.message) && (e.hint ?? "").length > 0,
      values.join(" "),
    );
  }
});

test("planRun() validates names, hosts and DNS settings before anything runs", () => {
  const p = planRun({ command: ["sleep", "1"], name: "web", dns: ["8.8.8.8"], dnsSearch: ["example.com"], dnsOptions: ["ndots:2"], addHosts: ["db:10.0.0.5"] });
  assert.equal(p.name, "web");
  assert.deepEqual(p.dns, { servers: ["8.8.8.8"], search: ["example.com"], options: ["ndots:2"] });
  assert.deepEqual(p.extraHosts, [{ name: "db", ip: "10.0.0.5" }]);
  assert.throws(() => planRun({ command: [] }), /needs a command/);
  assert.throws(() => planRun({ command: ["x"], addHosts: ["nohost"] }), /Invalid --add-host/);
  assert.throws(() => planRun({ command: ["x"], dns: ["8.8.8"] }), /Invalid IPv4 DNS server/);
  assert.throws(() => planRun({ command: ["x"], dnsOptions: ["bad option"] }), /Invalid --dns-option/);
  assert.throws(() => planRun({ command: ["x"], hostname: "-bad" }), /Invalid hostname/);
});

test("planRun() refuses -e entries the runtime would refuse, with the form to use", () => {
  for (const bad of ["NOEQUALS", "=value", "BAD NAME=1", "A\nB=1", "TAB\t=1"]) {
    assert.throws(
      () => planRun({ command: ["true"], env: [bad] }),
      (e: unknown) =>
        e instanceof BerthError && e.code === "INVALID_ARGUMENT" && /Invalid environment variable/.test(e.message) && /-e NAME=VALUE/.test(e.hint ?? ""),
      JSON.stringify(bad),
    );
  }
  assert.doesNotThrow(() => planRun({ command: ["true"], env: ["A=", "B_2=x=y", "lower=ok"] }));
});
