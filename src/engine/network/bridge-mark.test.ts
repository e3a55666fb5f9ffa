import { test } from "node:test";
import assert from "node:assert/strict";
import { createNetwork, reconcile, removeContainer, resetSystem, runContainer } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { BERTH_BRIDGE_MARK, isBerthBridge } from "./bridge-mark.js";

test("isBerthBridge(): a bridge with Berth's mark or a berthN name; nothing else", () => {
  assert.equal(isBerthBridge({ kind: "bridge", name: "cni0", alias: BERTH_BRIDGE_MARK }), true);
  assert.equal(isBerthBridge({ kind: "bridge", name: "berth3", alias: undefined }), true);
  assert.equal(isBerthBridge({ kind: "bridge", name: "cni0", alias: undefined }), false);
  assert.equal(isBerthBridge({ kind: "bridge", name: "docker0", alias: "berth" }), false);
  assert.equal(isBerthBridge({ kind: "veth", name: "x", alias: BERTH_BRIDGE_MARK }), false);
});

test("a bridge Berth makes carries the mark, whatever its name", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24", interfaceName: "br-web" });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web"] });
    assert.equal(t.kernel.host.linkByName("br-web")?.alias, BERTH_BRIDGE_MARK);
  } finally {
    t.close();
  }
});

test("reconcile removes a marked bridge no network has and keeps unmarked ones and a network's external bridge", async () => {
  const t = new FakeEngine();
  try {
    const h = t.kernel.host;
    const orphan = h.bridgeAdd({ name: "cni0" });
    h.linkSetAlias(orphan.index, BERTH_BRIDGE_MARK);
    h.bridgeAdd({ name: "br-user" });
    const ext = h.bridgeAdd({ name: "br-ext" });
    h.addrAdd(ext.index, "10.80.0.1", 24);
    createNetwork(t.engine, { name: "ext", subnet: "10.80.0.0/24", gateway: "10.80.0.1", interfaceName: "br-ext" });
    assert.equal(t.engine.store.networks.byName("ext")?.bridgeExternal, true);
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["ext"] });
    await removeContainer(t.engine, "app", { force: true });

    const report = await reconcile(t.engine);
    assert.ok(report.actions.includes("removed unused bridge cni0"), report.actions.join("\n"));
    assert.equal(h.linkByName("cni0"), undefined);
    assert.notEqual(h.linkByName("br-user"), undefined, "a bridge Berth did not make stays");
    assert.notEqual(h.linkByName("br-ext"), undefined, "the bridge a network found on the host stays");
    assert.equal(h.linkByName("br-ext")?.alias, undefined, "and is not marked");

    await resetSystem(t.engine);
    assert.notEqual(h.linkByName("br-user"), undefined);
    assert.notEqual(h.linkByName("br-ext"), undefined, "reset leaves a bridge it did not make");
  } finally {
    t.close();
  }
});
