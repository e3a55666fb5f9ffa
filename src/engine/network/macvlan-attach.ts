import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import type { Attachment, Container } from "../../model/container.js";
import { BerthError } from "../../errors.js";
import { configureInside, mtuOf, type DefaultRoutes } from "./attach.js";
import { ensureHostShim, hasHostShim, macvlanMode, parentIndex, removeContainerMacvlan, shimRoutes } from "./macvlan.js";

/**
 * The kernel part of attaching to a macvlan network: one RTM_NEWLINK makes
 * the container's interface on the parent directly inside its namespace
 * (its own MAC on the parent's segment), then addresses and routes as for a
 * bridge. With host_shim, the host shim is made if missing and gets a host
 * route to the container. Undone on failure.
 */
export function plumbMacvlan(engine: Engine, netnsPath: string, net: Network, a: Attachment, defaultRoute: DefaultRoutes): void {
  const h = engine.host;
  let made = false;
  const shimExisted = h.linkByName(net.bridge) !== undefined;
  try {
    const parent = parentIndex(engine, net);
    engine.kernel.withNetnsFd(netnsPath, (fd) => {
      h.macvlanAdd({ name: a.ifname, parentIndex: parent, mode: macvlanMode(net), netnsFd: fd, mac: a.mac, ...mtuOf(net) });
      made = true;
    });
    configureInside(engine, netnsPath, net, a, defaultRoute, `macvlan on ${net.driverOptions["parent"] ?? ""}`);
    if (hasHostShim(net)) {
      const shim = ensureHostShim(engine, net);
      for (const r of shimRoutes(engine, net, a, shim)) h.routeReplace(r);
    }
  } catch (e) {
    const err = e instanceof BerthError ? e : new BerthError("KERNEL", String(e), { cause: e });
    try {
      if (made) removeContainerMacvlan(engine, netnsPath, a.ifname);
      if (hasHostShim(net) && !shimExisted && engine.store.attachments.countForNetwork(net.id) <= 1) h.linkRemove(net.bridge);
    } catch (undoErr) {
      err.rollbackErrors.push(undoErr);
    }
    throw err;
  }
}

/** Detach from a macvlan network: delete the container's macvlan and its host route through the shim (a sweep: missing is fine). */
export function detachMacvlan(engine: Engine, c: Pick<Container, "netns">, net: Network, a: Attachment | undefined): void {
  removeContainerMacvlan(engine, c.netns, a?.ifname);
  if (!a || !hasHostShim(net)) return;
  const shim = engine.host.linkByName(net.bridge);
  if (shim) for (const r of shimRoutes(engine, net, a, shim.index)) engine.host.routeRemove(r);
}
