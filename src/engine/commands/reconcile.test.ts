// `berth system reconcile` deletes leaked veths and unused bridges under the
// store's write lock: an attach in another process (which makes its veth
// and records it in one write transaction) can never lose its veth to a
// reconcile that read the store before that transaction committed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { reconcile } from "../index.js";
import { FakeEngine } from "../testing/fake-engine.js";

test("reconcile removes a leaked veth and an unused bridge inside the store's write lock", async () => {
  const t = new FakeEngine();
  try {
    t.kernel.addHostLink("bth0123456789a", "veth");
    t.kernel.addHostLink("berth7", "bridge");
    const host = t.engine.host;
    const remove = host.linkRemove.bind(host);
    const seen: [string, boolean][] = [];
    host.linkRemove = (name: string) => {
      seen.push([name, t.engine.store.db.inTransaction]);
      return remove(name);
    };
    const r = await reconcile(t.engine);
    assert.deepEqual(seen.sort(), [
      ["berth7", true],
      ["bth0123456789a", true],
    ]);
    assert.ok(r.actions.includes("removed leaked veth bth0123456789a"), r.actions.join("\n"));
    assert.ok(r.actions.includes("removed unused bridge berth7"), r.actions.join("\n"));
    assert.equal(host.linkByName("bth0123456789a"), undefined);
  } finally {
    t.close();
  }
});
