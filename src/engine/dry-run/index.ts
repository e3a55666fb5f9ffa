import type { Engine } from "../context.js";
import type { RunOptions } from "../container/run-options.js";
import { runContainer } from "../commands/container-run.js";
import { removeContainer } from "../commands/container-remove.js";
import { createNetwork, type NetworkCreateOptions } from "../commands/network-create.js";
import { connectNetwork, disconnectNetwork, type ConnectOptions } from "../commands/network-connect.js";
import { dryRun } from "./preview.js";
import type { PlannedChange } from "./planned-change.js";

export { renderPlan, type PlannedChange } from "./planned-change.js";
export { dryRun } from "./preview.js";

/** `berth run --dry-run`: the run up to the container's start (see preview.ts). */
export function dryRunContainer(engine: Engine, opts: RunOptions): Promise<PlannedChange[]> {
  return dryRun(engine, (e) => runContainer(e, opts));
}

/** `berth network create --dry-run`. */
export function dryRunNetworkCreate(engine: Engine, opts: NetworkCreateOptions): Promise<PlannedChange[]> {
  return dryRun(engine, (e) => createNetwork(e, opts));
}

/** `berth network connect --dry-run`. */
export function dryRunConnect(engine: Engine, netName: string, ctrName: string, opts: ConnectOptions): Promise<PlannedChange[]> {
  return dryRun(engine, (e) => connectNetwork(e, netName, ctrName, opts));
}

/** `berth network disconnect --dry-run`. */
export function dryRunDisconnect(engine: Engine, netName: string, ctrName: string): Promise<PlannedChange[]> {
  return dryRun(engine, (e) => disconnectNetwork(e, netName, ctrName));
}

/** `berth rm --dry-run` of each container in turn; `skipGone`: one already removed with another (`rm --all`) is skipped. */
export function dryRunRemove(engine: Engine, names: readonly string[], force: boolean, skipGone = false): Promise<PlannedChange[]> {
  return dryRun(engine, async (e) => {
    for (const n of names) {
      if (skipGone && !e.store.containers.byId(n)) continue;
      await removeContainer(e, n, { force });
    }
  });
}
export { rehearseAttach } from "./warm-up.js";
