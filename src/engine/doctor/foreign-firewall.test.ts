import { test } from "node:test";
import assert from "node:assert/strict";
import { foreignForwardDropChains, iptablesForwardDrop } from "../../firewall/index.js";
import { foreignPolicyFinding } from "./foreign-firewall.js";

test("an nft forward chain with policy drop becomes a warning whose evidence names table and chain", () => {
  const [policy] = foreignForwardDropChains([{ chain: { family: "inet", table: "otherfw", name: "fwd", hook: "forward", policy: "drop" } }]);
  assert.ok(policy);
  const f = foreignPolicyFinding(policy);
  assert.equal(f.code, "FOREIGN_DROP_POLICY");
  assert.equal(f.severity, "warning");
  assert.equal(f.evidence, "table inet otherfw chain fwd hook forward policy drop");
  assert.match(f.summary, /containers may not reach the outside/);
  assert.match(f.fix, /^accept Berth's traffic in that chain .*nft insert rule inet otherfw fwd iifname "BRIDGE" accept/);
});

test("an ip6 table is only a note; iptables-legacy FORWARD DROP is a warning with its -I fix", () => {
  const [v6] = foreignForwardDropChains([{ chain: { family: "ip6", table: "f6", name: "FORWARD", hook: "forward", policy: "drop" } }]);
  assert.ok(v6);
  assert.equal(foreignPolicyFinding(v6).severity, "info");
  const legacy = iptablesForwardDrop("iptables-legacy", "-P FORWARD DROP\n");
  assert.ok(legacy);
  const f = foreignPolicyFinding(legacy);
  assert.equal(f.evidence, "iptables-legacy -S FORWARD: -P FORWARD DROP");
  assert.match(f.fix, /iptables-legacy -I FORWARD -i BRIDGE -j ACCEPT/);
});
