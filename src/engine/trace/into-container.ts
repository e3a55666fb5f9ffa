import type { Engine } from "../context.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import type { Proto } from "../../model/port-spec.js";
import { NetlinkHandle } from "../../kernel/index.js";
import { socketReaches, socketsIn } from "../../kernel/proc/netns-sockets.js";
import type { HopList } from "./hop.js";

/**
 * The last part of every path: from a network's bridge through the veth
 * pair into the container, and whether anything there listens on
 * `port`/`proto` (skipped when `port` is undefined). Reads the live kernel.
 * Returns false at the first broken hop.
 */
export function traceIntoContainer(engine: Engine, hops: HopList, c: Container, a: Attachment, net: Network, port: number | undefined, proto: Proto): boolean {
  if (c.status !== "running" || !c.netns) {
    return hops.fail("container", `${c.name} is ${c.status}`, `start it again with \`berth start ${c.name}\` (a stopped container holds no address)`);
  }
  hops.ok("container", `${c.name} (${c.id.slice(0, 12)}), running, namespace ${c.netns}`);

  const h = engine.host;
  const bridge = h.linkByName(net.bridge);
  if (!bridge) return hops.fail("bridge", `bridge ${net.bridge} of network ${net.name} does not exist`, "run `berth system reconcile` to re-create it");
  if (!bridge.up) return hops.fail("bridge", `bridge ${net.bridge} is down`, `ip link set ${net.bridge} up (or \`berth system reconcile\`)`);
  hops.ok("bridge", `${net.bridge} (network ${net.name}, gateway ${[net.gateway, net.gateway6].filter(Boolean).join(" and ")}), up`);

  const veth = h.linkByName(a.hostVeth);
  if (!veth) return hops.fail("veth", `host end ${a.hostVeth} is missing`, `remove and re-run ${c.name}, or run \`berth system reconcile\``);
  if (veth.masterIndex !== bridge.index)
    return hops.fail("veth", `${a.hostVeth} is not a port of ${net.bridge}`, `ip link set ${a.hostVeth} master ${net.bridge}`);
  if (!veth.up) return hops.fail("veth", `${a.hostVeth} is down`, `ip link set ${a.hostVeth} up`);
  hops.ok("veth", `${a.hostVeth} on ${net.bridge} <-> ${a.ifname} in ${c.name}`);

  let inner;
  const ns = NetlinkHandle.open(c.netns);
  try {
    const link = ns.linkByName(a.ifname);
    inner = link ? { link, addrs: [...ns.addrList(link.index), ...ns.addrList6(link.index)] } : undefined;
  } finally {
    ns.close();
  }
  if (!inner) return hops.fail("container interface", `${a.ifname} is missing inside ${c.name}`, `remove and re-run ${c.name}`);
  if (!inner.link.up) return hops.fail("container interface", `${a.ifname} is down inside ${c.name}`, `ip netns exec ${c.netns} ip link set ${a.ifname} up`);
  const wanted = [a.ip, a.ip6].filter((x): x is string => x !== undefined);
  const absent = wanted.find((ip) => !inner.addrs.some((x) => x.ip === ip));
  if (absent !== undefined) {
    return hops.fail(
      "container interface",
      `${a.ifname} inside ${c.name} does not have ${absent}`,
      `remove and re-run ${c.name}, or run \`berth system reconcile\``,
    );
  }
  hops.ok("container interface", `${a.ifname} ${wanted.join(" ")} (${a.mac}), up`);

  if (port === undefined) return true;
  const sockets = socketsIn(c.netns).filter((s) => s.proto === proto && s.port === port);
  const nsenter = `nsenter --net=${c.netns} ss -${proto === "tcp" ? "lt" : "lu"}n`;
  if (sockets.length === 0) {
    return hops.fail(
      "listening",
      `nothing listens on ${port}/${proto} inside ${c.name}`,
      `start the service on 0.0.0.0:${port} inside ${c.name}; see what listens with \`${nsenter}\``,
    );
  }
  if (!wanted.some((ip) => sockets.some((s) => socketReaches(s.address, ip)))) {
    return hops.fail(
      "listening",
      `${port}/${proto} inside ${c.name} is bound only to ${sockets.map((s) => s.address).join(", ")}, not ${wanted.join(" or ")}`,
      `make the service listen on 0.0.0.0:${port}; check with \`${nsenter}\``,
    );
  }
  hops.ok("listening", `${sockets.map((s) => `${s.address.includes(":") ? `[${s.address}]` : s.address}:${s.port}`).join(", ")} ${proto} inside ${c.name}`);
  return true;
}
