import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { messageOf } from "../../errors.js";
import { ensureBridge } from "./bridge.js";
import { configureInside, mtuOf } from "./attach.js";
import { prefixesOf } from "./prefixes.js";
import { driverOf } from "./drivers/index.js";
import { restoreDefaultRoute } from "./default-route.js";
import { attachmentsWithNetworks, networkDrift } from "../views/network-drift.js";

/** What restoring one container's network did and could not do. */
export interface RestoreReport {
  readonly actions: string[];
  readonly problems: string[];
}

/**
 * Make a running container's network match the store again when its
 * namespace is alive (for `berth system reconcile`): re-create the bridge,
 * a missing veth pair with the interface's MAC, addresses and default
 * routes, put a veth back on its bridge, bring links up, add missing
 * addresses. Each step that fails is reported and the rest goes on.
 */
export function restoreContainerNetwork(engine: Engine, c: Container): RestoreReport {
  const actions: string[] = [];
  const problems: string[] = [];
  const drift = networkDrift(engine, c);
  if (drift.length === 0) return { actions, problems };
  if (c.netns === undefined || !engine.kernel.netnsExists(c.netns)) {
    problems.push(
      `container ${c.name}: its network namespace file ${c.netns ?? "(none)"} is gone, so its network cannot be restored; remove and re-run it (berth rm -f ${c.name})`,
    );
    return { actions, problems };
  }
  const h = engine.host;
  for (const { a, net } of attachmentsWithNetworks(engine, c)) {
    const step = (what: string, fn: () => void) => {
      try {
        fn();
        actions.push(`${what} (container ${c.name}, network ${net.name})`);
      } catch (e) {
        problems.push(`container ${c.name}, network ${net.name}: could not ${what}: ${messageOf(e)}`);
      }
    };
    if (!driverOf(net).hasHostEnd) {
      if (drift.some((d) => d.network === net.name))
        problems.push(
          `container ${c.name}, network ${net.name}: its ${net.driver} interface ${a.ifname} differs from the store (${drift
            .filter((d) => d.network === net.name)
            .map((d) => d.detail)
            .join("; ")}); remove and re-run it`,
        );
      continue;
    }
    let bridgeIndex: number;
    try {
      const existed = h.linkByName(net.bridge) !== undefined;
      bridgeIndex = ensureBridge(engine, net);
      if (!existed) actions.push(`re-created missing bridge ${net.bridge} of network ${net.name}`);
    } catch (e) {
      problems.push(`container ${c.name}, network ${net.name}: could not re-create bridge ${net.bridge}: ${messageOf(e)}`);
      continue;
    }
    const veth = h.linkByName(a.hostVeth);
    if (!veth) {
      step(`re-created veth ${a.hostVeth} <-> ${a.ifname} with ${[a.ip, a.ip6].filter(Boolean).join(" and ")}`, () => {
        engine.kernel.withNetnsFd(c.netns ?? "", (fd) =>
          h.vethAdd({ name: a.hostVeth, peerName: a.ifname, peerNetnsFd: fd, peerMac: a.mac, masterIndex: bridgeIndex, up: true, ...mtuOf(net) }),
        );
        configureInside(engine, c.netns ?? "", net, a, { v4: false, v6: false }, `veth ${a.hostVeth}`);
      });
      continue;
    }
    if (veth.masterIndex !== bridgeIndex) step(`put veth ${a.hostVeth} back on bridge ${net.bridge}`, () => h.linkSetMaster(veth.index, bridgeIndex));
    if (!veth.up) step(`brought veth ${a.hostVeth} up`, () => h.linkSetUp(veth.index));
    const inside = engine.kernel.open(c.netns);
    try {
      const link = inside.linkByName(a.ifname);
      if (!link) {
        problems.push(
          `container ${c.name}, network ${net.name}: veth ${a.hostVeth} exists but ${a.ifname} is not inside the container (moved or renamed by something else); remove and re-run it`,
        );
        continue;
      }
      if (!link.up) step(`brought ${a.ifname} up inside`, () => inside.linkSetUp(link.index));
      const have = new Set([...inside.addrList(link.index), ...inside.addrList6(link.index)].map((x) => x.ip));
      const p = prefixesOf(net);
      if (a.ip !== undefined && p.v4 !== undefined && !have.has(a.ip))
        step(`added ${a.ip}/${p.v4} to ${a.ifname} inside`, () => inside.addrAdd(link.index, a.ip ?? "", p.v4 ?? 0));
      if (a.ip6 !== undefined && p.v6 !== undefined && !have.has(a.ip6))
        step(`added ${a.ip6}/${p.v6} to ${a.ifname} inside`, () => inside.addrAdd(link.index, a.ip6 ?? "", p.v6 ?? 0));
      // a re-created bridge has a new MAC: the container must ask for its gateway's again instead of waiting for its entry to expire
      for (const gw of [net.gateway, net.gateway6]) if (gw !== undefined) inside.neighDelete(link.index, gw);
    } finally {
      inside.close();
    }
  }
  if (networkDrift(engine, c).some((d) => d.what === "route")) {
    try {
      restoreDefaultRoute(engine, c);
      actions.push(`restored the default route of container ${c.name}`);
    } catch (e) {
      problems.push(`container ${c.name}: could not restore its default route: ${messageOf(e)}`);
    }
  }
  if (problems.length === 0)
    for (const d of networkDrift(engine, c)) problems.push(`container ${c.name}, network ${d.network}: still ${d.detail} after reconcile`);
  return { actions, problems };
}
