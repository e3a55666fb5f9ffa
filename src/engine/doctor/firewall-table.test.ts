import { test } from "node:test";
import assert from "node:assert/strict";
import { firewallTableFindings } from "./firewall-table.js";
import type { PortMapping } from "../../firewall/index.js";

const m = (hostPort: number, over: Partial<PortMapping> = {}): PortMapping => ({
  proto: "tcp",
  hostIp: "0.0.0.0",
  hostPort,
  containerIp: "10.89.0.2",
  containerPort: 8080,
  ...over,
});

test("a missing table is one error with the store's counts, and hides the per-port findings", () => {
  const f = firewallTableFindings({ tableExists: false, networks: 2, expected: [{ container: "web", mapping: m(9090) }], live: [], checkStale: true });
  assert.deepEqual(
    f.map((x) => [x.code, x.severity, x.fix]),
    [["FIREWALL_TABLE_MISSING", "error", "berth system reconcile"]],
  );
  assert.match(f[0]?.evidence ?? "", /no such table; the store has 2 networks and 1 published port/);
  assert.deepEqual(firewallTableFindings({ tableExists: false, networks: 0, expected: [], live: [], checkStale: true }), [], "no networks: no table expected");
});

test("a published port without its element is PORT_MAPPING_MISSING; an element nobody publishes is PORT_MAPPING_STALE", () => {
  const f = firewallTableFindings({
    tableExists: true,
    networks: 1,
    expected: [
      { container: "web", mapping: m(9090) },
      { container: "web", mapping: m(9091, { hostIp: "127.0.0.1" }) },
    ],
    live: [m(9090), m(9500, { containerIp: "10.89.0.9" })],
    checkStale: true,
  });
  assert.deepEqual(
    f.map((x) => [x.code, x.severity]),
    [
      ["PORT_MAPPING_MISSING", "error"],
      ["PORT_MAPPING_STALE", "warning"],
    ],
  );
  assert.match(f[0]?.evidence ?? "", /tcp 127\.0\.0\.1:9091 -> 10\.89\.0\.2:8080, but no such element in map inet berth dnat_addr/);
  assert.match(f[1]?.evidence ?? "", /tcp 0\.0\.0\.0:9500 -> 10\.89\.0\.9:8080/);
  const scoped = firewallTableFindings({ tableExists: true, networks: 1, expected: [], live: [m(9500)], checkStale: false });
  assert.deepEqual(scoped, [], "stale elements are only judged for the whole host");
});

test("an element pointing at another target counts as missing, not as present", () => {
  const f = firewallTableFindings({
    tableExists: true,
    networks: 1,
    expected: [{ container: "web", mapping: m(9090) }],
    live: [m(9090, { containerIp: "10.89.0.3" })],
    checkStale: false,
  });
  assert.deepEqual(
    f.map((x) => x.code),
    ["PORT_MAPPING_MISSING"],
  );
});
