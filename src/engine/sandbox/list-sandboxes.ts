import type { Engine } from "../context.js";

/** One network membership of a sandbox, as its owner names it. */
export interface SandboxMembership {
  readonly network: string;
  readonly ifname: string;
  readonly ip: string;
  readonly prefix: number;
}

export interface SandboxSummary {
  /** The owner's container id (Berth's id for the sandbox). */
  readonly id: string;
  readonly name: string;
  readonly netns: string | undefined;
  readonly endpoints: readonly SandboxMembership[];
}

/** The sandboxes `owner` (e.g. "cni") has attached, with their memberships (for CHECK and GC). */
export function listSandboxes(engine: Engine, owner: string): SandboxSummary[] {
  return engine.store.containers
    .list()
    .filter((c) => c.managedBy === owner)
    .map((c) => ({
      id: c.id,
      name: c.name,
      netns: c.netns,
      endpoints: engine.store.attachments.forContainer(c.id).flatMap((a) => {
        const net = engine.store.networks.byId(a.networkId);
        return net?.subnet && a.ip ? [{ network: net.name, ifname: a.ifname, ip: a.ip, prefix: Number(net.subnet.split("/")[1]) }] : [];
      }),
    }));
}
