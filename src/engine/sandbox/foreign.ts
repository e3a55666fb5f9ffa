import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { BerthError } from "../../errors.js";
import { netnsExists } from "../../kernel/index.js";

/** Whether another engine (Podman, a CNI runtime) owns the container; Berth only made its network. */
export function isForeign(c: Container): boolean {
  return c.managedBy !== undefined;
}

/** Berth's lifecycle verbs (rm, stop, connect, exec...) do not act on another engine's containers. */
export function refuseForeign(c: Container, verb: string): void {
  if (c.managedBy === undefined) return;
  throw new BerthError("MANAGED_ELSEWHERE", `Cannot ${verb} container "${c.name}": it is managed by ${c.managedBy}, Berth only provides its network`, {
    hint: c.managedBy === "podman" ? `Use podman for it (e.g. \`podman ${verb === "remove" ? "rm -f" : verb} ${c.name}\`)` : `Use ${c.managedBy} for it`,
  });
}

/**
 * A foreign sandbox whose owner vanished without a teardown (a crash, a
 * reboot): its namespace file is gone and none of its veths exist, so there
 * is nothing left in the kernel to lose by forgetting it.
 */
export function sandboxIsGone(engine: Engine, c: Container): boolean {
  if (c.managedBy === undefined) return false;
  if (c.netns !== undefined && netnsExists(c.netns)) return false;
  return engine.store.attachments.forContainer(c.id).every((a) => engine.host.linkByName(a.hostVeth) === undefined);
}
