import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readSetupInput, readTeardownInput } from "./netavark-input.js";
import { parseNetavarkArgs } from "./netavark-args.js";
import { statusBlocks } from "./netavark-output.js";
import { BerthError } from "../../errors.js";

const fixture = readFileSync(fileURLToPath(new URL("../../../../test/fixtures/podman/setup-port.json", import.meta.url)), "utf8");

test("readSetupInput() turns Podman 4.3.1's captured NetworkOptions into an attach request", () => {
  const spec = readSetupInput(fixture, "/run/netns/netns-1");
  assert.equal(spec.managedBy, "podman");
  assert.equal(spec.name, "web");
  assert.equal(spec.id.length, 64);
  assert.equal(spec.netns, "/run/netns/netns-1");
  assert.deepEqual(spec.ports, [{ proto: "tcp", hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80 }]);
  assert.deepEqual(spec.networks, [
    {
      network: {
        name: "net1",
        bridge: "podman1",
        subnet: "10.77.0.0/24",
        gateway: "10.77.0.1",
        internal: false,
        dnsEnabled: true,
        isolate: false,
        metric: 100,
        dnsServers: [],
      },
      ifname: "eth0",
      ip: "10.77.0.2",
      aliases: ["0326dd3dd10d"],
    },
  ]);
});

test("readSetupInput() expands port ranges and tcp,udp, and reads isolate and mtu options", () => {
  const d = JSON.parse(fixture) as Record<string, unknown> & { network_info: { net1: Record<string, unknown> } };
  d["port_mappings"] = [{ host_ip: "127.0.0.1", container_port: 80, host_port: 9000, range: 2, protocol: "tcp,udp" }];
  d.network_info.net1["options"] = { isolate: "strict", mtu: "1400" };
  const spec = readSetupInput(JSON.stringify(d), "/x");
  assert.equal(spec.ports?.length, 4);
  assert.deepEqual(spec.ports?.[3], { proto: "udp", hostIp: "127.0.0.1", hostPort: 9001, containerPort: 81 });
  const net = spec.networks[0]?.network;
  assert.ok(typeof net === "object" && net.isolate && net.mtu === 1400);
});

type Doc = Record<string, unknown> & { network_info: { net1: Record<string, unknown> }; networks: { net1: Record<string, unknown> } };

test("readSetupInput() reads dual-stack subnets, both static addresses, metric, and publishes a bare port on 0.0.0.0 and ::", () => {
  const d = JSON.parse(fixture) as Doc;
  d.network_info.net1["subnets"] = [
    { subnet: "10.77.0.0/24", gateway: "10.77.0.1" },
    { subnet: "fd00:77::/64", gateway: "fd00:77::1" },
  ];
  d.network_info.net1["ipv6_enabled"] = true;
  d.network_info.net1["options"] = { metric: "50" };
  d.networks.net1["static_ips"] = ["10.77.0.2", "fd00:77::2"];
  const spec = readSetupInput(JSON.stringify(d), "/x");
  const r = spec.networks[0];
  assert.ok(r && typeof r.network === "object");
  assert.equal(r.ip, "10.77.0.2");
  assert.equal(r.ip6, "fd00:77::2");
  assert.deepEqual(
    [r.network.subnet, r.network.gateway, r.network.subnet6, r.network.gateway6, r.network.metric],
    ["10.77.0.0/24", "10.77.0.1", "fd00:77::/64", "fd00:77::1", 50],
  );
  assert.deepEqual(
    spec.ports?.map((p) => p.hostIp),
    ["0.0.0.0", "::"],
  );
});

test("readSetupInput() reads macvlan networks (parent, mode, no DNS) and --ipam-driver none", () => {
  const d = JSON.parse(fixture) as Doc;
  d["port_mappings"] = [];
  Object.assign(d.network_info.net1, { driver: "macvlan", network_interface: "br0", options: { mode: "private" }, dns_enabled: true });
  const mv = readSetupInput(JSON.stringify(d), "/x").networks[0]?.network;
  assert.ok(typeof mv === "object");
  assert.deepEqual([mv.driver, mv.bridge, mv.macvlanMode, mv.dnsEnabled], ["macvlan", "br0", "private", false]);
  const none = JSON.parse(fixture) as Doc;
  Object.assign(none.network_info.net1, { subnets: [], ipam_options: { driver: "none" } });
  none.networks.net1["static_ips"] = [];
  const n = readSetupInput(JSON.stringify(none), "/x").networks[0];
  assert.ok(n && typeof n.network === "object" && n.network.noAddresses === true && n.network.subnet === undefined && n.ip === undefined);
  Object.assign(none.network_info.net1, { ipam_options: { driver: "dhcp" } });
  assert.throws(
    () => readSetupInput(JSON.stringify(none), "/x"),
    (e: unknown) => e instanceof BerthError && /IPAM driver "dhcp"/.test(e.message) && /host-local/.test(e.hint ?? ""),
  );
});

test("readTeardownInput() needs only the container id", () => {
  assert.deepEqual(readTeardownInput('{"container_id":"abc"}'), { managedBy: "podman", id: "abc" });
  assert.throws(
    () => readTeardownInput("{}"),
    (e: unknown) => e instanceof BerthError && /container_id/.test(e.message),
  );
});

test("parseNetavarkArgs() reads netavark's global options and verbs", () => {
  assert.deepEqual(parseNetavarkArgs(["--config", "/run/c", "--rootless=false", "--aardvark-binary=/a", "setup", "/run/netns/x"]), {
    verb: "setup",
    netns: "/run/netns/x",
    file: undefined,
  });
  assert.deepEqual(parseNetavarkArgs(["-f", "in.json", "teardown", "/n"]), { verb: "teardown", netns: "/n", file: "in.json" });
  assert.deepEqual(parseNetavarkArgs(["update", "pnet", "--network-dns-servers", "1.1.1.1", "--network-dns-servers=8.8.8.8"]), {
    verb: "update",
    network: "pnet",
    dnsServers: ["1.1.1.1", "8.8.8.8"],
  });
  assert.deepEqual(parseNetavarkArgs(["version"]), { verb: "version" });
  for (const bad of [[], ["setup"], ["--bogus", "version"], ["--rootless=true", "setup", "/n"], ["frobnicate"]]) {
    assert.throws(() => parseNetavarkArgs(bad), BerthError, JSON.stringify(bad));
  }
});

test("statusBlocks() gives netavark's StatusBlock per network, with dns.podman only where DNS is on", () => {
  const base = {
    networkId: "i",
    hostVeth: "bth1",
    mac: "02:00:00:00:00:01",
    addresses: [{ ip: "10.77.0.2", prefix: 24, gateway: "10.77.0.1" }],
    bridge: "podman1",
  };
  assert.deepEqual(
    statusBlocks([
      { ...base, network: "a", ifname: "eth0", dnsServerIps: ["10.77.0.1"] },
      { ...base, network: "b", ifname: "eth1", dnsServerIps: [] },
    ]),
    {
      a: {
        dns_search_domains: ["dns.podman"],
        dns_server_ips: ["10.77.0.1"],
        interfaces: { eth0: { mac_address: "02:00:00:00:00:01", subnets: [{ ipnet: "10.77.0.2/24", gateway: "10.77.0.1" }] } },
      },
      b: {
        dns_search_domains: [],
        dns_server_ips: [],
        interfaces: { eth1: { mac_address: "02:00:00:00:00:01", subnets: [{ ipnet: "10.77.0.2/24", gateway: "10.77.0.1" }] } },
      },
    },
  );
});
