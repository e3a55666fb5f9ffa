import { test } from "node:test";
import assert from "node:assert/strict";
import { ForwardGate } from "./forward-gate.js";

test("ForwardGate: a client's rate is a token bucket; other clients have their own", () => {
  const g = ForwardGate.create({ perClientRate: 10, perClientBurst: 5 });
  const t0 = 1_000_000;
  assert.deepEqual(
    Array.from({ length: 7 }, () => g.enter("10.0.0.2", t0)),
    ["ok", "ok", "ok", "ok", "ok", "rate", "rate"],
  );
  assert.equal(g.enter("10.0.0.3", t0), "ok", "another client is not slowed");
  assert.equal(g.enter("10.0.0.2", t0 + 100), "ok", "one token back after 100 ms at 10/s");
  assert.equal(g.enter("10.0.0.2", t0 + 100), "rate");
  assert.equal(g.stats().rateLimited, 3);
});

test("ForwardGate: pending forwards never exceed the total; leave() gives the slot back; the peak is kept", () => {
  const g = ForwardGate.create({ maxPending: 3, perClientBurst: 100 });
  const got = ["a", "b", "c", "d", "e"].map((c) => g.enter(c, 0));
  assert.deepEqual(got, ["ok", "ok", "ok", "full", "full"]);
  g.leave();
  assert.equal(g.enter("f", 0), "ok");
  assert.deepEqual({ ...g.stats() }, { pending: 3, peakPending: 3, forwarded: 4, refusedFull: 2, refusedClientFull: 0, rateLimited: 0 });
});

test("ForwardGate: one client's pending forwards are capped, and another thread's view shares the counters", () => {
  const g = ForwardGate.create({ maxPendingPerClient: 2 });
  assert.deepEqual([g.claimClient("x"), g.claimClient("x"), g.claimClient("x"), g.claimClient("y")], [true, true, false, true]);
  g.releaseClient("x");
  assert.equal(g.claimClient("x"), true);
  const other = ForwardGate.attach(g.shared, g.limits);
  assert.equal(other.enter("z", 0), "ok");
  assert.equal(g.stats().pending, 1, "a slot taken through the other view");
  g.leave();
  assert.equal(other.stats().pending, 0);
  assert.equal(g.stats().refusedClientFull, 1);
});
