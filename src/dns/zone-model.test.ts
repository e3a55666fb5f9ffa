import { test } from "node:test";
import assert from "node:assert/strict";
import { ZoneModel } from "./zone-model.js";
import type { DnsContainer, DnsZoneSnapshot } from "./zone-snapshot.js";

const c = (name: string, ip: string): DnsContainer => ({ id: name.padEnd(64, "0"), name, aliases: [], ipv4: ip, ipv6: undefined, dnsServers: [] });
const net = (id: string, containers: DnsContainer[]) => ({ id, name: id, gateway: "10.0.0.1", subnet: "10.0.0.0/24", dnsServers: [], containers });
const zone: DnsZoneSnapshot = { version: 1, serial: 7, networks: [net("a", [c("web", "10.0.0.2"), c("db", "10.0.0.3")]), net("b", [c("web", "10.0.1.2")])] };

test("ZoneModel gives back the snapshot it was made from", () => {
  const m = new ZoneModel(zone);
  assert.deepEqual(m.snapshot(), zone);
  assert.deepEqual(m.networkIds, ["a", "b"]);
  assert.equal(m.size("a"), 2);
  assert.equal(m.size("nope"), 0);
  assert.deepEqual(m.container("b", c("web", "").id)?.ipv4, "10.0.1.2");
});

test("ZoneModel applies a change: removals, additions, a container that changes in place, and the serial", () => {
  const m = new ZoneModel(zone);
  const moved = { ...c("db", "10.0.0.9") };
  assert.equal(
    m.apply({
      serial: 8,
      removed: [
        { network: "a", id: c("web", "").id },
        { network: "a", id: c("db", "").id },
      ],
      added: [
        { network: "a", container: moved },
        { network: "b", container: c("cache", "10.0.1.5") },
      ],
    }),
    true,
  );
  assert.deepEqual(m.snapshot(), { version: 1, serial: 8, networks: [net("a", [moved]), net("b", [c("web", "10.0.1.2"), c("cache", "10.0.1.5")])] });
});

test("ZoneModel refuses a change naming a network it lacks, and changes nothing", () => {
  const m = new ZoneModel(zone);
  assert.equal(m.apply({ serial: 8, removed: [{ network: "a", id: c("web", "").id }], added: [{ network: "z", container: c("x", "10.9.0.2") }] }), false);
  assert.deepEqual(m.snapshot(), zone);
});
