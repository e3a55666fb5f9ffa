import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePortMappings } from "./parse-ports.js";
import { parseNftJson } from "./nft-json.js";

// trimmed from `nft -j list table inet berth` (nft 1.0.6)
const LISTING = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
 {"table": {"family": "inet", "name": "berth", "handle": 1}},
 {"map": {"family": "inet", "name": "dnat_any", "table": "berth", "type": ["inet_proto", "inet_service"], "handle": 4, "map": "ipv4_addr . inet_service",
   "elem": [[{"concat": ["udp", 53]}, {"concat": ["10.89.0.3", 53]}], [{"concat": ["tcp", 8080]}, {"concat": ["10.89.0.2", 80]}]]}},
 {"map": {"family": "inet", "name": "dnat_addr", "table": "berth", "type": ["inet_proto", "ipv4_addr", "inet_service"], "handle": 5, "map": "ipv4_addr . inet_service",
   "elem": [[{"elem": {"val": {"concat": [6, "10.0.0.1", 8080]}, "comment": "x"}}, {"concat": ["10.89.0.2", "80"]}]]}},
 {"map": {"family": "ip", "name": "dnat_any", "table": "other", "type": ["inet_proto", "inet_service"], "handle": 4, "map": "ipv4_addr . inet_service",
   "elem": [[{"concat": ["tcp", 1]}, {"concat": ["10.9.9.9", 1]}]]}},
 {"set": {"family": "inet", "name": "bridges", "table": "berth", "type": "ifname", "handle": 2, "elem": ["berth0"]}}]}`;

test("parsePortMappings() reads both DNAT maps of inet berth and nothing else", () => {
  assert.deepEqual(parsePortMappings(parseNftJson(LISTING).nftables), [
    { proto: "udp", hostIp: "0.0.0.0", hostPort: 53, containerIp: "10.89.0.3", containerPort: 53 },
    { proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerIp: "10.89.0.2", containerPort: 80 },
    { proto: "tcp", hostIp: "10.0.0.1", hostPort: 8080, containerIp: "10.89.0.2", containerPort: 80 },
  ]);
});

test("parsePortMappings() skips elements with an unexpected shape instead of guessing", () => {
  const odd = [
    {
      map: {
        family: "inet",
        table: "berth",
        name: "dnat_any",
        elem: [
          [{ concat: ["icmp", 1] }, { concat: ["10.1.1.1", 1] }],
          [{ concat: ["tcp", 70000] }, { concat: ["10.1.1.1", 1] }],
          "junk",
          [{ concat: ["tcp", 1, 2] }, { concat: ["10.1.1.1", 1] }],
        ],
      },
    },
  ];
  assert.deepEqual(parsePortMappings(odd), []);
  assert.deepEqual(parsePortMappings([]), []);
});

test("parseNftJson() accepts empty output and rejects what is not nft JSON", () => {
  assert.deepEqual(parseNftJson(""), { nftables: [] });
  assert.throws(() => parseNftJson("table inet berth {"), { code: "FIREWALL" });
  assert.throws(() => parseNftJson(`{"x": 1}`), { code: "FIREWALL" });
});
