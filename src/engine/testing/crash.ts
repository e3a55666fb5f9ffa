import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { onFaultPoint } from "../fault.js";
import { reconcile } from "../commands/reconcile.js";
import { normalize, type FailureCase } from "./every-failure.js";
import { FakeEngine } from "./fake-engine.js";

class Crash extends Error {}

/**
 * Kill the verb at the fault point `step` (engine/fault.ts) as a crash
 * would: what was committed and done stays, nothing after it happens
 * (no catch block, no undo). Then a new process runs `reconcile` (the
 * first step of every berth command repairs interrupted ones; reconcile
 * also sweeps the kernel). The result must be one of the two consistent
 * states: as if the verb never ran, or as if it had finished.
 * Returns which.
 */
export async function crashAt<T>(step: string, c: Pick<FailureCase<T>, "setup" | "verb">): Promise<"rolled back" | "finished"> {
  const start = await consistent(c, false);
  const end = await consistent(c, true);
  const t = new FakeEngine();
  try {
    const ctx = await c.setup(t);
    let committed: Buffer | undefined;
    onFaultPoint((s) => {
      if (s !== step || committed !== undefined) return;
      committed = t.crash();
      throw new Crash(`crashed at ${s}`);
    });
    try {
      await c.verb(t, ctx);
    } catch {
      // the process is dead: whatever it threw is nobody's
    } finally {
      onFaultPoint(undefined);
    }
    assert.ok(committed, `the verb never reached fault point ${step}`);
    t.restart(committed);
    await reconcile(t.engine);
    const after = normalize(t.state());
    if (isDeepStrictEqual(after, start)) return "rolled back";
    assert.deepEqual(after, end, `after a crash at ${step} and reconcile, the state is neither as before the verb nor as after it`);
    return "finished";
  } finally {
    t.close();
  }
}

/** The state after setup (and the verb, when `ran`), then reconcile, normalized. */
async function consistent<T>(c: Pick<FailureCase<T>, "setup" | "verb">, ran: boolean): Promise<unknown> {
  const t = new FakeEngine();
  try {
    const ctx = await c.setup(t);
    if (ran) await c.verb(t, ctx);
    await reconcile(t.engine);
    return normalize(t.state());
  } finally {
    t.close();
  }
}
