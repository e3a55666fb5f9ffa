import { test } from "node:test";
import assert from "node:assert/strict";
import { describeForeignDropPolicy, foreignForwardDropChains, iptablesForwardDrop } from "./foreign-policies.js";

const chain = (family: string, table: string, name: string, hook: string, policy: string) => ({
  chain: { family, table, name, handle: 1, type: "filter", hook, prio: 0, policy },
});

test("foreignForwardDropChains() reports forward chains with policy drop in other tables, one sentence each", () => {
  const found = foreignForwardDropChains([
    { metainfo: { version: "1.0.6" } },
    chain("ip", "filter", "FORWARD", "forward", "drop"),
    chain("inet", "berth", "forward", "forward", "drop"),
    chain("inet", "fw", "input", "input", "drop"),
    chain("inet", "fw", "fwd", "forward", "accept"),
    chain("bridge", "br", "forward", "forward", "drop"),
    { chain: { family: "inet", table: "fw", name: "regular" } },
  ]).map(describeForeignDropPolicy);
  assert.equal(found.length, 2);
  assert.match(found[0] ?? "", /^nftables table "ip filter" has a forward chain "FORWARD" with policy drop: .*containers may not reach the outside/);
  assert.match(found[0] ?? "", /nft insert rule ip filter FORWARD iifname "BRIDGE" accept/);
  assert.match(found[1] ?? "", /^nftables table "bridge br" .*containers on one Berth network may not reach each other/);
});

test("iptablesForwardDrop() reads the policy line of `iptables -S FORWARD`", () => {
  const legacy = iptablesForwardDrop("iptables-legacy", "-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n");
  assert.match(legacy ? describeForeignDropPolicy(legacy) : "", /^iptables-legacy has FORWARD policy DROP: .*; accept Berth's bridges there .*\.$/);
  assert.equal(iptablesForwardDrop("iptables", "-P FORWARD ACCEPT\n"), undefined);
  assert.equal(iptablesForwardDrop("iptables", ""), undefined);
});
