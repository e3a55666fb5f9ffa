import { detachMacvlan, plumbMacvlan } from "../macvlan-attach.js";
import type { NetworkDriver } from "./driver.js";

/**
 * The macvlan driver: each container gets its own macvlan child of the
 * parent interface (`--opt parent`), made directly inside its namespace,
 * with its own MAC on the parent's segment. Nothing of it passes through the
 * host; `bridge` names the optional host shim (host_shim=true), the host's
 * way to reach its containers.
 */
export const macvlanDriver: NetworkDriver = {
  name: "macvlan",
  throughHost: false,
  hasHostEnd: false,
  hostInterface: (net) => net.driverOptions["parent"] ?? net.bridge,
  reservedAddresses(engine, net) {
    // a macvlan network shares the parent's segment: the host's own addresses there are never leased
    const parent = engine.host.linkByName(net.driverOptions["parent"] ?? "");
    if (!parent) return new Set();
    return new Set([...engine.host.addrList(parent.index), ...engine.host.addrList6(parent.index)].map((a) => a.ip));
  },
  checkRoom: () => undefined,
  plumb: (engine, _c, netnsPath, net, a, defaultRoute) => plumbMacvlan(engine, netnsPath, net, a, defaultRoute),
  unplumb(engine, c, net, a, namespace) {
    // no host end: the interface is deleted inside a namespace that stays (or stays until its runtime deletes it)
    if (namespace !== "deleted") detachMacvlan(engine, c, net, a);
  },
  interfaceText: (_net, a) => `macvlan ${a.ifname}`,
  // the host shim is made again by the next attach
  restoreHostSide: () => false,
  hostDrift: () => [],
};
