import { test } from "node:test";
import assert from "node:assert/strict";
import { Zone, type DnsZoneSnapshot } from "./zone.js";

const id = (c: string) => c.repeat(64);
const snapshot: DnsZoneSnapshot = {
  version: 1,
  networks: [
    {
      id: "n1", name: "frontend", gateway: "10.89.3.1", subnet: "10.89.3.0/24", dnsServers: ["9.9.9.9"],
      containers: [
        { id: id("a"), name: "webserver", aliases: [], ipv4: "10.89.3.2", dnsServers: [] },
        { id: id("c"), name: "client", aliases: ["cli"], ipv4: "10.89.3.3", dnsServers: ["1.1.1.1"] },
      ],
    },
    {
      id: "n2", name: "backend", gateway: "10.89.2.1", subnet: "10.89.2.0/24", dnsServers: [],
      containers: [
        { id: id("a"), name: "webserver", aliases: [], ipv4: "10.89.2.2", dnsServers: [] },
        { id: id("d"), name: "Database", aliases: ["db"], ipv4: "10.89.2.3", dnsServers: [] },
      ],
    },
  ],
};
const zone = new Zone(snapshot);

test("Zone.lookup() finds containers that share a network with the client, whichever address it asks from", () => {
  assert.deepEqual(zone.lookup("10.89.3.2", "database", "A"), { kind: "answer", ips: ["10.89.2.3"] });
  assert.deepEqual(zone.lookup("10.89.2.2", "DB.dns.berth.", "A"), { kind: "answer", ips: ["10.89.2.3"] });
  assert.deepEqual(zone.lookup("10.89.3.2", "dddddddddddd", "A"), { kind: "answer", ips: ["10.89.2.3"] });
  assert.deepEqual(zone.lookup("10.89.3.3", "cli", "A"), { kind: "answer", ips: ["10.89.3.3"] });
});

test("Zone.lookup() never leaks names across networks", () => {
  assert.deepEqual(zone.lookup("10.89.3.3", "database", "A"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookup("10.89.3.3", "db.dns.berth", "A"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookup("10.99.0.9", "database", "A"), { kind: "nxdomain" }, "an unknown client sees nothing");
});

test("Zone.lookup() answers PTR for shared addresses and forwards the rest to the right upstreams", () => {
  assert.deepEqual(zone.lookup("10.89.2.2", "3.2.89.10.in-addr.arpa", "PTR"), { kind: "ptr", names: ["Database.dns.berth"] });
  assert.deepEqual(zone.lookup("10.89.3.3", "example.com", "A"), { kind: "forward", upstreams: ["1.1.1.1", "9.9.9.9"] });
  assert.deepEqual(zone.lookup("10.89.2.3", "example.com", "A"), { kind: "forward", upstreams: [] });
  assert.deepEqual(zone.lookup("10.89.3.2", "database", "OTHER"), { kind: "answer", ips: [] }, "AAAA for a known name: no data, not NXDOMAIN");
});
