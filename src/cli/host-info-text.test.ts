import { test } from "node:test";
import assert from "node:assert/strict";
import { hostInfoText } from "./host-info-text.js";
import type { HostInfo } from "../engine/index.js";

const info: HostInfo = {
  interfaces: [
    { name: "lo", kind: undefined, state: "up", mtu: 65536, mac: "00:00:00:00:00:00", addresses: ["127.0.0.1/8"], master: undefined },
    { name: "berth1", kind: "bridge", state: "up", mtu: 1500, mac: "02:11:22:33:44:55", addresses: ["10.89.0.1/24"], master: undefined },
    { name: "bth0123456789ab", kind: "veth", state: "up", mtu: 1500, mac: "02:aa:bb:cc:dd:ee", addresses: [], master: "berth1" },
  ],
  routes: [{ dst: "10.89.0.0/24", via: undefined, dev: "berth1" }],
  firewall: {
    table: "inet berth",
    present: true,
    chains: [{ name: "forward", hook: "forward", policy: "accept", rules: 9 }],
    sets: [{ name: "bridges", elements: 1 }],
    maps: [{ name: "dnat_any", elements: 2 }],
  },
  dns: { resolvConf: "/etc/resolv.conf", hostNameservers: ["192.0.2.53"], resolverPid: 77, listening: ["10.89.0.1:53/udp", "10.89.0.1:53/tcp"] },
  sysctls: { "net.ipv4.ip_forward": "1", "net.bridge.bridge-nf-call-iptables": undefined },
  berth: { networks: [{ name: "web", bridge: "berth1", subnet: "10.89.0.0/24", gateway: "10.89.0.1", dns: true, containers: 1 }], containers: 1, running: 1 },
};

test("hostInfoText() shows each section with the bridge, its gateway address, ports' master, table counts, DNS and sysctls", () => {
  const t = hostInfoText(info);
  assert.match(t, /^ {2}berth1 +bridge +up +1500 +02:11:22:33:44:55 +- +10\.89\.0\.1\/24$/m);
  assert.match(t, /^ {2}bth0123456789ab +veth .* berth1 +-$/m);
  assert.match(t, /chains: forward \(hook forward, policy accept\): 9 rules/);
  assert.match(t, /maps \(elements\): dnat_any 2/);
  assert.match(t, /resolver: pid 77\n {2}listening on: 10\.89\.0\.1:53\/udp, 10\.89\.0\.1:53\/tcp/);
  assert.match(t, /net\.bridge\.bridge-nf-call-iptables = \(absent\)/);
  assert.match(t, /^Berth: 1 network, 1 container \(1 running\)$/m);
  assert.match(t, /^ {2}web +berth1 +10\.89\.0\.0\/24 +10\.89\.0\.1 +on +1$/m);
});

test("a missing table says how to get it back; before the first network it is simply not there yet", () => {
  assert.match(hostInfoText({ ...info, firewall: { table: "inet berth", present: false } }), /table inet berth is missing \(run `berth system reconcile`\)/);
  const fresh = hostInfoText({ ...info, firewall: { table: "inet berth", present: false }, berth: { networks: [], containers: 0, running: 0 } });
  assert.match(fresh, /table inet berth not created yet/);
});
