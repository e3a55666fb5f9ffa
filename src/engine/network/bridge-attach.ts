import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import type { Attachment } from "../../model/container.js";
import { BerthError, KernelError } from "../../errors.js";
import { BRIDGE_MAX_PORTS, EXFULL, ensureBridge, removeNetworkBridge } from "./bridge.js";
import { UndoStack } from "../undo.js";
import { faultPoint } from "../fault.js";
import { configureInside, mtuOf, type DefaultRoutes } from "./attach.js";
import { guardedPortOf } from "./port-guard.js";

/**
 * plumb() behind the port's anti-spoofing filter: the filter's elements go
 * in first (keyed by the veth's name, which is known before it exists), so
 * the port never carries a frame unfiltered; they go again if plumbing fails.
 */
export function plumbGuarded(engine: Engine, containerName: string, netnsPath: string, net: Network, a: Attachment, defaultRoute: DefaultRoutes): void {
  const guard = guardedPortOf(net, a);
  if (guard) engine.firewall.guardPorts([guard]);
  try {
    plumb(engine, containerName, netnsPath, net, a, defaultRoute);
  } catch (e) {
    if (guard) {
      try {
        engine.firewall.unguardPorts([guard]);
      } catch (undoErr) {
        if (e instanceof BerthError) e.rollbackErrors.push(undoErr);
      }
    }
    throw e;
  }
}

/**
 * The bridge has no port left: Berth's own attachments fill it (checked
 * before any kernel change), or ports that something else added do (the
 * kernel refuses the veth with EXFULL and creates neither end).
 */
export function bridgeFull(containerName: string, net: Network, cause?: KernelError): BerthError {
  const why = cause === undefined ? `already has ${BRIDGE_MAX_PORTS} containers` : `has no free port (the kernel refused a new one: ${cause.message})`;
  return new BerthError(
    "BRIDGE_FULL",
    `Cannot attach "${containerName}" to network "${net.name}": its bridge ${net.bridge} ${why}; a Linux bridge takes at most ${BRIDGE_MAX_PORTS} ports`,
    {
      hint: `Create another network for more containers${cause === undefined ? "" : `, or remove the interfaces not made by Berth from ${net.bridge} (\`ip link show master ${net.bridge}\`)`}`,
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** The kernel part of attachNetwork, undone step by step on failure. */
export function plumb(engine: Engine, containerName: string, netnsPath: string, net: Network, a: Attachment, defaultRoute: DefaultRoutes): void {
  const h = engine.host;
  const undo = new UndoStack();
  try {
    const bridgeExisted = h.linkByName(net.bridge) !== undefined;
    const cached = engine.bridgeIndexes.has(net.bridge);
    // a bridge this attach makes goes again on failure, unless another container came onto it meanwhile
    const bridge = (opts: { useCache?: boolean }) => {
      const index = ensureBridge(engine, net, opts);
      if (!bridgeExisted && undo.size === 0)
        undo.push(`delete bridge ${net.bridge}`, () => {
          if (engine.store.attachments.countForNetwork(net.id) <= 1) removeNetworkBridge(engine, net);
        });
      return index;
    };
    engine.kernel.withNetnsFd(netnsPath, (fd) => {
      const veth = (master: number) =>
        h.vethAdd({ name: a.hostVeth, peerName: a.ifname, peerNetnsFd: fd, peerMac: a.mac, masterIndex: master, up: true, ...mtuOf(net) });
      const master = bridge({ useCache: true });
      try {
        veth(master);
      } catch (e) {
        engine.bridgeIndexes.delete(net.bridge);
        if (!(e instanceof KernelError) || e.code === "IFNAME_IN_USE") throw e;
        if (e.errno === EXFULL) throw bridgeFull(containerName, net, e);
        // the cached bridge may have been removed and re-made by another berth process: look it up once more
        if (!cached) throw e;
        veth(bridge({}));
      }
      undo.push(`delete veth ${a.hostVeth}`, () => h.linkRemove(a.hostVeth));
      faultPoint("attach:after-veth");
    });
    configureInside(engine, netnsPath, net, a, defaultRoute, `veth ${a.hostVeth}`);
  } catch (e) {
    throw undo.unwindSync(e);
  }
}
