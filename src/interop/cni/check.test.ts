// CNI CHECK's comparison: what ADD's result (prevResult) names must be in
// the container's namespace, as the reference plugins check it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkAgainstPrevResult } from "./check.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode, type CniResult } from "./spec.js";
import type { NetnsState } from "../../engine/index.js";

const NS = "/run/netns/pod-a";
const TARGET = { netns: NS, ifname: "eth0" };

const prev: CniResult = {
  cniVersion: "1.0.0",
  interfaces: [{ name: "berth0" }, { name: "bth0123456789a" }, { name: "eth0", mac: "0a:58:0a:17:00:05", sandbox: NS }],
  ips: [
    { address: "10.23.0.5/24", gateway: "10.23.0.1", interface: 2 },
    { address: "fd00:30:0:0::5/64", gateway: "fd00:30::1", interface: 2 },
  ],
  routes: [
    { dst: "0.0.0.0/0", gw: "10.23.0.1" },
    { dst: "10.96.0.0/12", gw: "10.23.0.1" },
  ],
};

function ns(over: Partial<{ mac: string; addresses: string[]; routes: NetnsState["routes"] }> = {}): NetnsState {
  return {
    interfaces: [
      { name: "lo", kind: undefined, mac: "00:00:00:00:00:00", addresses: ["127.0.0.1/8", "::1/128"] },
      {
        name: "eth0",
        kind: "veth",
        mac: over.mac ?? "0A:58:0A:17:00:05",
        addresses: over.addresses ?? ["10.23.0.5/24", "fd00:30::5/64", "fe80::858:aff:fe17:5/64"],
      },
    ],
    routes: over.routes ?? [
      { dst: "0.0.0.0/0", gateway: "10.23.0.1", ifname: "eth0" },
      { dst: "10.23.0.0/24", gateway: undefined, ifname: "eth0" },
      { dst: "10.96.0.0/12", gateway: "10.23.0.1", ifname: "eth0" },
    ],
  };
}

function fails(code: number, msg: RegExp) {
  return (e: unknown) => e instanceof CniError && e.code === code && msg.test(e.message);
}

test("CHECK passes when the namespace has prevResult's interface, addresses (any IPv6 spelling) and routes", () => {
  checkAgainstPrevResult(prev, TARGET, ns());
});

test("CHECK without prevResult, or with one that does not name the interface, is an invalid configuration (7)", () => {
  assert.throws(() => checkAgainstPrevResult(undefined, TARGET, ns()), fails(CniErrorCode.INVALID_CONFIG, /required prevResult missing/));
  assert.throws(
    () => checkAgainstPrevResult({ ...prev, interfaces: [{ name: "eth0" }] }, TARGET, ns()),
    fails(CniErrorCode.INVALID_CONFIG, /container interface eth0 missing in prevResult/),
  );
  assert.throws(
    () => checkAgainstPrevResult({ ...prev, ips: [{ address: "10.23.0.5/24", interface: 7 }] }, TARGET, ns()),
    fails(CniErrorCode.INVALID_CONFIG, /ips\[0\] names interface 7/),
  );
});

test("CHECK fails (100) for a missing interface, another MAC, a lost address or a lost route", () => {
  assert.throws(
    () => checkAgainstPrevResult(prev, TARGET, { ...ns(), interfaces: [] }),
    fails(CniErrorCode.BERTH_REFUSED, /interface eth0 is missing in \/run\/netns\/pod-a/),
  );
  assert.throws(
    () => checkAgainstPrevResult(prev, TARGET, ns({ mac: "0a:58:0a:17:00:99" })),
    fails(CniErrorCode.BERTH_REFUSED, /has MAC 0a:58:0a:17:00:99, prevResult says/),
  );
  assert.throws(
    () => checkAgainstPrevResult(prev, TARGET, ns({ addresses: ["10.23.0.5/24"] })),
    fails(CniErrorCode.BERTH_REFUSED, /eth0 in \/run\/netns\/pod-a lost its address fd00:30::5\/64 \(has: 10\.23\.0\.5\/24\)/),
  );
  assert.throws(
    () => checkAgainstPrevResult(prev, TARGET, ns({ routes: [{ dst: "0.0.0.0/0", gateway: "10.23.0.1", ifname: "eth0" }] })),
    fails(CniErrorCode.BERTH_REFUSED, /route to 10\.96\.0\.0\/12 via 10\.23\.0\.1 is missing/),
  );
  assert.throws(
    () => checkAgainstPrevResult(prev, TARGET, ns({ routes: [{ dst: "10.96.0.0/12", gateway: "10.23.0.1", ifname: "eth0" }] })),
    fails(CniErrorCode.BERTH_REFUSED, /route to 0\.0\.0\.0\/0/),
  );
});

test("CHECK: a default route through another network's gateway will do; interfaces outside the namespace are not checked", () => {
  // the pod's first network carries the default route; this one's ADD result still lists its gateway
  checkAgainstPrevResult(
    prev,
    TARGET,
    ns({
      routes: [
        { dst: "0.0.0.0/0", gateway: "10.99.0.1", ifname: "eth1" },
        { dst: "10.96.0.0/12", gateway: "10.23.0.1", ifname: "eth0" },
      ],
    }),
  );
  // a chained plugin's host interface and an IP on it
  checkAgainstPrevResult(
    { ...prev, interfaces: [...(prev.interfaces ?? []), { name: "dummy0" }], ips: [...(prev.ips ?? []), { address: "192.0.2.1/32", interface: 3 }] },
    TARGET,
    ns(),
  );
});

test("CHECK: an IP that names no interface belongs to CNI_IFNAME", () => {
  assert.throws(
    () => checkAgainstPrevResult({ ...prev, ips: [{ address: "10.23.0.6/24" }] }, TARGET, ns()),
    fails(CniErrorCode.BERTH_REFUSED, /eth0 in \/run\/netns\/pod-a lost its address 10\.23\.0\.6\/24/),
  );
});
