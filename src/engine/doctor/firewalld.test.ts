import { test } from "node:test";
import assert from "node:assert/strict";
import { createNetwork, reconcile, runContainer } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";
import { checkFirewalld } from "./firewalld.js";

const wholeHost = (t: FakeEngine) => ({ wholeHost: true, networks: t.engine.store.networks.list(), containers: t.engine.store.containers.list() });

test("doctor: where firewalld runs, a network's subnet that lost the trusted zone (a reload) is an error whose fix is reconcile; after it, nothing", async () => {
  const t = new FakeEngine();
  try {
    t.firewalld.isRunning = true;
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    createNetwork(t.engine, { name: "idle", subnet: "10.78.0.0/24" });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web"] });
    assert.deepEqual(checkFirewalld(t.engine, wholeHost(t)), [], "bound at create: nothing to say");

    t.firewalld.zones.clear(); // firewall-cmd --reload drops runtime sources
    const [f, ...more] = checkFirewalld(t.engine, wholeHost(t));
    assert.equal(more.length, 0, "a network without containers is not reported");
    assert.equal(f?.code, "FIREWALLD_NO_ZONE");
    assert.equal(f?.severity, "error");
    assert.match(f?.summary ?? "", /10\.77\.0\.0\/24, the subnet of network web \(1 container\)/);
    assert.match(f?.fix ?? "", /^berth system reconcile/);

    await reconcile(t.engine);
    assert.deepEqual(checkFirewalld(t.engine, wholeHost(t)), [], "the fix it names works");
  } finally {
    t.close();
  }
});

test("doctor: a subnet another firewalld zone holds is a warning naming the zone; without firewalld it is not asked", async () => {
  const t = new FakeEngine();
  try {
    createNetwork(t.engine, { name: "web", subnet: "10.77.0.0/24" });
    await runContainer(t.engine, { command: ["sleep", "60"], name: "app", detach: true, networks: ["web"] });
    t.firewalld.zones.set("10.77.0.0/24", "public");
    t.firewalld.calls.length = 0;
    assert.deepEqual(checkFirewalld(t.engine, wholeHost(t)), []);
    assert.deepEqual(t.firewalld.calls, ["running"], "only whether it runs");

    t.firewalld.isRunning = true;
    const [f] = checkFirewalld(t.engine, wholeHost(t));
    assert.equal(f?.code, "FIREWALLD_OTHER_ZONE");
    assert.equal(f?.severity, "warning");
    assert.match(f?.summary ?? "", /zone "public" holds 10\.77\.0\.0\/24/);
    assert.match(f?.fix ?? "", /firewall-cmd --zone=public --remove-source=10\.77\.0\.0\/24/);
  } finally {
    t.close();
  }
});
