// berth port --audit: where published ports can really be reached from, checked
// against real connections, including the trap every engine's users fall into:
// an input-chain firewall with policy drop does not protect a published port.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { BerthSandbox } from "../berth-cli.js";
import { inSandbox, requireSandbox } from "../helpers.js";
import { ECHO, ask } from "../echo.js";
import { HOST_ADDR, HOST_ADDR2, OUTSIDE_ADDR, makeOutside, type Outside } from "../outside.js";
import { macOf, rawSyn } from "../raw-syn.js";

let b: BerthSandbox;
let outside: Outside | undefined;

before(() => {
  if (!inSandbox()) return;
  b = new BerthSandbox();
  outside = makeOutside(b.root);
});
after(() => {
  if (!b) return;
  spawnSync("nft", ["delete", "table", "inet", "hostfw"]);
  outside?.remove();
  b.dispose();
});

interface Audit {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly loopback: boolean;
  readonly hostAddresses: { ip: string; ifname: string }[];
  readonly fromOtherMachines: { ip: string; ifname: string }[];
  readonly fromOtherNetworks: boolean;
  readonly localhostGuard: boolean;
  readonly firewall: string[];
}

function audit(): Audit[] {
  return JSON.parse(b.ok("port", "--audit", "--format", "json")) as Audit[];
}

test("port --audit says where each published port answers, and it does exactly there", (t) => {
  if (!requireSandbox(t) || !outside) return;
  b.ok("run", "-d", "--name", "web", "-p", "9800:8080", "-p", `${HOST_ADDR}:9801:8080`, "-p", "127.0.0.1:9802:8080", ...ECHO);
  spawnSync("sleep", ["0.5"]);
  const byPort = new Map(audit().map((a) => [a.hostPort, a]));
  const any = byPort.get(9800);
  assert.ok(any?.loopback);
  assert.deepEqual(any.fromOtherMachines.map((a) => a.ip).sort(), [HOST_ADDR, HOST_ADDR2]);
  assert.ok(any.fromOtherNetworks);
  assert.equal(ask("tcp", HOST_ADDR2, 9800, outside.ns), OUTSIDE_ADDR, "0.0.0.0: the other host address answers too");
  const one = byPort.get(9801);
  assert.equal(one?.loopback, false);
  assert.deepEqual(
    one.fromOtherMachines.map((a) => a.ip),
    [HOST_ADDR],
  );
  assert.equal(ask("tcp", HOST_ADDR, 9801, outside.ns), OUTSIDE_ADDR);
  assert.equal(ask("tcp", HOST_ADDR2, 9801, outside.ns, 1000), undefined, "as audited: not on the other address");
  const local = byPort.get(9802);
  assert.equal(local?.loopback, true);
  assert.deepEqual(local.fromOtherMachines, []);
  assert.equal(local.fromOtherNetworks, false);
  assert.ok(ask("tcp", "127.0.0.1", 9802), "127.0.0.1 publish answers on loopback");
  assert.equal(ask("tcp", HOST_ADDR, 9802, outside.ns, 1000), undefined, "and not from outside");
  const text = b.ok("port", "--audit", "web");
  assert.match(text, /^tcp 0\.0\.0\.0:9800 -> web [0-9.]+:8080$/m);
  assert.match(text, /other machines: +yes, anyone who can route to 198\.51\.100\.1 \(vhost0\), 198\.51\.100\.3 \(vhost0\)/);
});

test("an input-chain firewall with policy drop does not protect a published port: audit says so, and it is true", (t) => {
  if (!requireSandbox(t) || !outside) return;
  spawnSync("nft", ["add", "table", "inet", "hostfw"]);
  assert.equal(spawnSync("nft", ["add", "chain", "inet", "hostfw", "inbound", "{ type filter hook input priority 0; policy drop; }"]).status, 0);
  const a = audit().find((x) => x.hostPort === 9800);
  assert.match(a?.firewall.join("\n") ?? "", /table inet hostfw chain inbound \(hook input, policy drop\) does not protect this port: .*prerouting/);
  assert.equal(ask("tcp", HOST_ADDR, 9800, outside.ns), OUTSIDE_ADDR, "the published port still answers from outside");
  assert.equal(audit().find((x) => x.hostPort === 9802)?.firewall.length, 0, "a loopback-only port is not exposed, so nothing to say");
  spawnSync("nft", ["delete", "table", "inet", "hostfw"]);
  b.ok("rm", "-f", "web");
  assert.equal(b.ok("port", "--audit"), "No published ports.\n");
});

test("port --audit on a 127.0.0.1 port is true both ways: raw packets to 127.0.0.1 from the link get nothing while the guard chain is there, and are answered (and audited so) when it is gone", (t) => {
  if (!requireSandbox(t) || !outside) return;
  b.ok("run", "-d", "--name", "lo-web", "-p", "127.0.0.1:9803:8080", ...ECHO);
  try {
    spawnSync("sleep", ["0.5"]);
    const syn = () => rawSyn(outside!.ns, { ifname: "vout0", dstMac: macOf("vhost0"), srcIp: OUTSIDE_ADDR, dstIp: "127.0.0.1", dstPort: 9803 });
    const guarded = audit().find((a) => a.hostPort === 9803);
    assert.equal(guarded?.localhostGuard, true);
    assert.deepEqual(guarded.fromOtherMachines, []);
    assert.equal(guarded.fromOtherNetworks, false);
    assert.match(b.ok("port", "--audit", "lo-web"), /other machines: +no \(127\.0\.0\.0\/8 from outside lo is dropped: chain localhost_guard\)/);
    assert.equal(syn(), "none", "as audited: a raw SYN to 127.0.0.1 from the link gets no answer");
    // someone flushes Berth's guard chain: the audit must say the port is exposed, and it is
    assert.equal(spawnSync("nft", ["flush", "chain", "inet", "berth", "localhost_guard"]).status, 0);
    const open = audit().find((a) => a.hostPort === 9803);
    assert.equal(open?.localhostGuard, false);
    assert.deepEqual(open.fromOtherMachines.map((a) => a.ip).sort(), [HOST_ADDR, HOST_ADDR2]);
    assert.equal(open.fromOtherNetworks, true);
    const text = b.ok("port", "--audit", "lo-web");
    assert.match(text, /other machines: +yes, raw packets to 127\.0\.0\.1 from neighbours of 198\.51\.100\.1 \(vhost0\)/);
    assert.match(text, /firewall: chain inet berth localhost_guard is missing or incomplete.*berth system reconcile/);
    assert.equal(syn(), "syn-ack", "as audited: without the guard, the link reaches the 127.0.0.1 port");
    b.ok("system", "reconcile");
    assert.equal(audit().find((a) => a.hostPort === 9803)?.localhostGuard, true, "reconcile restores the guard");
    assert.equal(syn(), "none");
  } finally {
    b.run("rm", "-f", "lo-web");
  }
});
