import { test } from "node:test";
import assert from "node:assert/strict";
import { attachSandbox, createNetwork, reconcile, removeNetwork, runContainer } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { ownedTrustedSources } from "./trusted-zone.js";
import { BerthError } from "../../errors.js";

async function withFake(fn: (t: FakeEngine) => Promise<void> | void): Promise<void> {
  const t = new FakeEngine();
  try {
    await fn(t);
  } finally {
    t.close();
  }
}

test("without firewalld, a network costs one running() question and nothing is recorded", () =>
  withFake((t) => {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24", ipv6: false });
    assert.deepEqual(t.firewalld.calls, ["running"]);
    assert.deepEqual(ownedTrustedSources(t.engine), []);
  }));

test("with firewalld, network create binds its IPv4 and IPv6 subnets to the trusted zone and network rm unbinds them", () =>
  withFake(async (t) => {
    t.firewalld.isRunning = true;
    createNetwork(t.engine, { name: "web", subnet: ["10.77.0.0/24", "fd00:77::/64"] });
    assert.deepEqual(t.firewalld.sources("trusted"), ["10.77.0.0/24", "fd00:77::/64"]);
    assert.deepEqual(
      ownedTrustedSources(t.engine).map((o) => o.source),
      ["10.77.0.0/24", "fd00:77::/64"],
    );
    await removeNetwork(t.engine, "web");
    assert.deepEqual(t.firewalld.sources("trusted"), []);
    assert.deepEqual(ownedTrustedSources(t.engine), []);
  }));

test("a source already in the trusted zone before Berth is kept when the network goes; one in another zone is left there", () =>
  withFake(async (t) => {
    t.firewalld.isRunning = true;
    t.firewalld.zones.set("10.77.0.0/24", "trusted");
    t.firewalld.zones.set("10.78.0.0/24", "internal");
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    createNetwork(t.engine, { name: "db", subnet: "10.78.0.0/24" });
    assert.deepEqual(ownedTrustedSources(t.engine), []);
    assert.equal(t.firewalld.zones.get("10.78.0.0/24"), "internal");
    const r = await reconcile(t.engine);
    assert.ok(
      r.problems.some((p) => p.includes('10.78.0.0/24 of network db is in firewalld\'s zone "internal"')),
      r.problems.join("\n"),
    );
    await removeNetwork(t.engine, "web");
    await removeNetwork(t.engine, "db");
    assert.equal(t.firewalld.zones.get("10.77.0.0/24"), "trusted");
    assert.equal(t.firewalld.zones.get("10.78.0.0/24"), "internal");
  }));

test("after firewalld lost its runtime configuration, reconcile, a run and a sandbox setup bind the subnets again", () =>
  withFake(async (t) => {
    t.firewalld.isRunning = true;
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    // firewall-cmd --reload: runtime sources are gone
    t.firewalld.zones.clear();
    const r = await reconcile(t.engine);
    assert.ok(r.actions.includes("added 10.77.0.0/24 (network web) to firewalld's trusted zone"), r.actions.join("\n"));
    t.firewalld.zones.clear();
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web"] });
    assert.deepEqual(t.firewalld.sources("trusted"), ["10.77.0.0/24"]);
    t.firewalld.zones.clear();
    t.kernel.addNamespace("/fake/run/netns/p");
    await attachSandbox(t.engine, {
      managedBy: "podman",
      id: "p".repeat(64),
      name: "pod",
      netns: "/fake/run/netns/p",
      networks: [{ network: "web", ifname: "eth0" }],
      ports: [],
    });
    assert.deepEqual(t.firewalld.sources("trusted"), ["10.77.0.0/24"]);
  }));

test("a network removed while firewalld was stopped leaves nothing to unbind; the record goes with firewalld", () =>
  withFake(async (t) => {
    t.firewalld.isRunning = true;
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    t.firewalld.isRunning = false;
    t.firewalld.zones.clear();
    await removeNetwork(t.engine, "web");
    assert.deepEqual(ownedTrustedSources(t.engine), []);
    // an admin binds the same subnet later: Berth never unbinds it
    t.firewalld.isRunning = true;
    t.firewalld.zones.set("10.77.0.0/24", "trusted");
    await reconcile(t.engine);
    assert.equal(t.firewalld.zones.get("10.77.0.0/24"), "trusted");
  }));

test("firewalld refusing a source fails network create with FIREWALLD and leaves no network", () =>
  withFake((t) => {
    t.firewalld.isRunning = true;
    t.firewalld.addSource = () => {
      throw new BerthError("FIREWALLD", "Cannot add 10.77.0.0/24 to firewalld's trusted zone: INVALID_ZONE", { hint: "h" });
    };
    assert.throws(
      () => createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" }),
      (e: unknown) => e instanceof BerthError && e.code === "FIREWALLD",
    );
    assert.equal(t.engine.store.networks.byName("web"), undefined);
    assert.deepEqual(t.firewall.networks, [], "the network's sets are synced away again");
  }));
