import { test } from "node:test";
import assert from "node:assert/strict";
import { probeMatchText, renderDeleteProbeTables, renderProbeTables, replyMatchText, staleProbeTables } from "./probe-tables.js";

const TCP = { proto: "tcp", src: "10.89.0.4", dst: "198.51.100.2", sport: 61234, dport: 80, cookie: 0x1a2b3c4d } as const;

test("the probe is matched exactly: addresses, ports and its cookie (TCP sequence number, or UDP payload)", () => {
  assert.equal(probeMatchText(TCP), "ip saddr 10.89.0.4 ip daddr 198.51.100.2 tcp sport 61234 tcp dport 80 tcp sequence 0x1a2b3c4d");
  assert.equal(
    probeMatchText({ ...TCP, proto: "udp", dport: 53, cookie: 7 }),
    "ip saddr 10.89.0.4 ip daddr 198.51.100.2 udp sport 61234 udp dport 53 @th,64,32 0x00000007",
  );
  assert.match(replyMatchText(TCP), /^meta nfproto ipv4 ct direction reply ct original protocol tcp ct original proto-src 61234 ct original proto-dst 80 /);
});

test("renderProbeTables() adds a first chain at every hook of inet and bridge, tracing only the probe; the delete script is idempotent", () => {
  const s = renderProbeTables("berth_probe_42", TCP);
  for (const family of ["inet", "bridge"]) {
    assert.match(s, new RegExp(`^table ${family} berth_probe_42 \\{$`, "m"));
  }
  assert.equal(s.match(/priority -2147483648; policy accept;/g)?.length, 10, "five hooks in each family");
  assert.equal(s.match(/meta nftrace set 1/g)?.length, 5, "inet prerouting and output, bridge prerouting, two reply chains");
  assert.equal(
    renderDeleteProbeTables("berth_probe_42"),
    "add table inet berth_probe_42\ndelete table inet berth_probe_42\nadd table bridge berth_probe_42\ndelete table bridge berth_probe_42\n",
  );
});

test("renderProbeTables() refuses what is not an address, a port or a 32-bit cookie", () => {
  assert.throws(() => renderProbeTables("t", { ...TCP, src: "10.0.0.1; flush ruleset" }), /not an IPv4 address|Invalid|INVALID/i);
  assert.throws(() => renderProbeTables("t", { ...TCP, dport: 70000 }), /outside 1-65535/);
  assert.throws(() => renderProbeTables("t", { ...TCP, cookie: 2 ** 33 }), /not 32 bits/);
});

test("staleProbeTables() names probe tables whose berth process is gone, not live ones or others", () => {
  const gone = 2 ** 22 + 12345; // above pid_max's default: no such process
  const tables = [
    { family: "inet", name: `berth_probe_${process.pid}` },
    { family: "inet", name: `berth_probe_${gone}` },
    { family: "bridge", name: `berth_probe_${gone}` },
    { family: "inet", name: "berth" },
  ];
  assert.deepEqual(staleProbeTables(tables), [`berth_probe_${gone}`]);
});
