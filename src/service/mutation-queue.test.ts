import { test } from "node:test";
import assert from "node:assert/strict";
import { MutationQueue } from "./mutation-queue.js";

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
