import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { containerRunDir } from "../../paths.js";
import { finishContainer } from "./container-cleanup.js";
import { startContainer, stoppedByUser } from "./container-start.js";
import { fromConfig } from "../container/container-annotations.js";
import { shouldRestart } from "../container/run-process-options.js";

/** How many times the restart policy has started the container again (a file in its run directory). */
const RESTARTS = "restarts";

export function restartCount(engine: Engine, id: string): number {
  try {
    const n = Number(readFileSync(join(containerRunDir(engine.paths, id), RESTARTS), "utf8"));
    return Number.isInteger(n) ? n : 0;
  } catch {
    return 0;
  }
}

/**
 * `berth container cleanup ID`, which conmon runs when a detached container
 * exits: record the exit and take its network down, then apply its restart
 * policy (`--restart`): start it again, network and all, unless the user
 * stopped or killed it. This is how conmon supervises a container with no
 * berth process or daemon alive. Returns whether it was restarted.
 */
export async function cleanupContainer(engine: Engine, id: string): Promise<boolean> {
  // conmon runs this after the process it watched has exited; if the runtime
  // has a running process for the id, that is a newer instance (`restart`
  // started it before this cleanup got its turn), which is not ours to finish
  if ((await engine.runtime.state(id)).status === "running") return false;
  const before = engine.store.containers.byId(id);
  await finishContainer(engine, id, engine.runtime.exitCode(id));
  const c = engine.store.containers.byId(id);
  // only the cleanup that saw it running decides (stop runs finishContainer itself too)
  if (!c || before?.status !== "running" || c.status !== "exited") return false;
  const policy = fromConfig(engine.runtime.bundleConfig(id)).restart;
  const restarts = restartCount(engine, id);
  if (!shouldRestart(policy, c.exitCode, restarts, stoppedByUser(engine, id))) return false;
  writeFileSync(join(containerRunDir(engine.paths, id), RESTARTS), String(restarts + 1));
  await startContainer(engine, id);
  return true;
}
