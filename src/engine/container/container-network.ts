import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { attachNetwork } from "../network/attach.js";
import type { Network } from "../../model/network.js";
import { resolveRequestedNetworks } from "../network/network-lookup.js";
import { removeBridgeIfUnused } from "../network/bridge.js";
import { wrap } from "../../errors.js";
import { faultPoint } from "../fault.js";
import { dnatMappings } from "../ports/ports.js";
import { guardedPortOf } from "../network/port-guard.js";
import { driverOf } from "../network/drivers/index.js";
import { ensureTrustedSources } from "../sync/trusted-zone.js";
import { afterTheCaller } from "../resident.js";

/**
 * Give a container its network: a named netns (bridge and none modes) with
 * loopback up, and one veth per requested network. On failure everything made
 * here is undone before the error is rethrown.
 */
export function setupContainerNetwork(engine: Engine, c: Container): void {
  if (c.mode === "host" || c.mode === "container" || !c.netns) return;
  engine.kernel.netnsCreate(c.netns);
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
    // firewalld restarted or reloaded since the network was made: bind its subnets again
    ensureTrustedSources(engine, nets);
  } catch (e) {
    const err = wrap(`set up the network of container "${c.name}"`, e);
    for (const u of teardownContainerNetwork(engine, c)) err.rollbackErrors.push(u);
    throw err;
  }
}

/**
 * Remove a container's networking: the leases, its namespace, and bridges
 * left without ports (in the Berth service, after the caller's reply:
 * engine/resident.ts afterTheCaller). Deleting the namespace makes the kernel destroy the
 * veth pairs inside it asynchronously, so the caller does not wait ~15 ms
 * per interface for the kernel's RCU grace period. A sweep: it keeps going
 * after errors and returns them; anything already gone counts as done.
 */
export function teardownContainerNetwork(engine: Engine, c: Container, opts: { vethsAfterTheCaller?: boolean } = {}): unknown[] {
  const errors: unknown[] = [];
  const attachments = engine.store.attachments.forContainer(c.id);
  const published = dnatMappings(engine, c);
  if (published.length > 0) {
    try {
      engine.firewall.removePortMappings(published);
    } catch (e) {
      errors.push(wrap("unpublish ports", e));
    }
  }
  // another engine's sandbox keeps its namespace: only its veths go
  const ownNetns = c.netns !== undefined && c.mode !== "container" && c.mode !== "host" && c.managedBy === undefined;
  try {
    engine.store.write(() => {
      for (const a of attachments) engine.store.attachments.delete(c.id, a.networkId);
      engine.store.ports.deleteForContainer(c.id);
    });
  } catch (e) {
    errors.push(wrap("release the container's addresses", e));
  }
  if (ownNetns && c.netns) {
    try {
      engine.kernel.netnsDelete(c.netns);
    } catch (e) {
      errors.push(wrap(`delete network namespace ${c.netns}`, e));
    }
  }
  for (const a of attachments) {
    const n = engine.store.networks.byId(a.networkId);
    try {
      // a runtime's teardown: its runtime deletes the namespace (and a veth with it) next anyway
      const fate = ownNetns ? "deleted" : opts.vethsAfterTheCaller === true ? "deleted by its runtime next" : "stays";
      if (n) driverOf(n).unplumb(engine, c, n, a, fate);
      // a network removed meanwhile: only a veth can be left
      else if (fate !== "deleted") engine.host.linkRemove(a.hostVeth);
    } catch (e) {
      errors.push(wrap(`delete ${n === undefined ? `veth ${a.hostVeth}` : driverOf(n).interfaceText(n, a)}`, e));
    }
  }
  // the ports' anti-spoofing filters, once the veths are gone (or going with the namespace)
  const guards = attachments.flatMap((a) => {
    const n = engine.store.networks.byId(a.networkId);
    const g = n === undefined ? undefined : guardedPortOf(n, a);
    return g === undefined ? [] : [g];
  });
  try {
    engine.firewall.unguardPorts(guards);
  } catch (e) {
    errors.push(wrap("remove the bridge ports' filters", e));
  }
  // bridges left without ports go, including one made by an attach that was interrupted before its lease was committed
  const nets = new Map<string, Network>();
  for (const a of attachments) {
    const n = engine.store.networks.byId(a.networkId);
    if (n) nets.set(n.id, n);
  }
  for (const req of c.networks) {
    const n = engine.store.networks.byName(req.network);
    if (n) nets.set(n.id, n);
  }
  // deleting a bridge waits for the kernel's RCU grace period: in the service, after the reply, before the next change
  // (which may attach to the network again, and then finds the check made: the bridge gone, or in use and kept)
  for (const n of nets.values()) {
    try {
      afterTheCaller(() => engine.store.write(() => removeBridgeIfUnused(engine, n)));
    } catch (e) {
      errors.push(wrap(`remove unused bridge ${n.bridge}`, e));
    }
  }
  return errors;
}
