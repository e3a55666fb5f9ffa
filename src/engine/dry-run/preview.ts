import type { Engine } from "../context.js";
import { ChangePlan, type PlannedChange } from "./planned-change.js";

class RollBack extends Error {}

/**
 * Run a verb's own planning code for --dry-run: inside one store
 * transaction that is always rolled back, with the engine recording kernel,
 * firewall, DNS and runtime steps into a plan instead of making them. The
 * verb validates, leases addresses and picks ports exactly as it would; the
 * state database, the kernel and the nft table are left as they were.
 */
export function preview(engine: Engine, fn: (plan: ChangePlan) => void): PlannedChange[] {
  const plan = new ChangePlan();
  engine.plan = plan;
  try {
    engine.store.write(() => {
      fn(plan);
      throw new RollBack();
    });
  } catch (e) {
    if (!(e instanceof RollBack)) throw e;
  } finally {
    engine.plan = undefined;
  }
  return plan.changes;
}
