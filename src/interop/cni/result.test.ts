import { test } from "node:test";
import assert from "node:assert/strict";
import { buildResult, type AttachedInterface } from "./result.js";

const a: AttachedInterface = {
  bridge: { name: "berth1", mac: "02:00:00:00:00:01" },
  hostVeth: { name: "bth1234", mac: "02:00:00:00:00:02" },
  container: { name: "eth0", mac: "02:00:00:00:00:03", sandbox: "/proc/42/ns/net" },
  address: "10.22.1.5/24",
  gateway: "10.22.1.1",
  nameserver: "10.22.1.1",
  searchDomain: "dns.berth",
};

test("buildResult(): bridge, veth and the container interface; the IP points at the container's", () => {
  const r = buildResult("1.0.0", a);
  assert.deepEqual(
    r.interfaces?.map((i) => i.name),
    ["berth1", "bth1234", "eth0"],
  );
  assert.equal(r.interfaces?.[2]?.sandbox, "/proc/42/ns/net");
  assert.deepEqual(r.ips, [{ address: "10.22.1.5/24", gateway: "10.22.1.1", interface: 2 }]);
  assert.deepEqual(r.routes, [{ dst: "0.0.0.0/0", gw: "10.22.1.1" }]);
  assert.deepEqual(r.dns, { nameservers: ["10.22.1.1"], search: ["dns.berth"] });
});

test("buildResult(): a 0.4.0 result carries the IP version; a previous result is kept in front", () => {
  assert.equal(buildResult("0.4.0", a).ips?.[0]?.version, "4");
  const prev = { cniVersion: "1.0.0", interfaces: [{ name: "lo0" }], ips: [{ address: "192.0.2.9/32", interface: 0 }], dns: { nameservers: ["192.0.2.53"] } };
  const r = buildResult("1.0.0", a, prev, { search: ["cluster.local"] });
  assert.deepEqual(
    r.interfaces?.map((i) => i.name),
    ["lo0", "berth1", "bth1234", "eth0"],
  );
  assert.equal(r.ips?.[1]?.interface, 3);
  assert.deepEqual(r.dns?.nameservers, ["192.0.2.53", "10.22.1.1"]);
  assert.deepEqual(r.dns?.search, ["cluster.local", "dns.berth"]);
});

test("buildResult(): the interface MTU only in 1.1.0 results (containerd 1.6's libcni reads up to 1.0.0)", () => {
  const withMtu: AttachedInterface = { ...a, container: { ...a.container, mtu: 1400 } };
  assert.equal(buildResult("1.1.0", withMtu).interfaces?.[2]?.mtu, 1400);
  for (const v of ["1.0.0", "0.4.0", "0.3.1"]) assert.equal(buildResult(v, withMtu).interfaces?.[2]?.mtu, undefined, v);
  assert.equal(buildResult("0.3.1", a).cniVersion, "0.3.1");
});

test("buildResult(): a dual-stack pod lists both addresses on its interface and a default route per family", () => {
  const dual: AttachedInterface = { ...a, address6: "fd00:22:1::5/64", gateway6: "fd00:22:1::1" };
  const r = buildResult("1.0.0", dual);
  assert.deepEqual(r.ips, [
    { address: "10.22.1.5/24", gateway: "10.22.1.1", interface: 2 },
    { address: "fd00:22:1::5/64", gateway: "fd00:22:1::1", interface: 2 },
  ]);
  assert.deepEqual(r.routes, [
    { dst: "0.0.0.0/0", gw: "10.22.1.1" },
    { dst: "::/0", gw: "fd00:22:1::1" },
  ]);
  assert.deepEqual(
    buildResult("0.4.0", dual).ips?.map((i) => i.version),
    ["4", "6"],
  );
});

test("buildResult(): an internal network's result lists no default route (Berth adds none there)", () => {
  assert.deepEqual(buildResult("1.0.0", { ...a, defaultRoute: false, address6: "fd00:22::5/64", gateway6: "fd00:22::1" }).routes, []);
});
