import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";

/** One way a running container's kernel objects differ from what the store says it has. */
export interface NetworkDrift {
  readonly network: string;
  readonly what: "namespace" | "bridge" | "veth" | "interface" | "address" | "route";
  readonly detail: string;
}

/** The attachments of `c` with their networks (attachments whose network row is gone are skipped). */
export function attachmentsWithNetworks(engine: Engine, c: Container): { a: Attachment; net: Network }[] {
  return engine.store.attachments.forContainer(c.id).flatMap((a) => {
    const net = engine.store.networks.byId(a.networkId);
    return net ? [{ a, net }] : [];
  });
}

/**
 * Compare a running container's network with the kernel: its namespace,
 * each network's bridge, the veth (present, a port of that bridge, up),
 * the interface inside (present, up, with its addresses) and the default
 * routes its networks give it. Empty when everything matches. Reads only.
 */
export function networkDrift(engine: Engine, c: Container): NetworkDrift[] {
  const nets = attachmentsWithNetworks(engine, c);
  if (c.mode === "host" || nets.length === 0) return [];
  if (c.netns === undefined || !engine.kernel.netnsExists(c.netns)) {
    return [{ network: nets.map((x) => x.net.name).join(", "), what: "namespace", detail: `network namespace ${c.netns ?? "(none)"} is gone` }];
  }
  const out: NetworkDrift[] = [];
  const inside = engine.kernel.open(c.netns);
  try {
    for (const { a, net } of nets) {
      const add = (what: NetworkDrift["what"], detail: string) => out.push({ network: net.name, what, detail });
      for (const d of driverOf(net).hostDrift(engine, net, a)) add(d.what, d.detail);
      const link = inside.linkByName(a.ifname);
      if (!link) {
        add("interface", `${a.ifname} is missing inside the container`);
        continue;
      }
      if (!link.up) add("interface", `${a.ifname} is down inside the container`);
      const have = new Set([...inside.addrList(link.index), ...inside.addrList6(link.index)].map((x) => x.ip));
      for (const ip of [a.ip, a.ip6]) if (ip !== undefined && !have.has(ip)) add("address", `${a.ifname} inside the container does not have ${ip}`);
    }
    const routed = nets.filter(({ net }) => !net.internal);
    if (routed.some(({ net }) => net.gateway !== undefined) && !inside.routeList().some((r) => r.dst === undefined)) {
      out.push({ network: routed.map((x) => x.net.name).join(", "), what: "route", detail: "no IPv4 default route inside the container" });
    }
    if (routed.some(({ net }) => net.gateway6 !== undefined) && !inside.routeList6().some((r) => r.dst === undefined)) {
      out.push({ network: routed.map((x) => x.net.name).join(", "), what: "route", detail: "no IPv6 default route inside the container" });
    }
  } finally {
    inside.close();
  }
  return out;
}
