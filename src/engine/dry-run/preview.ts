import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Engine } from "../context.js";
import { inlineDeferredWork } from "../resident.js";
import { ChangePlan, type PlannedChange } from "./planned-change.js";
import { RecordingKernel } from "./recording-kernel.js";
import { RecordingFirewall } from "./recording-firewall.js";
import { recordingFirewalld } from "./recording-firewalld.js";
import { RecordingRuntime, recordingResolver } from "./recording-runtime.js";
import { storeChanges, storeRows } from "./store-changes.js";

/**
 * Run a verb for --dry-run: the verb's own code, unchanged, on an engine
 * whose kernel, firewall, runtime and resolver record each change instead
 * of making it (their reads answer from the real ones, so validation and
 * conflicts are exactly those of a real run), and whose store writes happen
 * inside one transaction that is always rolled back. Files the verb writes
 * (/etc files, the DNS zone, bundles) go to a temporary run directory that
 * is removed. The plan is what the verb changed in the store, then the
 * recorded steps in their order; it ends where the container would start.
 */
export async function dryRun(engine: Engine, verb: (dry: Engine) => unknown): Promise<PlannedChange[]> {
  const plan = new ChangePlan();
  const store = engine.store;
  const nameOfNetns = (path: string) => store.containers.list().find((c) => c.netns === path)?.name ?? path;
  const nameOfId = (id: string) => {
    const c = store.containers.byId(id);
    return c ? `${c.name} (${id.slice(0, 12)})` : id.slice(0, 12);
  };
  let started = (): void => undefined;
  const start = new Promise<void>((resolve) => (started = resolve));
  const runDir = mkdtempSync(join(tmpdir(), "berth-dry-run-"));
  const dry = new Engine({
    paths: { ...engine.paths, runDir, exitDir: join(runDir, "exits") },
    store,
    kernel: new RecordingKernel(engine.kernel, plan, nameOfNetns),
    firewall: () => new RecordingFirewall(engine.firewall, plan),
    runtime: new RecordingRuntime(engine.runtime, plan, nameOfId, () => started()),
    resolver: recordingResolver(plan),
    firewalld: recordingFirewalld(engine.firewalld, plan),
  });
  // every store.write() of the verb nests in this transaction (as a savepoint). The
  // recording dependencies settle their promises at once, so the verb runs to its end
  // (or its start) in microtasks: in the service, no other request's read can run on
  // this connection and see the rows before they are rolled back.
  store.db.exec("BEGIN IMMEDIATE");
  // the dry engine's DNS publish reads the store's change log: keep the real engine's for it, drop the dry run's
  const pending = store.changes.take();
  const deferredInline = inlineDeferredWork();
  try {
    const before = storeRows(store);
    await Promise.race([Promise.resolve().then(() => verb(dry)), start]);
    return [...storeChanges(before, storeRows(store)), ...plan.changes];
  } finally {
    deferredInline();
    if (store.db.inTransaction) store.db.exec("ROLLBACK");
    store.changes.take();
    store.changes.add(pending);
    rmSync(runDir, { recursive: true, force: true });
  }
}
