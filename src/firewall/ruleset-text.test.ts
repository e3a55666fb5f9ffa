import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRulesetText } from "./ruleset-text.js";

const TEXT = [
  "table inet admin { # handle 4",
  "\tset blocked { # handle 3",
  "\t\ttype ipv4_addr",
  "\t\telements = { 192.0.2.1 }",
  "\t}",
  "",
  "\tchain forward { # handle 1",
  "\t\ttype filter hook forward priority filter; policy drop;",
  "\t\tip daddr @blocked counter packets 3 bytes 180 drop # handle 2",
  "\t\ttcp dport { 22, 80 } accept # handle 5",
  "\t}",
  "",
  '\tchain "my chain" { # handle 6',
  "\t\tjump forward # handle 7",
  "\t}",
  "}",
  "table ip filter { # handle 5",
  "\tchain FORWARD { # handle 1",
  "\t\ttype filter hook forward priority filter; policy accept;",
  "\t}",
  "}",
].join("\n");

test("parseRulesetText() names chains with their hook and policy, and rules by handle", () => {
  const r = parseRulesetText(TEXT);
  assert.deepEqual(r.chain("inet", "admin", "forward"), {
    family: "inet",
    table: "admin",
    name: "forward",
    hook: "forward",
    priority: "filter",
    policy: "drop",
  });
  assert.equal(r.rule("inet", "admin", "forward", 2), "ip daddr @blocked counter packets 3 bytes 180 drop");
  assert.equal(r.rule("inet", "admin", "forward", 5), "tcp dport { 22, 80 } accept");
  assert.equal(r.rule("inet", "admin", "my chain", 7), "jump forward");
  assert.equal(r.chain("inet", "admin", "my chain")?.hook, undefined, "a regular chain has no hook");
  assert.equal(r.chain("ip", "filter", "FORWARD")?.policy, "accept");
  assert.equal(r.rule("inet", "admin", "forward", 3), undefined, "a set's handle is no rule");
});
