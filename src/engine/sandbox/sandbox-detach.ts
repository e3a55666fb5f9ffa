import type { Engine } from "../context.js";
import { BerthError, TeardownError, wrap } from "../../errors.js";
import { detachNetwork } from "../network/attach.js";
import { teardownContainerNetwork } from "../container/container-network.js";
import { forgetContainer } from "../container/forget-container.js";
import { dnatMappings } from "../ports/ports.js";
import { syncDns } from "../sync/dns-sync.js";
import { faultPoint } from "../fault.js";
import { restoreDefaultRoute } from "../network/default-route.js";
import { releaseAdoptedNetworks } from "./adopt-network.js";
import { handsOverInterfaces } from "./handover.js";
import { checkOwner, checkSandboxId } from "./validate.js";
import type { SandboxDetachSpec } from "./spec.js";
import type { Attachment } from "../../model/container.js";

/**
 * Take down what attachSandbox made: published ports, veths (the kernel
 * removes the ends inside the namespace, which stays: it is the owner's),
 * leases, bridges left without ports, names in the resolver, and adopted
 * networks no container uses any more. With `networks`, only those
 * memberships go (the ports and, if it went with them, the default route
 * move to the remaining first network); when none
 * is left, or without `networks`, the sandbox is forgotten. Idempotent: a
 * sandbox or membership that is already gone counts as done. A sweep: it
 * keeps going after errors and reports them all in one TeardownError.
 */
/** The networks `spec` names: by name, or the one on its interface (none left: all, the sandbox goes). */
function onlyNetworks(engine: Engine, spec: SandboxDetachSpec, attachments: readonly Attachment[]): Set<string> | undefined {
  if (spec.ifname !== undefined) {
    if (attachments.length === 0) return undefined;
    return new Set(attachments.filter((a) => a.ifname === spec.ifname).map((a) => engine.store.networks.byId(a.networkId)?.name ?? ""));
  }
  return spec.networks === undefined ? undefined : new Set(spec.networks);
}

export async function detachSandbox(engine: Engine, spec: SandboxDetachSpec): Promise<void> {
  const owner = checkOwner(spec.managedBy);
  const c = engine.store.containers.byId(checkSandboxId(spec.id));
  if (!c) return;
  if (c.managedBy !== owner) {
    throw new BerthError("MANAGED_ELSEWHERE", `Cannot tear down container "${c.name}": it is managed by ${c.managedBy ?? "Berth"}, not ${owner}`, {
      hint: c.managedBy === undefined ? `Remove it with \`berth rm -f ${c.name}\`` : `Use ${c.managedBy} for it`,
    });
  }
  const attachments = engine.store.attachments.forContainer(c.id);
  const networkIds = attachments.map((a) => a.networkId);
  const only = onlyNetworks(engine, spec, attachments);
  const leaving = only === undefined ? attachments : attachments.filter((a) => only.has(engine.store.networks.byId(a.networkId)?.name ?? ""));
  const errors: unknown[] = [];
  if (only === undefined || leaving.length === attachments.length) {
    engine.store.write(() => engine.store.containers.setStatus(c.id, "removing", { ownerPid: process.pid }));
    faultPoint("sandbox-detach:after-mark");
    // the veths' deletion (the kernel's RCU wait) is the service's to finish after the reply
    errors.push(...teardownContainerNetwork(engine, c, { vethsAfterTheCaller: true }));
    forgetContainer(engine, c.id);
  } else if (leaving.length > 0) {
    const published = dnatMappings(engine, c);
    try {
      engine.firewall.removePortMappings(published);
    } catch (e) {
      errors.push(wrap("unpublish ports", e));
    }
    for (const a of leaving) {
      const net = engine.store.networks.byId(a.networkId);
      if (!net) continue;
      try {
        engine.store.write(() => {
          detachNetwork(engine, c, net);
          const cur = engine.store.containers.byId(c.id) ?? c;
          engine.store.containers.setNetworks(
            c.id,
            cur.networks.filter((r) => r.network !== net.name),
          );
        });
      } catch (e) {
        errors.push(wrap(`leave network "${net.name}"`, e));
      }
    }
    try {
      engine.firewall.addPortMappings(dnatMappings(engine, c));
    } catch (e) {
      errors.push(wrap("publish ports on the remaining network", e));
    }
    try {
      // an owner that configures the interfaces itself (Docker) also moves the default route itself
      if (!handsOverInterfaces(c)) restoreDefaultRoute(engine, c);
    } catch (e) {
      errors.push(wrap("route through the remaining network", e));
    }
  }
  try {
    releaseAdoptedNetworks(engine, networkIds);
  } catch (e) {
    errors.push(wrap("remove adopted networks left unused", e));
  }
  await syncDns(engine);
  if (errors.length > 0) throw new TeardownError(`tear down the network of ${owner} container "${c.name}"`, errors);
}
