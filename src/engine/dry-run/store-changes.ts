import type { Store } from "../../store/index.js";
import type { Network } from "../../model/network.js";
import { shortId, type Attachment, type Container } from "../../model/container.js";
import { hostPort } from "../../model/ip.js";
import type { PlannedChange } from "./planned-change.js";

/** The rows a dry run compares: what it recorded, leased, released and forgot. */
export interface StoreRows {
  readonly networks: readonly Network[];
  readonly containers: readonly Container[];
  readonly attachments: readonly Attachment[];
}

export function storeRows(store: Store): StoreRows {
  return { networks: store.networks.list(), containers: store.containers.list(), attachments: store.attachments.all() };
}

/**
 * What a verb changed in the store (read before its transaction is rolled
 * back), as plan lines: networks and containers recorded or forgotten,
 * addresses leased or released, and the names that DNS then serves or
 * drops.
 */
export function storeChanges(before: StoreRows, after: StoreRows): PlannedChange[] {
  const out: PlannedChange[] = [];
  const add = (kind: PlannedChange["kind"], text: string) => out.push({ kind, text });
  const netOf = (id: string) => after.networks.find((n) => n.id === id) ?? before.networks.find((n) => n.id === id);
  const ctrOf = (id: string) => after.containers.find((c) => c.id === id) ?? before.containers.find((c) => c.id === id);
  for (const n of after.networks) if (!before.networks.some((b) => b.id === n.id)) add("state", `record network ${networkText(n)}`);
  for (const c of after.containers)
    if (!before.containers.some((b) => b.id === c.id)) add("state", `record container ${c.name} (${shortId(c.id)}), network mode ${c.mode}`);
  const key = (a: Attachment) => `${a.containerId}/${a.networkId}`;
  for (const a of after.attachments) {
    if (before.attachments.some((b) => key(b) === key(a))) continue;
    const net = netOf(a.networkId);
    const c = ctrOf(a.containerId);
    const name = c?.name ?? shortId(a.containerId);
    add("state", `lease ${addresses(a)} on network ${net?.name ?? a.networkId} for ${name}`);
    if (net?.dnsEnabled) {
      const resolver = [net.gateway, net.gateway6]
        .filter((g) => g !== undefined)
        .map((g) => hostPort(g, 53))
        .join(" and ");
      add(
        "dns",
        `${[name, ...a.aliases, a.containerId.slice(0, 12)].join(", ")} -> ${[a.ip, a.ip6].filter((x) => x !== undefined).join(", ")} for containers on ${net.name} (resolver at ${resolver})`,
      );
    }
  }
  for (const a of before.attachments) {
    if (after.attachments.some((b) => key(b) === key(a))) continue;
    const net = netOf(a.networkId);
    const name = ctrOf(a.containerId)?.name ?? shortId(a.containerId);
    add("state", `release ${addresses(a)} on network ${net?.name ?? a.networkId}`);
    if (net?.dnsEnabled) add("dns", `remove ${[name, ...a.aliases].join(", ")} from network ${net.name}`);
  }
  for (const c of before.containers) if (!after.containers.some((a) => a.id === c.id)) add("state", `forget container ${c.name}`);
  for (const n of before.networks) if (!after.networks.some((a) => a.id === n.id)) add("state", `forget network ${n.name}`);
  return out;
}

/** The addresses of an attachment, IPv4 and IPv6, whichever it has. */
function addresses(a: Attachment): string {
  return [a.ip, a.ip6].filter((ip) => ip !== undefined).join(" and ") || "no address";
}

function networkText(n: Network): string {
  const subnets = [n.subnet && `subnet ${n.subnet}, gateway ${n.gateway ?? ""}`, n.subnet6 && `IPv6 subnet ${n.subnet6}, gateway ${n.gateway6 ?? ""}`]
    .filter(Boolean)
    .join(", ");
  return `${n.name}: ${subnets}, bridge ${n.bridge}, DNS ${n.dnsEnabled ? "on" : "off"}${n.internal ? ", internal" : ""}${n.isolate ? ", isolated" : ""}`;
}
