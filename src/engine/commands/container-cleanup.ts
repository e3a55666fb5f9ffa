import type { Engine } from "../context.js";
import { forgetContainer } from "../container/forget-container.js";
import { teardownContainerNetwork } from "../container/container-network.js";
import { syncDns } from "../sync/dns-sync.js";
import { TeardownError } from "../../errors.js";

/**
 * The container's process has exited (foreground run returned, or conmon ran
 * `berth container cleanup`): record the exit code, take its network down,
 * and remove it entirely when it was started with --rm. Safe to call twice
 * and from two processes at once: the status check happens under the lock.
 */
export async function finishContainer(engine: Engine, id: string, exitCode: number | undefined): Promise<void> {
  const c = engine.store.write(() => {
    const cur = engine.store.containers.byId(id);
    if (!cur || cur.status === "exited" || cur.status === "removing") return undefined;
    engine.store.containers.setStatus(id, "exited", { exitCode: exitCode ?? null, pid: null, ownerPid: null, finished: new Date().toISOString() });
    return cur;
  });
  if (!c) return;
  const errors: unknown[] = [];
  try {
    await engine.runtime.delete(id, { force: true });
  } catch (e) {
    errors.push(e);
  }
  errors.push(...teardownContainerNetwork(engine, c));
  await syncDns(engine);
  if (c.autoRemove) {
    forgetContainer(engine, id);
  }
  if (errors.length > 0) throw new TeardownError(`clean up container "${c.name}"`, errors);
}
