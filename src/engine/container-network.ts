import type { Engine } from "./context.js";
import type { Container } from "../model/container.js";
import { netnsCreate, netnsDelete, netnsExists } from "../kernel/index.js";
import { detachNetwork, attachNetwork } from "./attach.js";
import { resolveRequestedNetworks } from "./network-lookup.js";
import { removeBridgeIfUnused } from "./bridge.js";
import { wrap } from "../errors.js";
import { faultPoint } from "./fault.js";

/**
 * Give a container its network: a named netns (bridge and none modes) with
 * loopback up, and one veth per requested network. On failure everything made
 * here is undone before the error is rethrown.
 */
export function setupContainerNetwork(engine: Engine, c: Container): void {
  if (c.mode === "host" || c.mode === "container" || !c.netns) return;
  netnsCreate(c.netns);
  faultPoint("run:after-netns");
  try {
    if (c.mode !== "bridge") return;
    const nets = resolveRequestedNetworks(engine, c.networks);
    for (const [i, net] of nets.entries()) {
      const req = c.networks[i];
      if (!req) continue;
      engine.store.write(() => attachNetwork(engine, engine.store.containers.byId(c.id) ?? c, net, req));
      faultPoint("run:after-attach");
    }
  } catch (e) {
    const err = wrap(`set up the network of container "${c.name}"`, e);
    for (const u of teardownContainerNetwork(engine, c)) err.rollbackErrors.push(u);
    throw err;
  }
}

/**
 * Remove a container's networking: every veth, the leases, bridges left
 * without ports, and its namespace. A sweep: it keeps going after errors
 * and returns them; anything already gone counts as done.
 */
export function teardownContainerNetwork(engine: Engine, c: Container): unknown[] {
  const errors: unknown[] = [];
  for (const a of engine.store.attachments.forContainer(c.id)) {
    const net = engine.store.networks.byId(a.networkId);
    try {
      if (net) engine.store.write(() => detachNetwork(engine, c, net));
      else engine.store.write(() => engine.store.attachments.delete(c.id, a.networkId));
    } catch (e) {
      errors.push(wrap(`detach from network ${net?.name ?? a.networkId}`, e));
    }
  }
  if (c.netns && c.mode !== "container" && c.mode !== "host") {
    try {
      netnsDelete(c.netns);
    } catch (e) {
      errors.push(wrap(`delete network namespace ${c.netns}`, e));
    }
  }
  return errors;
}

/** Whether the container's namespace file is still there. */
export function containerNetnsExists(c: Container): boolean {
  return c.netns !== undefined && netnsExists(c.netns);
}

export { removeBridgeIfUnused };
