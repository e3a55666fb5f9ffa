import { test } from "node:test";
import assert from "node:assert/strict";
import { subnetOverlapFindings, type HostPrefix } from "./subnet-overlap.js";
import { net } from "./fixtures.test-support.js";

test("a VPN route over a network's subnet is a warning naming the route and its interface; its own bridge and loopback are not", () => {
  const prefixes: HostPrefix[] = [
    { kind: "route", cidr: "10.89.0.0/24", dev: "berth1", via: undefined },
    { kind: "address", cidr: "10.89.0.1/24", dev: "berth1" },
    { kind: "route", cidr: "10.0.0.0/8", dev: "tun0", via: "10.8.0.1" },
    { kind: "route", cidr: "192.168.1.0/24", dev: "eth0", via: undefined },
    { kind: "address", cidr: "127.0.0.1/8", dev: "lo" },
  ];
  const f = subnetOverlapFindings([net("web")], prefixes);
  assert.deepEqual(
    f.map((x) => [x.code, x.severity]),
    [["SUBNET_OVERLAP", "warning"]],
  );
  assert.equal(f[0]?.evidence, "network web subnet 10.89.0.0/24 on berth1; host route 10.0.0.0/8 via 10.8.0.1 dev tun0");
  assert.match(f[0]?.summary ?? "", /hosts behind tun0 are unreachable/);
  assert.match(f[0]?.fix ?? "", /berth network create --subnet <free CIDR> web/);
});

test("a host address inside the subnet on another interface is reported as an address", () => {
  const f = subnetOverlapFindings([net("web")], [{ kind: "address", cidr: "10.89.0.77/16", dev: "eth1" }]);
  assert.equal(f[0]?.evidence, "network web subnet 10.89.0.0/24 on berth1; host address 10.89.0.77/16 dev eth1");
  assert.deepEqual(subnetOverlapFindings([net("web")], [{ kind: "route", cidr: "10.90.0.0/24", dev: "eth1" }]), []);
});
