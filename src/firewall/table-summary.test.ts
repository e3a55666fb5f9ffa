import { test } from "node:test";
import assert from "node:assert/strict";
import { summarizeTable } from "./table-summary.js";

test("summarizeTable() counts rules per chain and elements per set and map of inet berth only", () => {
  const s = summarizeTable([
    { metainfo: { version: "1.0.6" } },
    { table: { family: "inet", name: "berth", handle: 1 } },
    { chain: { family: "inet", table: "berth", name: "forward", hook: "forward", policy: "accept", type: "filter" } },
    { chain: { family: "inet", table: "berth", name: "prerouting", hook: "prerouting", policy: "accept", type: "nat" } },
    { chain: { family: "inet", table: "other", name: "forward", hook: "forward", policy: "drop" } },
    { rule: { family: "inet", table: "berth", chain: "forward", expr: [] } },
    { rule: { family: "inet", table: "berth", chain: "forward", expr: [] } },
    { rule: { family: "inet", table: "other", chain: "forward", expr: [] } },
    { set: { family: "inet", table: "berth", name: "bridges", elem: ["berth0", "berth1"] } },
    { set: { family: "inet", table: "berth", name: "internal_bridges" } },
    { map: { family: "inet", table: "berth", name: "dnat_any", elem: [[{ concat: ["tcp", 9090] }, { concat: ["10.88.0.2", 8080] }]] } },
  ]);
  assert.deepEqual(s, {
    chains: [
      { name: "forward", hook: "forward", policy: "accept", rules: 2 },
      { name: "prerouting", hook: "prerouting", policy: "accept", rules: 0 },
    ],
    sets: [
      { name: "bridges", elements: 2 },
      { name: "internal_bridges", elements: 0 },
    ],
    maps: [{ name: "dnat_any", elements: 1 }],
  });
});
