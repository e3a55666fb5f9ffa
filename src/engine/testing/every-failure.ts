import assert from "node:assert/strict";
import { BerthError, messageOf, type ErrorCode } from "../../errors.js";
import { FakeEngine } from "./fake-engine.js";
import { reconcile } from "../commands/reconcile.js";

/** How a verb must leave things when one of its calls fails. */
export type FailureContract =
  /** Back where it started: store, kernel, firewall and runtime as before the verb. */
  | "atomic"
  /**
   * A teardown is a sweep: it goes on after a failure and reports it, so
   * it cannot be undone; the contract is that what its hints say (the
   * command again, `berth system reconcile`) finishes the job: the same
   * end state as a run that never failed, followed by reconcile. Running
   * it again may find its target gone (NOT_FOUND, NOT_CONNECTED).
   */
  | "sweep";

/** What a teardown run again may find: its target already gone. */
const GONE: ReadonlySet<ErrorCode> = new Set(["CONTAINER_NOT_FOUND", "NETWORK_NOT_FOUND", "NOT_CONNECTED"]);

export interface FailureCase<T> {
  /** Make the state the verb starts from (its calls are not failed). */
  readonly setup: (t: FakeEngine) => Promise<T> | T;
  /** The verb under test. */
  readonly verb: (t: FakeEngine, ctx: T) => Promise<unknown>;
  readonly contract: FailureContract;
  /**
   * For a sweep: what else the design leaves the rest to (after `stop`, the
   * next `rm` or `start` deletes what a failed cleanup left). Run after the
   * verb in the clean run too, so both end states compare.
   */
  readonly finish?: (t: FakeEngine, ctx: T) => Promise<unknown>;
}

export interface FailureReport {
  /** Calls the verb makes when nothing fails. */
  readonly calls: readonly string[];
  /** Failures the verb absorbed and succeeded anyway, with the call that failed. */
  readonly absorbed: readonly string[];
}

/**
 * Run the verb once per call it makes, failing that call (the n-th kernel,
 * firewall, runtime or resolver call, for every n), each time on a fresh
 * engine. Checks that the error names the failed call and that the
 * contract holds. Returns the clean run's calls and any failure the verb
 * absorbed (a read whose failure it tolerates, a sweep step it reports).
 */
export async function failEveryCall<T>(c: FailureCase<T>): Promise<FailureReport> {
  const clean = await cleanRun(c);
  const absorbed: string[] = [];
  const problems: string[] = [];
  for (let n = 1; n <= clean.calls.length; n++) {
    const t = new FakeEngine();
    try {
      const ctx = await c.setup(t);
      const before = t.state();
      t.faults.failAt = t.faults.calls.length + n;
      let error: unknown;
      try {
        await c.verb(t, ctx);
      } catch (e) {
        error = e;
      }
      const failed = t.faults.failed;
      assert.ok(failed !== undefined, `call ${n} of ${clean.calls.length} was never made (the verb's calls differ from the clean run's)`);
      t.faults.failAt = undefined;
      if (error === undefined) {
        absorbed.push(failed);
        assert.deepEqual(normalize(t.state()), normalize(clean.end), `the verb succeeded although ${failed} failed, but left a different state`);
        continue;
      }
      assert.ok(fullText(error).includes(`injected failure of ${failed}`), `the error does not name the failed call ${failed}: ${fullText(error)}`);
      // a verb whose own work was done and whose cleanup (a sweep) failed says TEARDOWN: reconcile finishes it
      const cleanupFailed = error instanceof BerthError && error.code === "TEARDOWN";
      if (c.contract === "atomic" && cleanupFailed) {
        await reconcile(t.engine);
        assert.deepEqual(normalize(t.state()), normalize(await cleanEndThenReconcile(c)), `reconcile after ${failed} failed in the cleanup does not finish it`);
      } else if (c.contract === "atomic") {
        assert.deepEqual(t.state(), before, `state differs after ${failed} failed: ${messageOf(error)}`);
      } else {
        await tolerateGone(c.verb(t, ctx));
        await tolerateGone(c.finish?.(t, ctx));
        await reconcile(t.engine);
        assert.deepEqual(normalize(t.state()), normalize(clean.end), `the command again and reconcile after ${failed} failed do not finish the job`);
      }
    } catch (e) {
      problems.push(`failing call ${n} (${t.faults.failed ?? "?"}): ${messageOf(e)}`);
    } finally {
      t.close();
    }
  }
  assert.deepEqual(problems, [], problems.join("\n\n"));
  return { calls: clean.calls, absorbed };
}

async function cleanRun<T>(c: FailureCase<T>): Promise<{ calls: string[]; end: ReturnType<FakeEngine["state"]> }> {
  const t = new FakeEngine();
  try {
    const ctx = await c.setup(t);
    const start = t.faults.calls.length;
    await c.verb(t, ctx);
    const calls = t.faults.calls.slice(start);
    if (c.contract === "sweep") {
      await tolerateGone(c.finish?.(t, ctx));
      await reconcile(t.engine);
    }
    return { calls, end: t.state() };
  } finally {
    t.close();
  }
}

async function cleanEndThenReconcile<T>(c: FailureCase<T>): Promise<ReturnType<FakeEngine["state"]>> {
  const t = new FakeEngine();
  try {
    const ctx = await c.setup(t);
    await c.verb(t, ctx);
    await reconcile(t.engine);
    return t.state();
  } finally {
    t.close();
  }
}

async function tolerateGone(p: Promise<unknown> | undefined): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof BerthError) || !GONE.has(e.code)) throw e;
  }
}

/** The error's message, its causes' and its rollback errors'. */
export function fullText(e: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (x: unknown) => {
    if (x === undefined || seen.has(x)) return;
    seen.add(x);
    parts.push(messageOf(x));
    if (x instanceof Error) walk(x.cause);
    const more = (x as { rollbackErrors?: unknown[]; errors?: readonly unknown[] }) ?? {};
    for (const r of more.rollbackErrors ?? []) walk(r);
    for (const r of more.errors ?? []) walk(r);
  };
  walk(e);
  return parts.join(" | ");
}

/**
 * State without what differs between two runs of the same verb: ids,
 * generated names, MAC addresses, timestamps, pids, random host ports.
 */
export function normalize(s: ReturnType<FakeEngine["state"]>): unknown {
  const text = JSON.stringify(s)
    .replace(/[0-9a-f]{64}/g, "<id>")
    .replace(/[0-9a-f]{12}/g, "<id12>")
    .replace(/bth[0-9a-f]+/g, "bth<hash>")
    .replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, "<mac>")
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<time>")
    .replace(/(pid|owner_pid|created|started|finished)=\d+/g, "$1=<n>");
  // sorted again: the order of rows came from the ids replaced above
  return JSON.parse(text, (_k, v: unknown) => (Array.isArray(v) ? [...(v as string[])].sort() : v)) as unknown;
}
