import { test } from "node:test";
import assert from "node:assert/strict";
import { BerthError } from "../errors.js";
import { renderNetworks, requiredSysctls, type FirewallNetwork } from "./render-networks.js";

const net = (over: Partial<FirewallNetwork> & { name: string; bridge: string; subnet: string }): FirewallNetwork => ({
  internal: false,
  isolate: true,
  ...over,
});

const NETS: FirewallNetwork[] = [
  net({ name: "web", bridge: "berth1", subnet: "10.89.1.0/24" }),
  net({ name: "open", bridge: "berth2", subnet: "10.89.2.0/24", isolate: false }),
  net({ name: "db", bridge: "berth3", subnet: "10.89.3.0/24", internal: true }),
];

function elements(script: string, set: string): string | undefined {
  const line = script.split("\n").find((l) => l.startsWith(`add element inet berth ${set} {`));
  return line?.slice(`add element inet berth ${set} { `.length, -2);
}

test("renderNetworks() flushes every network set, then refills it, in one script", () => {
  const s = renderNetworks(NETS);
  for (const set of ["bridges", "internal_bridges", "isolated_bridges", "same_bridge", "nat_subnets", "hairpin"]) {
    const lines = s.split("\n");
    const flush = lines.indexOf(`flush set inet berth ${set}`);
    const add = lines.findIndex((l) => l.startsWith(`add element inet berth ${set} `));
    assert.ok(flush >= 0 && add > flush, set);
  }
  assert.ok(!s.includes("chain"), "no rules or chains: per-network facts are set elements only");
  assert.ok(!s.includes("dnat_"), "published ports are left alone");
});

test("renderNetworks() puts each network in the sets its options call for", () => {
  const s = renderNetworks(NETS);
  assert.equal(elements(s, "bridges"), `"berth1" comment "network web", "berth2" comment "network open", "berth3" comment "network db"`);
  assert.equal(elements(s, "internal_bridges"), `"berth3"`);
  assert.equal(elements(s, "isolated_bridges"), `"berth1"`, "internal networks are handled by internal_bridges, non-isolated ones by nothing");
  assert.equal(elements(s, "same_bridge"), `"berth1" . "berth1", "berth2" . "berth2", "berth3" . "berth3"`);
  assert.equal(elements(s, "nat_subnets"), "10.89.1.0/24, 10.89.2.0/24", "internal networks are never masqueraded");
  assert.equal(elements(s, "hairpin"), `10.89.1.0/24 . "berth1", 10.89.2.0/24 . "berth2", 10.89.3.0/24 . "berth3"`);
});

test("renderNetworks() with no networks empties the sets", () => {
  const s = renderNetworks([]);
  assert.ok(!s.includes("add element"));
  assert.equal(s.split("\n").filter((l) => l.startsWith("flush set")).length, 13);
});

test("renderNetworks() puts isolatePeers networks (Podman's isolate=true) in their own set, not in the isolated one", () => {
  const s = renderNetworks([
    net({ name: "a", bridge: "podman1", subnet: "10.81.0.0/24", isolate: false, isolatePeers: true }),
    net({ name: "b", bridge: "podman2", subnet: "10.82.0.0/24", isolate: true }),
    net({ name: "c", bridge: "podman3", subnet: "10.83.0.0/24", internal: true, isolate: false, isolatePeers: true }),
  ]);
  assert.equal(elements(s, "isolated_peer_bridges"), '"podman1"', "internal networks are cut off anyway");
  assert.equal(elements(s, "isolated_bridges"), '"podman2"');
});

test("renderNetworks() pairs each non-internal network's subnet with its cluster CIDRs, per family", () => {
  const s = renderNetworks([
    net({
      name: "pods",
      bridge: "cni-pods",
      subnet: "10.244.1.0/24",
      subnet6: "fd00:244:1::/64",
      clusterCidrs: ["10.244.0.0/16", "fd00:244::/48", "10.96.7.1/12"],
    }),
    net({ name: "web", bridge: "berth1", subnet: "10.89.1.0/24" }),
    net({ name: "db", bridge: "berth3", subnet: "10.89.3.0/24", internal: true, clusterCidrs: ["10.244.0.0/16"] }),
  ]);
  assert.equal(
    elements(s, "cluster_peers"),
    "10.244.1.0/24 . 10.244.0.0/16, 10.244.1.0/24 . 10.96.0.0/12",
    "host bits dropped; internal networks reach no cluster",
  );
  assert.equal(elements(s, "cluster_peers6"), "fd00:244:1::/64 . fd00:244::/48");
  assert.throws(() => renderNetworks([net({ name: "x", bridge: "b", subnet: "10.0.0.0/24", clusterCidrs: ["10.0.0.0/33"] })]), BerthError);
});

test("renderNetworks() pairs each non-internal network's subnet with its node CIDRs, per family, apart from the cluster CIDRs (node traffic is let in, not exempt from masquerade)", () => {
  const s = renderNetworks([
    net({
      name: "pods",
      bridge: "cni-pods",
      subnet: "10.244.1.0/24",
      subnet6: "fd00:244:1::/64",
      clusterCidrs: ["10.244.0.0/16"],
      nodeCidrs: ["192.168.50.0/24", "fd00:50::/64"],
    }),
    net({ name: "db", bridge: "berth3", subnet: "10.89.3.0/24", internal: true, nodeCidrs: ["192.168.50.0/24"] }),
  ]);
  assert.equal(elements(s, "node_peers"), "10.244.1.0/24 . 192.168.50.0/24", "internal networks let no node in");
  assert.equal(elements(s, "node_peers6"), "fd00:244:1::/64 . fd00:50::/64");
  assert.equal(elements(s, "cluster_peers"), "10.244.1.0/24 . 10.244.0.0/16", "node CIDRs are not cluster peers");
});

test("renderNetworks() normalizes a subnet written with host bits", () => {
  const s = renderNetworks([net({ name: "a", bridge: "br-a", subnet: "10.89.7.9/24" })]);
  assert.equal(elements(s, "nat_subnets"), "10.89.7.0/24");
});

test("renderNetworks() rejects names and subnets that could change the script's meaning", () => {
  const bad: [Partial<FirewallNetwork>, string][] = [
    [{ bridge: `br0" } ; flush ruleset ; add element inet berth bridges { "x` }, "INVALID_NAME"],
    [{ bridge: "br\n0" }, "INVALID_NAME"],
    [{ bridge: "averyveryverylongname" }, "INVALID_NAME"],
    [{ name: `web" comment "x` }, "INVALID_NAME"],
    [{ subnet: "10.89.0.0/24; flush ruleset" }, "INVALID_SUBNET"],
    [{ subnet: "10.89.0.0" }, "INVALID_SUBNET"],
  ];
  for (const [over, code] of bad) {
    assert.throws(
      () => renderNetworks([{ ...net({ name: "a", bridge: "br-a", subnet: "10.89.0.0/24" }), ...over }]),
      (e: unknown) => {
        assert.ok(e instanceof BerthError, String(e));
        assert.equal(e.code, code, JSON.stringify(over));
        return true;
      },
    );
  }
});

test("renderNetworks() rejects two networks on one bridge", () => {
  assert.throws(() => renderNetworks([net({ name: "a", bridge: "br0", subnet: "10.1.0.0/24" }), net({ name: "b", bridge: "br0", subnet: "10.2.0.0/24" })]), {
    code: "INVALID_ARGUMENT",
    message: `Cannot render firewall rules: networks "a" and "b" both use bridge "br0"`,
  });
});

test("requiredSysctls() asks for forwarding and route_localnet on the bridge; internal networks need no forwarding", () => {
  assert.deepEqual(requiredSysctls({ bridge: "berth1", internal: false }), [
    { key: "net.ipv4.ip_forward", value: "1" },
    { key: "net.ipv4.conf.berth1.route_localnet", value: "1" },
  ]);
  assert.deepEqual(requiredSysctls({ bridge: "berth3", internal: true }), [{ key: "net.ipv4.conf.berth3.route_localnet", value: "1" }]);
  assert.deepEqual(requiredSysctls("berth0"), [{ key: "net.ipv4.conf.berth0.route_localnet", value: "1" }]);
  assert.throws(() => requiredSysctls("../../x"), { code: "INVALID_NAME" });
});

test("renderNetworks() fills the IPv6 sets from IPv6 subnets; an IPv6-only network has no IPv4 elements", () => {
  const s = renderNetworks([
    net({ name: "dual", bridge: "berth4", subnet: "10.89.4.0/24", subnet6: "fd00:89:4::/64" }),
    { name: "only6", bridge: "berth5", subnet: undefined, subnet6: "FD00:89:5::9/64", internal: false, isolate: true },
    { name: "in6", bridge: "berth6", subnet: undefined, subnet6: "fd00:89:6::/64", internal: true, isolate: true },
  ]);
  assert.equal(elements(s, "nat_subnets"), "10.89.4.0/24");
  assert.equal(elements(s, "nat_subnets6"), "fd00:89:4::/64, fd00:89:5::/64", "normalized; internal networks are never masqueraded");
  assert.equal(elements(s, "hairpin6"), `fd00:89:4::/64 . "berth4", fd00:89:5::/64 . "berth5", fd00:89:6::/64 . "berth6"`);
  assert.equal(elements(s, "hairpin"), `10.89.4.0/24 . "berth4"`);
  assert.throws(
    () => renderNetworks([{ name: "x", bridge: "berth7", subnet: undefined, subnet6: "fd00::/64; flush ruleset", internal: false, isolate: true }]),
    BerthError,
  );
});
