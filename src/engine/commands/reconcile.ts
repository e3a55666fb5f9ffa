import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { repairInterrupted } from "./repair.js";
import { finishContainer } from "./container-cleanup.js";
import { syncNftNetworks, syncPublishedPorts } from "../sync/firewall-sync.js";
import { syncTrustedZone } from "../sync/trusted-zone.js";
import { syncGuardedPorts } from "../network/port-guard.js";
import { syncDns } from "../sync/dns-sync.js";
import { NETNS_PREFIX, VETH_PREFIX } from "../network/names.js";
import { isBerthBridge } from "../network/bridge-mark.js";
import { driverOf } from "../network/drivers/index.js";
import { messageOf } from "../../errors.js";
import { detachSandbox } from "../sandbox/sandbox-detach.js";
import { sandboxIsGone } from "../sandbox/foreign.js";
import { releaseAdoptedNetworks } from "../sandbox/adopt-network.js";
import { restoreContainerNetwork } from "../network/restore-network.js";
import { restoreResolvConf } from "../sync/etc-files.js";

export interface ReconcileReport {
  /** One line per repair made, for the user. */
  readonly actions: string[];
  /** Problems it could not repair. */
  readonly problems: string[];
}

/**
 * Delete the host's veths no attachment names, and the bridges (and macvlan
 * host shims) of networks without containers. Call inside store.write():
 * an attach in another process makes its veth and records it in one write
 * transaction, so under the lock every veth is either recorded or not
 * being made, and none is taken from an attach still under way.
 */
function removeLeakedLinks(engine: Engine): string[] {
  const actions: string[] = [];
  const h = engine.host;
  const wantedVeths = new Set(engine.store.attachments.all().map((a) => a.hostVeth));
  const bridges = new Map(engine.store.networks.list().map((n) => [n.bridge, n]));
  for (const link of h.linkList()) {
    if (link.name.startsWith(VETH_PREFIX) && link.kind === "veth" && !wantedVeths.has(link.name)) {
      h.linkRemove(link.name);
      actions.push(`removed leaked veth ${link.name}`);
    }
    // a bridge Berth made (marked, or named berthN), or a macvlan network's host shim (made with its first container,
    // removed with its last); a bridge a network found on the host stays
    const shared = isBerthBridge(link) ? "bridge" : link.kind === "macvlan" && /^bmv[0-9a-f]{12}$/.test(link.name) ? "macvlan host shim" : undefined;
    if (shared) {
      const n = bridges.get(link.name);
      if (n?.bridgeExternal) continue;
      if (!n || engine.store.attachments.countForNetwork(n.id) === 0) {
        h.linkRemove(link.name);
        actions.push(`removed unused ${shared} ${link.name}`);
      }
    }
  }
  return actions;
}

/**
 * `berth system reconcile`: make the kernel match the store after a crash or
 * another tool's interference. Removes leaked veths, bridges and namespaces;
 * finishes interrupted operations; records containers that died while no
 * berth was watching; restores a running container's veths, addresses,
 * routes and resolv.conf when its namespace is alive; re-applies the firewall table (e.g. after
 * `nft flush ruleset`) with the published ports, firewalld's trusted zone (where it runs), and the DNS zone.
 */
export async function reconcile(engine: Engine): Promise<ReconcileReport> {
  const actions: string[] = [];
  const problems: string[] = [];
  for (const { container: c, problems: left } of await repairInterrupted(engine)) {
    actions.push(`rolled back interrupted container ${c.name} (${c.id.slice(0, 12)})`);
    problems.push(...left.map((p) => `rolling back ${c.name}: ${p}`));
  }

  for (const c of engine.store.containers.list()) {
    if (c.status !== "running") continue;
    if (c.managedBy !== undefined) {
      // another engine owns it: Berth never stops it, only forgets it once nothing of it is left in the kernel
      if (sandboxIsGone(engine, c)) {
        try {
          await detachSandbox(engine, { managedBy: c.managedBy, id: c.id });
          actions.push(`forgot ${c.managedBy} container ${c.name}: its namespace and veths are gone`);
        } catch (e) {
          problems.push(messageOf(e));
        }
      }
      continue;
    }
    const st = await engine.runtime.state(c.id);
    if (st.status !== "running" && st.status !== "created") {
      try {
        await finishContainer(engine, c.id, engine.runtime.exitCode(c.id));
        actions.push(`container ${c.name} had exited; cleaned up its network`);
      } catch (e) {
        problems.push(messageOf(e));
      }
    }
  }

  for (const n of releaseAdoptedNetworks(
    engine,
    engine.store.networks
      .list()
      .filter((x) => x.managedBy !== undefined)
      .map((x) => x.id),
  )) {
    actions.push(`removed network ${n.name} adopted from ${n.managedBy ?? "another engine"}: no container uses it`);
  }

  const h = engine.host;
  actions.push(...engine.store.write(() => removeLeakedLinks(engine)));
  const networks = engine.store.networks.list();
  // a network with containers: what the host holds for it (its bridge; a macvlan's host shim is made again by the next attach)
  for (const n of networks) {
    if (engine.store.attachments.countForNetwork(n.id) > 0 && driverOf(n).restoreHostSide(engine, n))
      actions.push(`re-created missing bridge ${n.bridge} of network ${n.name}`);
  }
  // running containers whose veths, addresses or routes went missing (ip link del, another tool's cleanup)
  for (const c of engine.store.containers.list()) {
    if (c.status !== "running" || c.mode === "host") continue;
    if (c.managedBy !== undefined) {
      const missing = engine.store.attachments.forContainer(c.id).filter((a) => {
        const n = engine.store.networks.byId(a.networkId);
        return n !== undefined && driverOf(n).hasHostEnd && !h.linkByName(a.hostVeth);
      });
      for (const a of missing)
        problems.push(
          `veth ${a.hostVeth} of ${c.managedBy} container ${c.name} is missing; ${c.managedBy} owns its namespace: restart it there (e.g. podman restart ${c.name})`,
        );
      continue;
    }
    const r = restoreContainerNetwork(engine, c);
    actions.push(...r.actions);
    problems.push(...r.problems);
    try {
      if (restoreResolvConf(engine, c)) actions.push(`rewrote /etc/resolv.conf of ${c.name}: it named none of Berth's resolvers for its networks`);
    } catch (e) {
      problems.push(`container ${c.name}: could not rewrite its /etc/resolv.conf: ${messageOf(e)}`);
    }
  }

  const wantedNetns = new Set(
    engine.store.containers
      .list()
      .map((c) => c.netns)
      .filter((p): p is string => p !== undefined),
  );
  if (existsSync(engine.paths.netnsDir)) {
    for (const f of readdirSync(engine.paths.netnsDir)) {
      const p = join(engine.paths.netnsDir, f);
      if (f.startsWith(NETNS_PREFIX) && !wantedNetns.has(p)) {
        engine.kernel.netnsDelete(p);
        actions.push(`removed leaked network namespace ${f}`);
      }
    }
  }

  syncNftNetworks(engine);
  // firewalld's trusted zone: bound again after firewalld restarted or reloaded
  try {
    const r = syncTrustedZone(engine);
    actions.push(...r.actions);
    problems.push(...r.problems);
  } catch (e) {
    problems.push(messageOf(e));
  }
  try {
    actions.push(...syncPublishedPorts(engine));
  } catch (e) {
    problems.push(messageOf(e));
  }
  try {
    syncGuardedPorts(engine);
  } catch (e) {
    problems.push(messageOf(e));
  }
  await syncDns(engine);
  return { actions, problems };
}
