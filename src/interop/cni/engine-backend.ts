import {
  attachSandbox,
  detachSandbox,
  ensureFirewallReady,
  hasContainerId,
  listSandboxes,
  readNetnsState,
  withEngine,
  type SandboxNetworkDefinition,
} from "../../engine/index.js";
import { createHash } from "node:crypto";
import { parseCidr4, formatIpv4 } from "../../model/ipv4.js";
import { parseContainerName } from "../../model/names.js";
import { ANY_FAMILY } from "../../model/port-spec.js";
import { formatIpv6, parseCidr6 } from "../../model/ipv6.js";
import { CniError } from "./cni-error.js";
import type { CniBackend } from "./plugin.js";
import type { BerthCniConfig } from "./request.js";
import type { AttachedInterface } from "./result.js";
import { CniErrorCode } from "./spec.js";
import { removeSandboxLock, withSandboxLock } from "./sandbox-lock.js";
import { checkAgainstPrevResult } from "./check.js";
import type { Engine } from "../../engine/index.js";

const OWNER = "cni";

/** The network to join: a node subnet in the configuration is adopted as a Berth network; otherwise it must exist. */
function networkOf(c: BerthCniConfig): string | SandboxNetworkDefinition {
  if (c.subnet === undefined) return c.network;
  const subnet = parseCidr4(c.subnet);
  return {
    name: c.network,
    bridge: c.bridge ?? defaultBridge(c.network),
    subnet: c.subnet,
    gateway: c.gateway ?? formatIpv4(subnet.addr + 1),
    ...(c.subnet6 !== undefined ? { subnet6: c.subnet6, gateway6: c.gateway6 ?? firstHost6(c.subnet6) } : {}),
    internal: c.internal,
    dnsEnabled: c.enableDns,
    isolate: c.isolate,
    ...(c.mtu !== undefined ? { mtu: c.mtu } : {}),
    ...(c.clusterCidrs !== undefined ? { clusterCidrs: c.clusterCidrs } : {}),
    ...(c.nodeCidrs !== undefined ? { nodeCidrs: c.nodeCidrs } : {}),
    ...(c.spoofFilter ? {} : { spoofFilter: false }),
  };
}

/** The subnet's first address, the gateway by default (as for IPv4). */
function firstHost6(subnet6: string): string {
  const c = parseCidr6(subnet6);
  return formatIpv6(c.addr + 1n);
}

/** `cni-NETWORK` when that fits an interface name (15 characters), else `cni-` and a hash of the name. */
function defaultBridge(network: string): string {
  const plain = `cni-${network}`;
  return plain.length <= 15 ? plain : `cni-${createHash("sha256").update(network).digest("hex").slice(0, 11)}`;
}

/**
 * A Berth container name for the sandbox: the pod's name and namespace when
 * Kubernetes says them, else `cni-` and the id: a longer id's first 12
 * characters (to match the runtime's listing) and a hash of the whole id,
 * so two ids that share a start never share a name. A label only: the sandbox is its container id
 * (attachSandbox picks NAME-ID when the name is held).
 */
function sandboxName(containerId: string, args: ReadonlyMap<string, string>): string {
  const pod = args.get("K8S_POD_NAME");
  const ns = args.get("K8S_POD_NAMESPACE");
  if (pod && ns) {
    try {
      return parseContainerName(`${pod}.${ns}`);
    } catch {
      // fall back to the id
    }
  }
  // an id of up to 12 characters is whole in the name already
  if (containerId.length <= 12) return `cni-${containerId}`;
  return `cni-${containerId.slice(0, 12)}-${createHash("sha256").update(containerId).digest("hex").slice(0, 8)}`;
}

/**
 * One call on a container at a time (sandbox-lock.ts): a DEL racing an ADD
 * of the same container id waits for it, and so sees its whole effect.
 */
function locked<T>(engine: Engine, containerId: string, fn: () => Promise<T>): Promise<T> {
  return withSandboxLock(engine.paths.runDir, containerId, fn, {
    onWait: () => process.stderr.write(`berth: waiting for another CNI call on container ${containerId.slice(0, 64)} to finish\n`),
  });
}

export function engineBackend(): CniBackend {
  return {
    add: (env, config) =>
      withEngine((engine) =>
        locked(engine, env.containerId, async () => {
          const [ep] = await attachSandbox(engine, {
            managedBy: OWNER,
            id: env.containerId,
            name: sandboxName(env.containerId, env.args),
            nameIsLabel: true,
            netns: env.netns,
            networks: [{ network: networkOf(config), ifname: env.ifname, ...(config.hairpinMode ? { hairpin: true } : {}) }],
            // no hostIP: every host address of each family the pod has
            ports: config.portMappings.map((m) => ({
              proto: m.protocol,
              hostIp: m.hostIP ?? ANY_FAMILY,
              hostPort: m.hostPort,
              containerPort: m.containerPort,
            })),
          });
          const v4 = ep?.addresses.find((a) => !a.ip.includes(":"));
          const v6 = ep?.addresses.find((a) => a.ip.includes(":"));
          if (!ep || !v4) throw new CniError(CniErrorCode.BERTH_REFUSED, "Berth attached no IPv4 network", "run `berth doctor` on this node");
          return {
            bridge: { name: ep.bridge },
            hostVeth: { name: ep.hostVeth },
            container: { name: ep.ifname, mac: ep.mac, sandbox: env.netns, ...(config.mtu ? { mtu: config.mtu } : {}) },
            address: `${v4.ip}/${v4.prefix}`,
            gateway: v4.gateway,
            ...(v6 ? { address6: `${v6.ip}/${v6.prefix}`, gateway6: v6.gateway } : {}),
            ...(ep.dnsServerIps[0] ? { nameserver: ep.dnsServerIps[0], searchDomain: "dns.berth" } : {}),
            ...(config.internal ? { defaultRoute: false } : {}),
          } satisfies AttachedInterface;
        }),
      ),
    del: (env) =>
      withEngine((engine) =>
        locked(engine, env.containerId, async () => {
          await detachSandbox(engine, { managedBy: OWNER, id: env.containerId, ifname: env.ifname });
          if (!hasContainerId(engine, env.containerId)) removeSandboxLock(engine.paths.runDir, env.containerId);
        }),
      ),
    check: (env, config, prev) =>
      withEngine((engine) =>
        locked(engine, env.containerId, async () => {
          const sb = listSandboxes(engine, OWNER).find((s) => s.id === env.containerId);
          const ep = sb?.endpoints.find((e) => e.network === config.network && e.ifname === env.ifname);
          if (!sb || !ep)
            throw new CniError(
              CniErrorCode.UNKNOWN_CONTAINER,
              `container ${env.containerId} has no ${env.ifname} on network ${config.network}`,
              "run ADD first (or DEL and ADD again)",
            );
          checkAgainstPrevResult(prev, env, readNetnsState(engine, env.netns));
        }),
      ),
    status: () =>
      withEngine(async (engine) => {
        try {
          ensureFirewallReady(engine);
        } catch (e) {
          throw new CniError(
            CniErrorCode.PLUGIN_NOT_AVAILABLE,
            `Berth cannot program nftables on this node: ${(e as Error).message}`,
            "run `berth doctor` on this node",
          );
        }
      }),
    gc: (config, valid) =>
      withEngine(async (engine) => {
        const keep = new Set(valid.map((v) => `${v.containerID}\0${v.ifname}`));
        let n = 0;
        for (const sb of listSandboxes(engine, OWNER)) {
          for (const ep of sb.endpoints) {
            if (ep.network !== config.network || keep.has(`${sb.id}\0${ep.ifname}`)) continue;
            await locked(engine, sb.id, () => detachSandbox(engine, { managedBy: OWNER, id: sb.id, networks: [ep.network] }));
            n++;
          }
        }
        return n;
      }),
  };
}
