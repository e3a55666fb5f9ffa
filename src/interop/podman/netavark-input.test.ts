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
      network: { name: "net1", bridge: "podman1", subnet: "10.77.0.0/24", gateway: "10.77.0.1", internal: false, dnsEnabled: true, isolate: false, dnsServers: [] },
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

test("readTeardownInput() needs only the container id", () => {
  assert.deepEqual(readTeardownInput('{"container_id":"abc"}'), { managedBy: "podman", id: "abc" });
  assert.throws(() => readTeardownInput("{}"), (e: unknown) => e instanceof BerthError && /container_id/.test(e.message));
});

test("parseNetavarkArgs() reads netavark's global options and verbs", () => {
  assert.deepEqual(parseNetavarkArgs(["--config", "/run/c", "--rootless=false", "--aardvark-binary=/a", "setup", "/run/netns/x"]), { verb: "setup", netns: "/run/netns/x", file: undefined });
  assert.deepEqual(parseNetavarkArgs(["-f", "in.json", "teardown", "/n"]), { verb: "teardown", netns: "/n", file: "in.json" });
  assert.deepEqual(parseNetavarkArgs(["update", "pnet", "--network-dns-servers", "1.1.1.1", "--network-dns-servers=8.8.8.8"]), { verb: "update", network: "pnet", dnsServers: ["1.1.1.1", "8.8.8.8"] });
  assert.deepEqual(parseNetavarkArgs(["version"]), { verb: "version" });
  for (const bad of [[], ["setup"], ["--bogus", "version"], ["--rootless=true", "setup", "/n"], ["frobnicate"]]) {
    assert.throws(() => parseNetavarkArgs(bad), BerthError, JSON.stringify(bad));
  }
});

test("statusBlocks() gives netavark's StatusBlock per network, with dns.podman only where DNS is on", () => {
  const base = { networkId: "i", hostVeth: "bth1", mac: "02:00:00:00:00:01", ip: "10.77.0.2", prefix: 24, gateway: "10.77.0.1", bridge: "podman1" };
  assert.deepEqual(statusBlocks([{ ...base, network: "a", ifname: "eth0", dnsServerIps: ["10.77.0.1"] }, { ...base, network: "b", ifname: "eth1", dnsServerIps: [] }]), {
    a: { dns_search_domains: ["dns.podman"], dns_server_ips: ["10.77.0.1"], interfaces: { eth0: { mac_address: "02:00:00:00:00:01", subnets: [{ ipnet: "10.77.0.2/24", gateway: "10.77.0.1" }] } } },
    b: { dns_search_domains: [], dns_server_ips: [], interfaces: { eth1: { mac_address: "02:00:00:00:00:01", subnets: [{ ipnet: "10.77.0.2/24", gateway: "10.77.0.1" }] } } },
  });
});
