import { test } from "node:test";
import assert from "node:assert/strict";
import { linkLocalOf, renderGuardPorts, renderSpoofBase, renderUnguardPorts, SPOOF_RULES } from "./render-spoof.js";

const port = { port: "bth0123456789ab", mac: "02:11:22:33:44:55", ips: ["10.1.0.2"], ips6: ["fd00::2"] };

test("linkLocalOf() is the kernel's EUI-64 address of a MAC (universal/local bit flipped, ff:fe in the middle)", () => {
  assert.equal(linkLocalOf("02:11:22:33:44:55"), "fe80::11:22ff:fe33:4455");
  assert.equal(linkLocalOf("92:D0:C6:0A:29:33"), "fe80::90d0:c6ff:fe0a:2933");
});

test("guarding a port is element inserts only, its MAC, addresses (link-local included) and ND targets, the port listed last", () => {
  const script = renderGuardPorts([port]);
  assert.doesNotMatch(script, /\b(rule|chain|flush)\b/, "no rule changes");
  const lines = script.trim().split("\n");
  assert.deepEqual(lines, [
    `add element bridge berth port_macs { "bth0123456789ab" . 02:11:22:33:44:55 }`,
    `add element bridge berth port_ips { "bth0123456789ab" . 10.1.0.2 }`,
    `add element bridge berth port_ips6 { "bth0123456789ab" . fd00::2, "bth0123456789ab" . fe80::11:22ff:fe33:4455 }`,
    `add element bridge berth port_nd_targets { "bth0123456789ab" . 0xfd000000000000000000000000000002, "bth0123456789ab" . 0xfe80000000000000001122fffe334455 }`,
    `add element bridge berth guarded_ports { "bth0123456789ab" }`,
  ]);
});

test("unguarding adds then deletes (a missing element cannot fail it), the port first out", () => {
  const lines = renderUnguardPorts([port]).trim().split("\n");
  assert.equal(lines.length, 10);
  assert.match(lines[5] ?? "", /^delete element bridge berth guarded_ports /);
});

test("nothing unvalidated reaches a script: bad port names, MACs and addresses are refused", () => {
  assert.throws(() => renderGuardPorts([{ ...port, port: 'x"; flush ruleset' }]), /Invalid bridge port name/);
  assert.throws(() => renderGuardPorts([{ ...port, mac: "01:00:5e:00:00:01" }]), /multicast/);
  assert.throws(() => renderGuardPorts([{ ...port, ips: ["10.1.0.2 } drop"] }]), /Invalid/);
  assert.throws(() => renderGuardPorts([{ ...port, ips6: ["fd00::zz"] }]), /Invalid/);
});

test("the base declares the table, its sets and the chain on bridge prerouting, and refills the chain", () => {
  const base = renderSpoofBase();
  assert.match(base, /^add table bridge berth/m);
  assert.match(base, /add chain bridge berth port_guard \{ type filter hook prerouting priority -300; policy accept; \}/);
  assert.match(base, /^flush chain bridge berth port_guard$/m);
  assert.equal((base.match(/^add rule /gm) ?? []).length, SPOOF_RULES);
});
