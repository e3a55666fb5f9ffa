import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { BerthError } from "../../errors.js";
import { ensureBridge } from "../network/bridge.js";
import { plumb } from "../network/bridge-attach.js";
import { prefixesOf } from "../network/prefixes.js";
import { restoreDefaultRoute } from "../network/default-route.js";
import { guardedPortOf } from "../network/port-guard.js";

/** Bring up loopback in a namespace another engine made (netavark does; Podman leaves it down). */
export function loopbackUp(engine: Engine, netns: string): void {
  const h = engine.kernel.open(netns);
  try {
    const lo = h.linkByName("lo");
    if (lo && !lo.up) h.linkSetUp(lo.index);
  } finally {
    h.close();
  }
}

/**
 * A setup for a network the sandbox is already on (netavark's semantics: a
 * repeated setup repairs, it does not fail): the lease, MAC and interface
 * name stay; what is missing is made again: the bridge (with its address,
 * up, forwarding on), the veth pair (when either end is gone), the
 * address and link state inside, and a default route if the container has
 * none. Call inside store.write().
 */
export function reapplyAttachment(engine: Engine, c: Container, net: Network, a: Attachment): void {
  const netns = c.netns;
  if (!netns) throw new BerthError("INTERNAL", `Container "${c.name}" has no network namespace`);
  if (!driverOf(net).hasHostEnd) {
    throw new BerthError("ALREADY_CONNECTED", `Container "${c.name}" is already connected to ${net.driver} network "${net.name}"`, {
      hint: "Tear the container's network down before setting it up again",
    });
  }
  // the port's filter too (Podman's `network reload` comes after `nft flush ruleset`)
  const guard = guardedPortOf(net, a);
  if (guard) engine.firewall.guardPorts([guard]);
  const bridge = ensureBridge(engine, net);
  const hostEnd = engine.host.linkByName(a.hostVeth);
  const inside = engine.kernel.open(netns);
  try {
    const ctrEnd = inside.linkByName(a.ifname);
    if (!hostEnd || !ctrEnd || ctrEnd.kind !== "veth") {
      if (hostEnd) engine.host.linkRemove(a.hostVeth);
      if (ctrEnd) {
        throw new BerthError(
          "IFNAME_IN_USE",
          `Cannot set up "${c.name}" on network "${net.name}" again: ${a.ifname} inside the container is not Berth's veth`,
          {
            hint: `Remove ${a.ifname} from the container's namespace, then run the setup again`,
          },
        );
      }
      plumb(engine, c.name, netns, net, a, { v4: false, v6: false });
    } else {
      if (hostEnd.masterIndex !== bridge) engine.host.linkSetMaster(hostEnd.index, bridge);
      if (!hostEnd.up) engine.host.linkSetUp(hostEnd.index);
      const p = prefixesOf(net);
      if (a.ip !== undefined && p.v4 !== undefined) inside.addrReplace(ctrEnd.index, a.ip, p.v4);
      if (a.ip6 !== undefined && p.v6 !== undefined) inside.addrReplace(ctrEnd.index, a.ip6, p.v6);
      if (!ctrEnd.up) inside.linkSetUp(ctrEnd.index);
    }
  } finally {
    inside.close();
  }
  restoreDefaultRoute(engine, c);
}
