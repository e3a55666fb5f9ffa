import { test } from "node:test";
import assert from "node:assert/strict";
import { reverseNameToIpv4, Zone } from "./zone.js";
import type { DnsZoneSnapshot } from "./zone-snapshot.js";
import { parseIpv4 } from "../model/ipv4.js";

const id = (c: string) => c.repeat(64);
const ip = (s: string) => parseIpv4(s);
const snapshot: DnsZoneSnapshot = {
  version: 1,
  networks: [
    {
      id: "n1",
      name: "frontend",
      gateway: "10.89.3.1",
      subnet: "10.89.3.0/24",
      dnsServers: ["9.9.9.9"],
      containers: [
        { id: id("a"), name: "webserver", aliases: [], ipv4: "10.89.3.2", dnsServers: [] },
        { id: id("c"), name: "client", aliases: ["cli"], ipv4: "10.89.3.3", dnsServers: ["1.1.1.1"] },
        { id: id("e"), name: "web2", aliases: ["www"], ipv4: "10.89.3.5", dnsServers: [] },
        { id: id("f"), name: "web3", aliases: ["www"], ipv4: "10.89.3.6", dnsServers: [] },
      ],
    },
    {
      id: "n2",
      name: "backend",
      gateway: "10.89.2.1",
      subnet: "10.89.2.0/24",
      dnsServers: [],
      containers: [
        { id: id("a"), name: "webserver", aliases: [], ipv4: "10.89.2.2", dnsServers: [] },
        { id: id("d"), name: "Database", aliases: ["db"], ipv4: "10.89.2.3", dnsServers: [] },
        { id: id("b"), name: "lonely", aliases: [], ipv4: "10.89.2.4", dnsServers: [] },
      ],
    },
    {
      id: "n3",
      name: "island",
      gateway: "10.89.9.1",
      subnet: "10.89.9.0/24",
      dnsServers: ["8.8.8.8"],
      containers: [{ id: id("9"), name: "hermit", aliases: ["crab"], ipv4: "10.89.9.2", dnsServers: [] }],
    },
  ],
};
const zone = new Zone(snapshot);
const local = (...ips: string[]) => ({ kind: "local", ips: ips.map(ip), ips6: [] });

test("Zone.lookupName() finds containers sharing a network by name, alias, short id and under dns.berth", () => {
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "database"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "db.dns.berth"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "dddddddddddd"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "dddddddddddd.dns.berth"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "cli"), local("10.89.3.3"), "a container resolves itself");
});

test("Zone.lookupName() expects lowercased names and matches mixed-case container names", () => {
  // the wire layer lowercases the question; the snapshot's "Database" is indexed lowercased
  assert.deepEqual(zone.lookupName("10.89.2.2", "10.89.2.1", "database.dns.berth"), local("10.89.2.3"));
});

test("Zone.lookupName() gives a container on two networks every network's names, the address on the shared network", () => {
  // webserver is on frontend and backend: it asks from its backend address
  assert.deepEqual(zone.lookupName("10.89.2.2", "10.89.2.1", "client"), local("10.89.3.3"));
  assert.deepEqual(zone.lookupName("10.89.3.2", "10.89.3.1", "database"), local("10.89.2.3"));
  // asking for itself: the address on the network the query came in on first
  assert.deepEqual(zone.lookupName("10.89.3.2", "10.89.3.1", "webserver"), local("10.89.3.2", "10.89.2.2"));
  assert.deepEqual(zone.lookupName("10.89.2.2", "10.89.2.1", "webserver"), local("10.89.2.2", "10.89.3.2"));
});

test("Zone.lookupName() returns every address of a shared alias", () => {
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "www"), local("10.89.3.5", "10.89.3.6"));
});

test("Zone.lookupName() never leaks names across networks: under dns.berth NXDOMAIN, elsewhere forwarded like any outside name", () => {
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "db.dns.berth"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "hermit.dns.berth"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "nobody.dns.berth"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "dns.berth"), { kind: "nxdomain" });
  // a bare name of another network's container gets the same answer as a name nobody has (issue 19, finding 10)
  for (const [client, gw, name] of [
    ["10.89.3.3", "10.89.3.1", "database"],
    ["10.89.3.3", "10.89.3.1", "dddddddddddd"],
    ["10.89.9.2", "10.89.9.1", "webserver"],
  ] as const) {
    assert.deepEqual(zone.lookupName(client, gw, name), zone.lookupName(client, gw, "nobody-has-this"), name);
    assert.deepEqual(zone.lookupName(client, gw, name), { kind: "forward" }, name);
  }
});

test("Zone.lookupName(): an alias that is a real domain answers on its own network only; the others forward it (issue 19, finding 10)", () => {
  const z = new Zone({
    version: 1,
    networks: [
      {
        id: "n1",
        name: "one",
        gateway: "10.50.1.1",
        subnet: "10.50.1.0/24",
        dnsServers: [],
        containers: [
          { id: id("a"), name: "fake", aliases: ["example.com"], ipv4: "10.50.1.2", dnsServers: [] },
          { id: id("b"), name: "friend", aliases: [], ipv4: "10.50.1.3", dnsServers: [] },
        ],
      },
      // a CNI pod "www.example" in namespace "com" (names with dots are allowed there)
      {
        id: "n2",
        name: "two",
        gateway: "10.50.2.1",
        subnet: "10.50.2.0/24",
        dnsServers: [],
        containers: [
          { id: "pod-1", name: "www.example.com", aliases: [], ipv4: "10.50.2.2", dnsServers: [] },
          { id: "pod-2", name: "neighbour", aliases: [], ipv4: "10.50.2.3", dnsServers: [] },
        ],
      },
      {
        id: "n3",
        name: "three",
        gateway: "10.50.3.1",
        subnet: "10.50.3.0/24",
        dnsServers: [],
        containers: [{ id: id("c"), name: "other", aliases: [], ipv4: "10.50.3.2", dnsServers: [] }],
      },
    ],
  });
  assert.deepEqual(z.lookupName("10.50.1.3", "10.50.1.1", "example.com"), local("10.50.1.2"), "its own network asked for it");
  assert.deepEqual(z.lookupName("10.50.2.3", "10.50.2.1", "www.example.com"), local("10.50.2.2"));
  for (const name of ["example.com", "www.example.com"]) assert.deepEqual(z.lookupName("10.50.3.2", "10.50.3.1", name), { kind: "forward" }, name);
  assert.deepEqual(z.lookupName("10.50.3.2", "10.50.3.1", "example.com.dns.berth"), { kind: "nxdomain" });
});

test("Zone: a container whose networks are all internal gets local names only, REFUSED for the rest (issue 19, finding 7)", () => {
  const z = new Zone({
    version: 1,
    networks: [
      {
        id: "n1",
        name: "vault",
        internal: true,
        gateway: "10.60.1.1",
        subnet: "10.60.1.0/24",
        dnsServers: ["9.9.9.9"],
        containers: [
          { id: id("a"), name: "inside", aliases: [], ipv4: "10.60.1.2", dnsServers: [] },
          { id: id("b"), name: "bridgehead", aliases: [], ipv4: "10.60.1.3", dnsServers: [] },
        ],
      },
      {
        id: "n2",
        name: "open",
        gateway: "10.60.2.1",
        subnet: "10.60.2.0/24",
        dnsServers: [],
        containers: [{ id: id("b"), name: "bridgehead", aliases: [], ipv4: "10.60.2.3", dnsServers: [] }],
      },
    ],
  });
  assert.deepEqual(z.lookupName("10.60.1.2", "10.60.1.1", "bridgehead"), local("10.60.1.3"));
  assert.deepEqual(z.lookupName("10.60.1.2", "10.60.1.1", "nobody.dns.berth"), { kind: "nxdomain" });
  assert.deepEqual(z.lookupName("10.60.1.2", "10.60.1.1", "exfil-41424344.example.com"), { kind: "refused" });
  assert.deepEqual(z.lookupAddress("10.60.1.2", "10.60.1.1", ip("192.0.2.1")), { kind: "refused" });
  assert.deepEqual(z.lookupAddress6("10.60.1.2", "10.60.1.1", "2001:db8::1"), { kind: "refused" });
  assert.equal(z.mayForward("10.60.1.2", "10.60.1.1"), false);
  // on an internal and an ordinary network: it has a way out anyway
  assert.deepEqual(z.lookupName("10.60.1.3", "10.60.1.1", "example.com"), { kind: "forward" });
  assert.equal(z.mayForward("10.60.2.3", "10.60.2.1"), true);
});

test("Zone.lookupName() forwards names it does not own, and upstreamsFor() picks container, then network servers", () => {
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "example.com"), { kind: "forward" });
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "printer"), { kind: "forward" });
  assert.deepEqual(zone.upstreamsFor("10.89.3.3", "10.89.3.1"), ["1.1.1.1"], "the container's --dns wins");
  assert.deepEqual(zone.upstreamsFor("10.89.3.2", "10.89.3.1"), ["9.9.9.9"], "else its networks' --dns");
  assert.deepEqual(zone.upstreamsFor("10.89.2.3", "10.89.2.1"), [], "else the host's (empty here)");
  assert.deepEqual(zone.upstreamsFor("10.89.9.77", "10.89.9.1"), ["8.8.8.8"], "unknown client: the network it asked on");
});

test("Zone.lookupAddress() answers PTR for shared addresses only; other addresses in our subnets are NXDOMAIN", () => {
  assert.deepEqual(zone.lookupAddress("10.89.2.4", "10.89.2.1", ip("10.89.2.3")), { kind: "ptr", names: ["Database.dns.berth", "db.dns.berth"] });
  assert.deepEqual(zone.lookupAddress("10.89.3.3", "10.89.3.1", ip("10.89.2.3")), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupAddress("10.89.3.3", "10.89.3.1", ip("10.89.9.2")), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupAddress("10.89.3.3", "10.89.3.1", ip("192.0.2.1")), { kind: "forward" });
});

test("reverseNameToIpv4() reads in-addr.arpa names strictly", () => {
  assert.equal(reverseNameToIpv4("3.2.89.10.in-addr.arpa"), ip("10.89.2.3"));
  assert.equal(reverseNameToIpv4("3.2.89.in-addr.arpa"), undefined);
  assert.equal(reverseNameToIpv4("300.2.89.10.in-addr.arpa"), undefined);
  assert.equal(reverseNameToIpv4("03.2.89.10.in-addr.arpa"), undefined);
});

test("Zone knows its gateways and whether it is empty", () => {
  assert.deepEqual(zone.gateways, ["10.89.3.1", "10.89.2.1", "10.89.9.1"]);
  assert.equal(zone.empty, false);
  assert.equal(new Zone({ version: 1, networks: [] }).empty, true);
});

test("Zone.lookupName() serves every name under dns.podman too, and answers NXDOMAIN for unknown names there", () => {
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "database.dns.podman"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "db.dns.podman"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "dddddddddddd.dns.podman"), local("10.89.2.3"));
  assert.deepEqual(zone.lookupName("10.89.3.3", "10.89.3.1", "database.dns.podman"), { kind: "nxdomain" }, "not across networks");
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "nobody.dns.podman"), { kind: "nxdomain" });
  assert.deepEqual(zone.lookupName("10.89.2.4", "10.89.2.1", "dns.podman"), { kind: "nxdomain" });
});

test("a CNI runtime's container id (any word, not hex) is accepted; its name resolves and the id is not served as a short id", () => {
  const z = new Zone({
    version: 1,
    networks: [
      {
        id: "p",
        name: "pods",
        gateway: "10.23.0.1",
        subnet: "10.23.0.0/24",
        dnsServers: [],
        containers: [
          { id: "default-web", name: "web.shop", aliases: [], ipv4: "10.23.0.2", dnsServers: [] },
          { id: "default-cli", name: "cni-default-cli", aliases: [], ipv4: "10.23.0.3", dnsServers: [] },
        ],
      },
    ],
  });
  assert.deepEqual(z.lookupName("10.23.0.3", "10.23.0.1", "web.shop"), local("10.23.0.2"));
  assert.equal(z.lookupName("10.23.0.3", "10.23.0.1", "default-web.dns.berth").kind, "nxdomain");
});

test("Zone.inSlices() yields between slices of containers and ends with the same zone new Zone() builds", () => {
  const slices = Zone.inSlices(snapshot, 1);
  let steps = 0;
  let r = slices.next();
  for (; !r.done; r = slices.next()) steps++;
  const whole = new Zone(snapshot);
  const sliced = r.value;
  const containers = snapshot.networks.reduce((n, x) => n + x.containers.length, 0);
  assert.equal(steps, containers, "one slice per container");
  assert.deepEqual(sliced.gateways, whole.gateways);
  assert.equal(sliced.serial, whole.serial);
  for (const client of ["10.89.3.3", "10.89.2.3", "10.89.3.2"]) {
    for (const gateway of whole.gateways) {
      for (const name of ["webserver", "www", "cli.dns.berth", "db", "nosuch.dns.berth", "example.com"]) {
        assert.deepEqual(sliced.lookupName(client, gateway, name), whole.lookupName(client, gateway, name), `${client} ${gateway} ${name}`);
      }
      assert.deepEqual(sliced.upstreamsFor(client, gateway), whole.upstreamsFor(client, gateway));
      assert.deepEqual(sliced.lookupAddress(client, gateway, ip("10.89.3.2")), whole.lookupAddress(client, gateway, ip("10.89.3.2")));
    }
  }
});
