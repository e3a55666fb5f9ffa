import type { Engine } from "../context.js";

/** One network membership of a sandbox, as its owner names it. */
export interface SandboxMembership {
  readonly network: string;
  readonly ifname: string;
  readonly ip: string;
  readonly prefix: number;
  /** The interface's MAC address. */
  readonly mac: string;
  /** The IPv6 address and prefix on a dual-stack network. */
  readonly ip6?: string;
  readonly prefix6?: number;
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
        if (!net?.subnet || !a.ip) return [];
        const v6 = net.subnet6 !== undefined && a.ip6 !== undefined ? { ip6: a.ip6, prefix6: Number(net.subnet6.split("/")[1]) } : {};
        return [{ network: net.name, ifname: a.ifname, mac: a.mac, ip: a.ip, prefix: Number(net.subnet.split("/")[1]), ...v6 }];
      }),
    }));
}
