import { test } from "node:test";
import assert from "node:assert/strict";
import { runAfterReply } from "./exec-programs.js";
import type { RequestContext } from "./request-context.js";

function context(): RequestContext & { afterReply: NonNullable<RequestContext["afterReply"]> } {
  return {
    engine: () => {
      throw new Error("no engine here");
    },
    repair: true,
    stdout: [],
    stderr: [],
    afterReply: [],
  };
}

test("work deferred past the reply: a background start ends its part of the turn when it resolves, in order, and a failure is logged, not thrown", async (t) => {
  const ctx = context();
  const order: string[] = [];
  let letGo: () => void = () => undefined;
  ctx.afterReply.push({
    run: () => order.push("run (not in the service)"),
    start: () =>
      new Promise<void>((resolve) => {
        letGo = () => {
          order.push("name free");
          resolve();
        };
      }),
  });
  ctx.afterReply.push({ run: () => order.push("the next deferred work") });
  const turn = runAfterReply(ctx).then(() => order.push("turn over"));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([...order], [], "the turn waits for the background start");
  letGo();
  await turn;
  assert.deepEqual([...order], ["name free", "the next deferred work", "turn over"]);

  const logged: string[] = [];
  t.mock.method(process.stderr, "write", (s: string) => logged.push(s));
  ctx.afterReply.push({ run: () => undefined, start: () => Promise.reject(new Error("the kernel said no")) });
  ctx.afterReply.push({ run: () => order.push("still run") });
  await runAfterReply(ctx);
  assert.equal(order.at(-1), "still run");
  assert.match(logged.join(""), /deferred work failed: the kernel said no/);
});
