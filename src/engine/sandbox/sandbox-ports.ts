import type { Engine } from "../context.js";
import { BerthError } from "../../errors.js";
import { dnatMappings } from "../ports/ports.js";
import { checkOwner, checkSandboxId } from "./validate.js";

/**
 * Take a sandbox's published ports down and release them, keeping its
 * networks (Docker's RevokeExternalConnectivity: the container stays, its
 * gateway endpoint changes or it stops). Publishing them again is a
 * repeated attachSandbox with the ports. Idempotent.
 */
export function unpublishSandboxPorts(engine: Engine, owner: string, id: string): void {
  const c = engine.store.containers.byId(checkSandboxId(id));
  if (!c) return;
  if (c.managedBy !== checkOwner(owner)) {
    throw new BerthError("MANAGED_ELSEWHERE", `Cannot change the ports of container "${c.name}": it is managed by ${c.managedBy ?? "Berth"}, not ${owner}`, {
      hint: c.managedBy === undefined ? `Use berth for it` : `Use ${c.managedBy} for it`,
    });
  }
  const published = dnatMappings(engine, c);
  if (published.length > 0) engine.firewall.removePortMappings(published);
  engine.store.write(() => engine.store.ports.deleteForContainer(c.id));
}
