import { BRIDGE_MAX_PORTS, ensureBridge } from "../bridge.js";
import { bridgeFull, plumbGuarded } from "../bridge-attach.js";
import { hostVethName } from "../names.js";
import type { HostDrift, NetworkDriver } from "./driver.js";

/** The bridge driver: a veth pair per container, its host end a port of the network's bridge, which carries the gateways. */
export const bridgeDriver: NetworkDriver = {
  name: "bridge",
  throughHost: true,
  hasHostEnd: true,
  hostInterface: (net) => net.bridge,
  reservedAddresses: () => new Set(),
  checkRoom(engine, containerName, net) {
    if (engine.store.attachments.countForNetwork(net.id) >= BRIDGE_MAX_PORTS) throw bridgeFull(containerName, net);
  },
  plumb: (engine, c, netnsPath, net, a, defaultRoute) => plumbGuarded(engine, c.name, netnsPath, net, a, defaultRoute),
  unplumb(engine, c, net, a, namespace) {
    const veth = a?.hostVeth ?? hostVethName(c.id, net.id);
    // the namespace's deletion takes the veth with it; deleting it waits for an RCU grace period, which neither the runtime nor the
    // next change (a setup of the same container, the same veth name) need wait for: the link is unlisted when this returns
    if (namespace === "stays") engine.host.linkRemove(veth);
    else if (namespace === "deleted by its runtime next") engine.host.linkRemoveDetached(veth);
  },
  interfaceText: (_net, a) => `veth ${a.hostVeth}`,
  restoreHostSide(engine, net) {
    if (engine.host.linkByName(net.bridge)) return false;
    ensureBridge(engine, net);
    return true;
  },
  hostDrift(engine, net, a) {
    const out: HostDrift[] = [];
    const bridge = engine.host.linkByName(net.bridge);
    if (!bridge) out.push({ what: "bridge", detail: `bridge ${net.bridge} is missing` });
    else if (!bridge.up) out.push({ what: "bridge", detail: `bridge ${net.bridge} is down` });
    const veth = engine.host.linkByName(a.hostVeth);
    if (!veth) out.push({ what: "veth", detail: `veth ${a.hostVeth} is missing` });
    else {
      if (veth.masterIndex === undefined || veth.masterIndex !== bridge?.index)
        out.push({ what: "veth", detail: `veth ${a.hostVeth} is not a port of ${net.bridge}` });
      if (!veth.up) out.push({ what: "veth", detail: `veth ${a.hostVeth} is down` });
    }
    return out;
  },
};
