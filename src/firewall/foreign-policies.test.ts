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

/** dockerd's FORWARD (policy drop, jumping to DOCKER-USER first) as iptables-nft shows it in `nft -j list ruleset`, with Berth's Docker driver's two rules for one bridge. */
function dockerForward(acceptRules: readonly { key: "iifname" | "oifname"; bridge: string }[]): Record<string, unknown>[] {
  const rule = (chainName: string, expr: unknown[]) => ({ rule: { family: "ip", table: "filter", chain: chainName, handle: 1, expr } });
  const counter = { counter: { packets: 0, bytes: 0 } };
  return [
    chain("ip", "filter", "FORWARD", "forward", "drop"),
    { chain: { family: "ip", table: "filter", name: "DOCKER-USER", handle: 7 } },
    rule("FORWARD", [counter, { jump: { target: "DOCKER-USER" } }]),
    rule("FORWARD", [counter, { jump: { target: "DOCKER-ISOLATION-STAGE-1" } }]),
    ...acceptRules.map((r) =>
      rule("DOCKER-USER", [
        { match: { op: "==", left: { meta: { key: r.key } }, right: r.bridge } },
        { xt: { type: "match", name: "comment" } },
        counter,
        { accept: null },
      ]),
    ),
    rule("DOCKER-USER", [counter, { return: null }]),
  ];
}

test("foreignForwardDropChains() leaves out a drop chain that accepts each of Berth's bridges both ways (dockerd's FORWARD through DOCKER-USER)", () => {
  const both = dockerForward([
    { key: "iifname", bridge: "bd-4bf104168f30" },
    { key: "oifname", bridge: "bd-4bf104168f30" },
  ]);
  assert.deepEqual(foreignForwardDropChains(both, ["bd-4bf104168f30"]), []);
  // another Berth bridge that DOCKER-USER does not accept: still dropped, still reported
  assert.equal(foreignForwardDropChains(both, ["bd-4bf104168f30", "berth0"]).length, 1);
  // one direction only is not enough (replies or new connections would be dropped)
  assert.equal(foreignForwardDropChains(dockerForward([{ key: "iifname", bridge: "bd-4bf104168f30" }]), ["bd-4bf104168f30"]).length, 1);
  // without Berth's bridges to look for, the policy is reported as before
  assert.equal(foreignForwardDropChains(both).length, 1);
});
