import type { Engine } from "../context.js";
import { processAlive } from "../../process-alive.js";
import { forgetContainer } from "../container/forget-container.js";
import type { Container } from "../../model/container.js";
import { teardownContainerNetwork } from "../container/container-network.js";
import { releaseAdoptedNetworks } from "../sandbox/adopt-network.js";
import { syncDns } from "../sync/dns-sync.js";
import { messageOf } from "../../errors.js";

/** A container whose interrupted run or rm was rolled back, with what its teardown could not do. */
export interface RolledBack {
  readonly container: Container;
  /** Teardown steps that failed (empty when everything went). */
  readonly problems: readonly string[];
}

/**
 * Containers whose `run` or `rm` was interrupted (the berth process that
 * owned them died mid-way, e.g. kill -9): their row still says "creating" or
 * "removing". Cheap enough to check at the start of every command.
 */
export function interruptedContainers(engine: Engine): Container[] {
  return engine.store.containers
    .unfinished()
    .filter(
      (c) =>
        (c.status === "creating" || c.status === "removing" || (c.status === "running" && !c.detached)) &&
        c.ownerPid !== process.pid &&
        !processAlive(c.ownerPid),
    );
}

/**
 * Finish what a dead berth process left half-done: an interrupted run or rm
 * is rolled back (container removed with its veths, leases, bridge if
 * unused and namespace, and its names taken out of the DNS zone, which the
 * run may already have published); a foreground container whose berth died
 * is stopped.
 */
export async function repairInterrupted(engine: Engine): Promise<RolledBack[]> {
  const broken = interruptedContainers(engine);
  const out: RolledBack[] = [];
  for (const c of broken) {
    const networkIds = engine.store.attachments.forContainer(c.id).map((a) => a.networkId);
    try {
      // another engine's sandbox has no runtime state of Berth's
      if (c.managedBy === undefined) await engine.runtime.delete(c.id, { force: true });
    } catch {
      // the runtime never got that far
    }
    const errors = teardownContainerNetwork(engine, c);
    forgetContainer(engine, c.id);
    if (c.managedBy !== undefined) releaseAdoptedNetworks(engine, networkIds);
    out.push({ container: c, problems: errors.map(messageOf) });
  }
  if (broken.length > 0) await syncDns(engine);
  return out;
}
