import { test } from "node:test";
import assert from "node:assert/strict";
import { runCniPlugin, type CniBackend } from "./plugin.js";
import { CniError } from "./cni-error.js";

const env = (command: string, over: Record<string, string> = {}) => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: "abc123",
  CNI_IFNAME: "eth0",
  CNI_NETNS: "/var/run/netns/x",
  CNI_PATH: "/opt/cni/bin",
  ...over,
});
const conf = (over: Record<string, unknown> = {}) => JSON.stringify({ cniVersion: "1.0.0", name: "pods", type: "berth", subnet: "10.22.1.0/24", ...over });

/** A backend that records its calls and attaches one interface. */
function fakeBackend(calls: string[], fail?: Error): () => Promise<CniBackend> {
  return async () => ({
    add: async (e) => {
      calls.push(`add ${e.containerId} ${e.ifname}`);
      if (fail) throw fail;
      return {
        bridge: { name: "cni-pods" },
        hostVeth: { name: "bth1" },
        container: { name: e.ifname, mac: "02:00:00:00:00:01", sandbox: e.netns, mtu: 1400 },
        address: "10.22.1.2/24",
        gateway: "10.22.1.1",
      };
    },
    del: async (e) => void calls.push(`del ${e.containerId} ${e.ifname}`),
    check: async () => void calls.push("check"),
    status: async () => void calls.push("status"),
    gc: async () => (calls.push("gc"), 0),
  });
}

test("DEL tears down by container id and interface whatever the configuration says (best effort)", async () => {
  for (const stdin of [
    conf({ runtimeConfig: { portMappings: [{ hostPort: "bad" }] } }),
    conf({ subnet: "garbage", bridgeMode: "x", ipam: {} }),
    conf({ cniVersion: "9.9.9" }),
    "{not json",
    "",
  ]) {
    const calls: string[] = [];
    const r = await runCniPlugin(env("DEL"), stdin, fakeBackend(calls));
    assert.equal(r.exitCode, 0, `${stdin}: ${r.stdout}`);
    assert.equal(r.stdout, "");
    assert.deepEqual(calls, ["del abc123 eth0"], stdin);
  }
  const calls: string[] = [];
  assert.equal((await runCniPlugin(env("DEL", { CNI_NETNS: "" }), conf(), fakeBackend(calls))).exitCode, 0, "an empty CNI_NETNS");
  assert.deepEqual(calls, ["del abc123 eth0"]);
});

test("every answer, results and errors alike, carries the configuration's cniVersion", async () => {
  for (const v of ["0.3.1", "0.4.0", "1.0.0", "1.1.0"]) {
    const add = await runCniPlugin(env("ADD"), conf({ cniVersion: v }), fakeBackend([]));
    assert.equal(add.exitCode, 0);
    const res = JSON.parse(add.stdout) as { cniVersion: string; ips: { version?: string }[]; interfaces: { mtu?: number }[] };
    assert.equal(res.cniVersion, v);
    assert.equal(res.ips[0]?.version, v.startsWith("0.") ? "4" : undefined, `${v}: ips[].version only before 1.0.0`);
    assert.equal(res.interfaces[2]?.mtu, v === "1.1.0" ? 1400 : undefined, `${v}: interface mtu only in 1.1.0`);
    const errors = [
      await runCniPlugin(env("ADD"), conf({ cniVersion: v, subnet: "bad" }), fakeBackend([])),
      await runCniPlugin(env("ADD", { CNI_IFNAME: "" }), conf({ cniVersion: v }), fakeBackend([])),
      await runCniPlugin(env("ADD"), conf({ cniVersion: v }), fakeBackend([], new CniError(11, "busy", "retry"))),
      await runCniPlugin(env("ADD"), conf({ cniVersion: v }), fakeBackend([], new Error("boom"))),
      await runCniPlugin(env("CHECK"), conf({ cniVersion: v, unknownField: 1 }), fakeBackend([])),
      await runCniPlugin(env("STATUS"), conf({ cniVersion: v, mtu: 1 }), fakeBackend([])),
    ];
    for (const e of errors) {
      assert.equal(e.exitCode, 1);
      assert.equal((JSON.parse(e.stdout) as { cniVersion: string }).cniVersion, v, e.stdout);
    }
  }
});

test("VERSION: a version the plugin speaks is echoed with the list; any other is error 1 'incompatible CNI version' with the list; no version gets the list", async () => {
  const calls: string[] = [];
  const list = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];
  const spoken = await runCniPlugin(env("VERSION"), JSON.stringify({ cniVersion: "0.4.0" }), fakeBackend(calls));
  assert.equal(spoken.exitCode, 0);
  assert.deepEqual(JSON.parse(spoken.stdout), { cniVersion: "0.4.0", supportedVersions: list });
  for (const [stdin, answeredIn] of [
    [JSON.stringify({ cniVersion: "9.9.9" }), "9.9.9"],
    [JSON.stringify({ cniVersion: "0.2.0" }), "0.2.0"],
    [JSON.stringify({ cniVersion: "../../etc" }), "1.1.0"],
    [JSON.stringify({ cniVersion: 1 }), "1.1.0"],
    ["{not json", "1.1.0"],
  ] as const) {
    const r = await runCniPlugin(env("VERSION"), stdin, fakeBackend(calls));
    assert.equal(r.exitCode, 1, stdin);
    const body = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(
      { ...body, details: undefined },
      { cniVersion: answeredIn, code: 1, msg: "incompatible CNI version", details: undefined, supportedVersions: list },
      stdin,
    );
    assert.match(String(body["details"]), /this plugin supports 0\.3\.0, 0\.3\.1, 0\.4\.0, 1\.0\.0, 1\.1\.0/);
  }
  for (const stdin of ["", JSON.stringify({})]) {
    const r = await runCniPlugin(env("VERSION"), stdin, fakeBackend(calls));
    assert.equal(r.exitCode, 0, stdin);
    assert.deepEqual(JSON.parse(r.stdout), { cniVersion: "1.1.0", supportedVersions: list });
  }
  assert.deepEqual(calls, [], "VERSION never loads the engine");
});
