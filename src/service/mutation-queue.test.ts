import { test } from "node:test";
import assert from "node:assert/strict";
import { changeWaitMs, DEFAULT_CHANGE_WAIT_MS, MutationQueue } from "./mutation-queue.js";
import { isBerthError } from "../errors.js";

test("changes run one at a time, in the order they came", async () => {
  const q = new MutationQueue();
  const log: string[] = [];
  let inside = 0;
  const change = (name: string) =>
    q.run(async () => {
      inside++;
      assert.equal(inside, 1, "never two at once");
      log.push(`${name} start`);
      await new Promise((r) => setImmediate(r));
      log.push(`${name} end`);
      inside--;
      return name;
    });
  const results = await Promise.all([change("a"), change("b"), change("c")]);
  assert.deepEqual(results, ["a", "b", "c"]);
  assert.deepEqual(log, ["a start", "a end", "b start", "b end", "c start", "c end"]);
});

test("a change that throws does not stop the ones after it", async () => {
  const q = new MutationQueue();
  const failed = q.run(() => Promise.reject(new Error("boom")));
  const next = q.run(() => Promise.resolve("next"));
  await assert.rejects(failed, /boom/);
  assert.equal(await next, "next");
  await q.idle();
  assert.equal(q.depth, 0);
});

test("a change that waits longer than the limit is dropped unstarted with SERVICE_BUSY naming the holder; the queue goes on in order", async () => {
  let clock = 0;
  const q = new MutationQueue(50, () => clock);
  const releaseStuck = await q.acquire("berth run");
  clock = 120_000;
  let started = false;
  const waiting = q.run(async () => {
    started = true;
  }, "netavark setup");
  const after = q.acquire("CNI ADD");
  await assert.rejects(waiting, (e: unknown) => {
    assert.ok(isBerthError(e));
    assert.equal(e.code, "SERVICE_BUSY");
    assert.match(e.message, /waited 0 s for its turn and was not started; another change holds the Berth service: berth run, for 120 s/);
    assert.match(e.hint ?? "", /ps -o pid,etime,args --ppid [0-9]+/);
    return true;
  });
  await assert.rejects(after, { code: "SERVICE_BUSY" });
  assert.equal(started, false, "never started");
  assert.equal(q.depth, 1, "only the holder is left");

  // the holder ends: the next change gets the turn at once, and idle() resolves after it
  releaseStuck();
  const order: string[] = [];
  await Promise.all([q.run(async () => void order.push("a"), "a"), q.run(async () => void order.push("b"), "b")]);
  assert.deepEqual(order, ["a", "b"]);
  await q.idle();
  assert.equal(q.depth, 0);
});

test("BERTH_CHANGE_WAIT sets the wait in seconds; nonsense keeps the default", () => {
  assert.equal(changeWaitMs({ BERTH_CHANGE_WAIT: "2" }), 2000);
  assert.equal(changeWaitMs({ BERTH_CHANGE_WAIT: "0" }), DEFAULT_CHANGE_WAIT_MS);
  assert.equal(changeWaitMs({ BERTH_CHANGE_WAIT: "soon" }), DEFAULT_CHANGE_WAIT_MS);
  assert.equal(changeWaitMs({}), DEFAULT_CHANGE_WAIT_MS);
});
