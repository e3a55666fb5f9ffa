import { test } from "node:test";
import assert from "node:assert/strict";
import { renderBaseTable } from "./render-base.js";

const lines = () => renderBaseTable().trimEnd().split("\n");
const rulesOf = (chain: string) =>
  lines()
    .filter((l) => l.startsWith(`add rule inet berth ${chain} `))
    .map((l) => l.slice(`add rule inet berth ${chain} `.length));

test("renderBaseTable() only adds declarations, so re-running keeps existing sets and map elements", () => {
  const decl = lines().filter((l) => !l.startsWith("add rule") && !l.startsWith("flush chain"));
  assert.ok(
    decl.every((l) => l.startsWith("add ")),
    decl.join("\n"),
  );
  assert.ok(!renderBaseTable().includes("flush set") && !renderBaseTable().includes("flush map"));
  assert.equal(renderBaseTable(), renderBaseTable(), "deterministic");
});

test("renderBaseTable() flushes each base chain right before refilling it (no duplicate rules on re-run)", () => {
  const l = lines();
  for (const chain of ["localhost_guard", "forward", "prerouting", "output", "postrouting"]) {
    const flush = l.indexOf(`flush chain inet berth ${chain}`);
    const decl = l.findIndex((x) => x.startsWith(`add chain inet berth ${chain} {`));
    const firstRule = l.findIndex((x) => x.startsWith(`add rule inet berth ${chain} `));
    assert.ok(decl >= 0 && flush > decl && firstRule > flush, chain);
  }
});

test("renderBaseTable() declares the hooks with the expected types and priorities", () => {
  const t = renderBaseTable();
  assert.match(t, /add chain inet berth forward \{ type filter hook forward priority filter; policy accept; \}/);
  assert.match(t, /add chain inet berth prerouting \{ type nat hook prerouting priority dstnat; policy accept; \}/);
  assert.match(t, /add chain inet berth output \{ type nat hook output priority -100; policy accept; \}/);
  assert.match(t, /add chain inet berth postrouting \{ type nat hook postrouting priority srcnat; policy accept; \}/);
  assert.match(t, /add map inet berth dnat_addr \{ type inet_proto \. ipv4_addr \. inet_service : ipv4_addr \. inet_service;/);
  assert.match(t, /add map inet berth dnat_any \{ type inet_proto \. inet_service : ipv4_addr \. inet_service;/);
});

test("localhost_guard: before conntrack and NAT, loopback addresses (both ways, both families) are dropped unless they arrive on lo", () => {
  assert.match(renderBaseTable(), /add chain inet berth localhost_guard \{ type filter hook prerouting priority -300; policy accept; \}/);
  const r = rulesOf("localhost_guard");
  assert.deepEqual(
    r.map((x) => x.replace(/ comment ".*"$/, "")),
    [
      `iifname != "lo" ip daddr 127.0.0.0/8 drop`,
      `iifname != "lo" ip saddr 127.0.0.0/8 drop`,
      `iifname != "lo" ip6 daddr ::1 drop`,
      `iifname != "lo" ip6 saddr ::1 drop`,
    ],
  );
});

test("forward: replies, then same bridge, then internal drops, then published ports, then isolation, then going out, then in from the cluster CIDR", () => {
  const r = rulesOf("forward");
  const at = (prefix: string) => {
    const i = r.findIndex((x) => x.startsWith(prefix));
    assert.ok(i >= 0, `missing rule starting "${prefix}"`);
    return i;
  };
  const order = [
    at("ct state established,related accept"),
    at("iifname . oifname @same_bridge accept"),
    at("iifname @internal_bridges drop"),
    at("oifname @internal_bridges drop"),
    at("ct status dnat oifname @bridges accept"),
    at("iifname @isolated_bridges oifname @bridges drop"),
    at("iifname @bridges oifname @isolated_bridges drop"),
    at("iifname @isolated_peer_bridges oifname @isolated_peer_bridges drop"),
    at("iifname @bridges accept"),
    at("ip daddr . ip saddr @cluster_peers accept"),
    at("ip6 daddr . ip6 saddr @cluster_peers6 accept"),
    at("ip daddr . ip saddr @node_peers accept"),
    at("ip6 daddr . ip6 saddr @node_peers6 accept"),
    at("oifname @bridges drop"),
  ];
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
  assert.equal(r.length, order.length);
});

test("prerouting and output DNAT through the maps: per family, the one-address map first, the any-address map only for local destinations (never ::1)", () => {
  for (const chain of ["prerouting", "output"]) {
    const r = rulesOf(chain).filter((x) => !x.includes("ct label set"));
    assert.equal(r.length, 4);
    assert.match(r[0] ?? "", /dnat ip to meta l4proto \. ip daddr \. th dport map @dnat_addr /);
    assert.match(r[1] ?? "", /fib daddr type local dnat ip to meta l4proto \. th dport map @dnat_any /);
    assert.match(r[2] ?? "", /dnat ip6 to meta l4proto \. ip6 daddr \. th dport map @dnat_addr6 /);
    assert.match(r[3] ?? "", /ip6 daddr != ::1 .*fib daddr type local dnat ip6 to meta l4proto \. th dport map @dnat_any6 /);
  }
});

test("postrouting masquerades outbound traffic (not to the cluster CIDR), localhost and hairpin traffic, and nothing else", () => {
  const r = rulesOf("postrouting");
  assert.equal(r.length, 5);
  assert.match(r[0] ?? "", /^ip saddr @nat_subnets oifname != @bridges ip saddr \. ip daddr != @cluster_peers masquerade/);
  assert.match(r[1] ?? "", /^ip saddr 127\.0\.0\.0\/8 oifname @bridges masquerade/);
  assert.match(r[2] ?? "", /^ct status dnat ct label 100 ip saddr \. oifname @hairpin masquerade/);
  assert.match(r[3] ?? "", /^ip6 saddr @nat_subnets6 oifname != @bridges ip6 saddr \. ip6 daddr != @cluster_peers6 masquerade/);
  assert.match(r[4] ?? "", /^ct status dnat ct label 100 ip6 saddr \. oifname @hairpin6 masquerade/);
});

test("hairpin masquerade only for Berth's published ports: each DNAT map's lookup labels the connection first, with the same conditions", () => {
  for (const chain of ["prerouting", "output"]) {
    const r = rulesOf(chain);
    assert.equal(r.length, 8);
    for (let i = 0; i < 8; i += 2) {
      const label = r[i] ?? "";
      const dnat = r[i + 1] ?? "";
      assert.match(label, /ct label set 100 /);
      const map = /map @(\w+)/.exec(dnat)?.[1];
      assert.ok(map && label.includes(`@${map} ct label set`), `${label} labels what ${dnat} DNATs`);
      assert.equal(
        label.split(" @")[0]?.replace(/meta l4proto \. .*$/, ""),
        dnat.split(" dnat ")[0]?.replace(/meta l4proto \. .*$/, "") + " ",
        "the same conditions",
      );
    }
  }
});
