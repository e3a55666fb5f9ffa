import { test } from "node:test";
import assert from "node:assert/strict";
import { foreignForwardDropChains, iptablesForwardDrop } from "../../firewall/index.js";
import { foreignPolicyFinding } from "./foreign-firewall.js";

test("an nft forward chain with policy drop becomes a warning whose evidence names table and chain", () => {
  const [sentence] = foreignForwardDropChains([{ chain: { family: "inet", table: "otherfw", name: "fwd", hook: "forward", policy: "drop" } }]);
  const f = foreignPolicyFinding(sentence ?? "");
  assert.equal(f.code, "FOREIGN_DROP_POLICY");
  assert.equal(f.severity, "warning");
  assert.equal(f.evidence, "table inet otherfw chain fwd hook forward policy drop");
  assert.match(f.summary, /containers may not reach the outside/);
  assert.match(f.fix, /^accept Berth's traffic in that chain .*nft insert rule inet otherfw fwd iifname "BRIDGE" accept/);
});

test("an ip6 table is only a note; iptables-legacy FORWARD DROP is a warning with its -I fix", () => {
  const [v6] = foreignForwardDropChains([{ chain: { family: "ip6", table: "f6", name: "FORWARD", hook: "forward", policy: "drop" } }]);
  assert.equal(foreignPolicyFinding(v6 ?? "").severity, "info");
  const f = foreignPolicyFinding(iptablesForwardDrop("iptables-legacy", "-P FORWARD DROP\n") ?? "");
  assert.equal(f.evidence, "iptables-legacy -S FORWARD: -P FORWARD DROP");
  assert.match(f.fix, /iptables-legacy -I FORWARD -i BRIDGE -j ACCEPT/);
  assert.equal(foreignPolicyFinding("something new").evidence, "something new", "an unknown sentence is kept whole");
});
