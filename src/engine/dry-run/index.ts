import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { shortId } from "../../model/container.js";
import type { RunOptions } from "../run-options.js";
import { planRun } from "../run-options.js";
import { createContainerRecord } from "../container-run.js";
import { refuseRunning } from "../container-remove.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { createNetwork, type NetworkCreateOptions } from "../network-create.js";
import { connectInStore, disconnectTarget, type ConnectOptions } from "../network-connect.js";
import { attachNetwork } from "../attach.js";
import { dnatMappings, publishPorts } from "../ports.js";
import { requireContainer, resolveRequestedNetworks } from "../network-lookup.js";
import { describeMapping } from "../../firewall/index.js";
import { preview } from "./preview.js";
import type { ChangePlan, PlannedChange } from "./planned-change.js";

export { renderPlan, type PlannedChange } from "./planned-change.js";

/** `berth run --dry-run`: validate, pick the address, MAC and ports the run would get, and list every change. */
export function dryRunContainer(engine: Engine, opts: RunOptions): PlannedChange[] {
  return preview(engine, (plan) => {
    const c = createContainerRecord(engine, planRun(opts), opts);
    plan.add("state", `record container ${c.name} (${shortId(c.id)}), network mode ${c.mode}`);
    if (c.netns && (c.mode === "bridge" || c.mode === "none")) plan.add("namespace", `create ${c.netns} (loopback up)`);
    if (c.mode === "bridge") {
      const nets = resolveRequestedNetworks(engine, c.networks);
      for (const [i, net] of nets.entries()) {
        const req = c.networks[i];
        if (req) attachNetwork(engine, engine.store.containers.byId(c.id) ?? c, net, req);
      }
    }
    publishPorts(engine, c);
    plan.add("runtime", `start ${JSON.stringify(c.command.join(" "))} with the OCI runtime${c.detached ? ", watched by conmon" : " in the foreground"}`);
  });
}

/** `berth network create --dry-run`. */
export function dryRunNetworkCreate(engine: Engine, opts: NetworkCreateOptions): PlannedChange[] {
  return preview(engine, () => {
    createNetwork(engine, opts);
  });
}

/** `berth network connect --dry-run`. */
export function dryRunConnect(engine: Engine, netName: string, ctrName: string, opts: ConnectOptions): PlannedChange[] {
  return preview(engine, () => {
    connectInStore(engine, netName, ctrName, opts);
  });
}

function describeRelease(engine: Engine, plan: ChangePlan, c: Container, networkIds: ReadonlySet<string>, ownNetns: boolean): void {
  for (const a of engine.store.attachments.forContainer(c.id)) {
    if (!networkIds.has(a.networkId)) continue;
    const net = engine.store.networks.byId(a.networkId);
    plan.add("link", `${ownNetns ? "the kernel destroys" : "delete"} veth ${a.hostVeth} <-> ${a.ifname}${ownNetns ? " with the namespace" : ""}`);
    plan.add("state", `release ${[a.ip, a.ip6].filter((ip) => ip !== undefined).join(" and ")} on network ${net?.name ?? a.networkId}`);
    if (net?.dnsEnabled) plan.add("dns", `remove ${[c.name, ...a.aliases].join(", ")} from network ${net.name}`);
    if (net && engine.store.attachments.countForNetwork(net.id) <= 1) plan.add("link", `delete bridge ${net.bridge} (its last port goes)`);
  }
}

/** `berth network disconnect --dry-run` (reads only). */
export function dryRunDisconnect(engine: Engine, netName: string, ctrName: string): PlannedChange[] {
  const { net, c } = disconnectTarget(engine, netName, ctrName);
  return preview(engine, (plan) => describeRelease(engine, plan, c, new Set([net.id]), false));
}

/** `berth rm --dry-run` (reads only). */
export function dryRunRemove(engine: Engine, names: readonly string[], force: boolean): PlannedChange[] {
  return preview(engine, (plan) => {
    for (const name of names) {
      const c = requireContainer(engine, name);
      refuseForeign(c, "remove");
      refuseRunning(c, force);
      plan.add("runtime", `${c.status === "running" ? "kill and " : ""}delete container ${c.name} (${shortId(c.id)})`);
      for (const m of dnatMappings(engine, c)) plan.add("nft", `delete element ${describeMapping(m)}`);
      const ownNetns = c.netns !== undefined && c.mode !== "container" && c.mode !== "host";
      if (ownNetns) plan.add("namespace", `delete ${c.netns ?? ""}`);
      describeRelease(engine, plan, c, new Set(engine.store.attachments.forContainer(c.id).map((a) => a.networkId)), ownNetns);
      plan.add("state", `forget container ${c.name}`);
    }
  });
}
