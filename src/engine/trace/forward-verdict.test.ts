import { test } from "node:test";
import assert from "node:assert/strict";
import { renderBaseTable } from "../../firewall/index.js";
import { forwardVerdict, type ForwardSets } from "./forward-verdict.js";

const sets = (o: Partial<Record<keyof ForwardSets, string[]>>): ForwardSets => ({
  bridges: new Set(o.bridges ?? ["a", "b", "c"]),
  internal: new Set(o.internal ?? []),
  isolated: new Set(o.isolated ?? []),
  isolatedPeers: new Set(o.isolatedPeers ?? []),
});
const name = (b: string) => `net-${b}`;

test("forwardVerdict(): two isolate=peers networks are dropped by the peers rule, a peers network and a plain one pass", () => {
  const peers = sets({ isolatedPeers: ["a", "b"] });
  const v = forwardVerdict(peers, "a", "b", name);
  assert.equal(v.accepted, false);
  assert.equal(v.rule, "between networks isolated from each other");
  assert.match(v.because, /net-a and net-b both have isolate=peers/);
  assert.equal(forwardVerdict(peers, "a", "c", name).accepted, true, "peers network to a plain one");
  assert.equal(forwardVerdict(peers, "c", "a", name).accepted, true, "plain network into a peers one (netavark 1.4 allows it)");
});

test("forwardVerdict(): internal and isolate=true networks drop in both directions, internal first", () => {
  assert.equal(forwardVerdict(sets({ internal: ["a"], isolated: ["a"] }), "a", "b", name).rule, "internal networks reach nothing outside their bridge");
  assert.equal(forwardVerdict(sets({ internal: ["b"] }), "a", "b", name).rule, "nothing outside reaches an internal network");
  assert.equal(forwardVerdict(sets({ isolated: ["a"] }), "a", "b", name).rule, "isolated network to another network");
  assert.equal(forwardVerdict(sets({ isolated: ["b"] }), "a", "b", name).rule, "another network to an isolated network");
  assert.equal(forwardVerdict(sets({}), "x", "b", name).accepted, false, "a bridge the table does not know");
});

test("forwardVerdict() names only rules the firewall really renders (same comments and matches in chain forward)", () => {
  const table = renderBaseTable();
  const all = sets({ isolatedPeers: ["a", "b"] });
  const cases: [ForwardSets, string, string][] = [
    [sets({ internal: ["a"] }), "a", "b"],
    [sets({ internal: ["b"] }), "a", "b"],
    [sets({ isolated: ["a"] }), "a", "b"],
    [sets({ isolated: ["b"] }), "a", "b"],
    [all, "a", "b"],
    [all, "a", "c"],
    [sets({}), "x", "b"],
  ];
  for (const [s, from, to] of cases) {
    const v = forwardVerdict(s, from, to, name);
    assert.ok(table.includes(`add rule inet berth forward ${v.match} comment "${v.rule}"`), `${v.match} comment "${v.rule}" is a rule of chain forward`);
  }
});
