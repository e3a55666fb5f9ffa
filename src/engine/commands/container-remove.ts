import type { Engine } from "../context.js";
import { forgetContainer } from "../container/forget-container.js";
import type { Container } from "../../model/container.js";
import { shortId } from "../../model/container.js";
import { BerthError, TeardownError } from "../../errors.js";
import { requireContainer } from "../network/network-lookup.js";
import { teardownContainerNetwork } from "../container/container-network.js";
import { syncDns } from "../sync/dns-sync.js";
import { finishContainer } from "./container-cleanup.js";
import { faultPoint } from "../fault.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { markStoppedByUser } from "./container-start.js";

/** `berth stop [-t S] NAME`: SIGTERM, then SIGKILL after the timeout; then network cleanup. */
export async function stopContainer(engine: Engine, nameOrId: string, timeoutSec = 10, opts: { onKill?: (c: Container) => void } = {}): Promise<Container> {
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "stop");
  if (c.status === "running") {
    markStoppedByUser(engine, c.id);
    await engine.runtime.stop(c.id, timeoutSec, "SIGTERM", { onKill: () => opts.onKill?.(c) });
    await finishContainer(engine, c.id, engine.runtime.exitCode(c.id));
  }
  return engine.store.containers.byId(c.id) ?? c;
}

/** `rm` without -f refuses a running container. */
export function refuseRunning(c: Container, force: boolean): void {
  if (c.status === "running" && !force) {
    throw new BerthError("CONTAINER_RUNNING", `Cannot remove container "${c.name}" (${shortId(c.id)}): it is running`, {
      hint: `Stop it first with \`berth stop ${c.name}\`, or use \`berth rm -f ${c.name}\``,
    });
  }
}

/**
 * `berth rm [-f] NAME`: a running container needs -f (it is then killed).
 * Teardown is a sweep: it keeps going after errors and reports all of them.
 */
export async function removeContainer(engine: Engine, nameOrId: string, opts: { force?: boolean } = {}): Promise<Container> {
  const c = requireContainer(engine, nameOrId);
  refuseForeign(c, "remove");
  const dependents = engine.store.containers.dependents(c.id);
  if (dependents.length > 0 && !opts.force) {
    throw new BerthError(
      "CONTAINER_RUNNING",
      `Cannot remove container "${c.name}": ${dependents.map((d) => `"${d.name}"`).join(", ")} share its network namespace`,
      {
        hint: `Remove those first, or use \`berth rm -f ${c.name}\` to remove them too`,
      },
    );
  }
  refuseRunning(c, opts.force ?? false);
  markStoppedByUser(engine, c.id);
  for (const d of dependents) await removeContainer(engine, d.id, { force: true });
  engine.store.write(() => engine.store.containers.setStatus(c.id, "removing", { ownerPid: process.pid }));
  const errors: unknown[] = [];
  let runtimeDeleted = true;
  try {
    await engine.runtime.delete(c.id, { force: true });
  } catch (e) {
    errors.push(e);
    runtimeDeleted = false;
  }
  faultPoint("rm:after-runtime");
  errors.push(...teardownContainerNetwork(engine, c));
  faultPoint("rm:after-network");
  // a container the runtime still has is kept (exited), so that `rm` again can delete it: forgotten, nothing would find it
  if (runtimeDeleted) forgetContainer(engine, c.id);
  else engine.store.write(() => engine.store.containers.setStatus(c.id, "exited", { ownerPid: null, pid: null }));
  await syncDns(engine);
  if (errors.length > 0) {
    const err = new TeardownError(`remove container "${c.name}"`, errors);
    throw runtimeDeleted ? err : new BerthError("TEARDOWN", err.message, { hint: `Run \`berth rm ${c.name}\` again`, cause: err });
  }
  return c;
}
