import { createHash } from "node:crypto";
import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Container, NetworkRequest } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { prefixesOf } from "../network/prefixes.js";
import { MAX_NAME_LENGTH } from "../../model/names.js";
import { creatingContainer, shortId } from "../../model/container.js";
import { BerthError, wrap } from "../../errors.js";
import type { PortMapping } from "../../model/port-spec.js";
import type { DnatMapping } from "../../firewall/index.js";
import { attachNetwork } from "../network/attach.js";
import { networkForUse } from "../network/network-lookup.js";
import { checkPortCount, reservePorts, dnatMappings, localnetOf } from "../ports/ports.js";
import { HostPortSnapshot, isPortHolderOf, type SocketOwner } from "../ports/host-port-snapshot.js";
import { loopbackUp, reapplyAttachment } from "./reapply.js";
import { syncDns } from "../sync/dns-sync.js";
import { syncFirewall } from "../sync/firewall-sync.js";
import { ensureTrustedSources } from "../sync/trusted-zone.js";
import { faultPoint } from "../fault.js";
import { forgetContainer } from "../container/forget-container.js";
import { teardownContainerNetwork } from "../container/container-network.js";
import { adoptNetwork, checkAdoptable, releaseAdoptedNetworks } from "./adopt-network.js";
import { checkAttachSpec } from "./validate.js";
import { checkSandboxNetns } from "./netns-check.js";
import { sandboxIsGone } from "./foreign.js";
import { detachSandbox } from "./sandbox-detach.js";
import { attachHandedOver, checkHandedOver, handsOverInterfaces } from "./handover.js";
import type { SandboxAddress, SandboxAttachSpec, SandboxEndpoint, SandboxNetworkRequest } from "./spec.js";

/**
 * Build the networking of a container that another engine owns, in the
 * network namespace it made: record the sandbox (no runtime, namespace not
 * Berth's, `managedBy` set), adopt the networks it describes, attach each
 * through the same path as `berth run` (veth made directly in the
 * namespace, bridge, address, routes), publish its ports and serve its
 * names. Calling it again for a sandbox that exists adds networks (CNI
 * calls ADD once per network). Everything is checked before the first
 * change, and a failure undoes what this call made.
 */
export async function attachSandbox(engine: Engine, input: SandboxAttachSpec): Promise<SandboxEndpoint[]> {
  const spec = checkAttachSpec(input);
  const handover = handsOverInterfaces(spec);
  checkHandover(spec, handover);
  // an owner that moves the interfaces itself binds the namespace after the attach (dockerd does)
  if (!handover) checkSandboxNetns(engine.kernel, spec.netns);
  await clearStale(engine, spec);
  checkNetworks(engine, spec);
  // before the store's lock: the many-port checks (socket tables, their owners) hold no one up
  if (spec.ports !== undefined) checkPortCount(spec.ports.length);
  const hostPorts = spec.ports === undefined || spec.ports.length === 0 ? undefined : HostPortSnapshot.read();
  const ownHolder = (o: SocketOwner) => isPortHolderOf(o, spec.id);
  if (hostPorts)
    for (const p of spec.ports ?? [])
      for (const s of hostPorts.clashes(p.proto, p.hostIp === "" ? "0.0.0.0" : p.hostIp, p.hostPort)) hostPorts.ownerOf(s.inode);
  const adoptedIds: string[] = [];
  let created = false;
  const attachedNets: Network[] = [];
  const endpointNets: Network[] = [];
  let newPorts: PortMapping[] = [];
  let publishedBefore: DnatMapping[] = [];
  try {
    if (!handover) loopbackUp(engine, spec.netns);
    // the table is gone after e.g. `nft flush ruleset`: Podman's `network reload` comes to put it back
    if (!engine.firewall.tableExists()) syncFirewall(engine);
    const container = engine.store.write(() => {
      let c = engine.store.containers.byId(spec.id);
      if (!c) {
        c = sandboxRecord(spec, freeName(engine, spec));
        engine.store.containers.insert(c);
        created = true;
      }
      newPorts = reservePorts(engine, c, spec.ports ?? [], { ...(hostPorts ? { hostPorts } : {}), ownHolder });
      publishedBefore = created ? [] : dnatMappings(engine, c).filter((m) => !newPorts.some((n) => samePort(n, m)));
      return c;
    });
    faultPoint("sandbox:after-record");
    for (const r of spec.networks) {
      // the network is looked up (or adopted) under the same lock as the attach: a concurrent
      // teardown of its last other container cannot remove an adopted network in between
      const { net, fresh } = engine.store.write(() => {
        const n = networkFor(engine, r.network, spec.managedBy, adoptedIds);
        const cur = engine.store.containers.byId(container.id) ?? container;
        const existing = engine.store.attachments.forContainer(cur.id).find((a) => a.networkId === n.id);
        if (existing) {
          // already on it (a repeated setup): repair what is missing, keep the rest
          if (handover) checkHandedOver(engine, cur, n, existing);
          else reapplyAttachment(engine, cur, n, existing);
          return { net: n, fresh: false };
        }
        const req: NetworkRequest = {
          network: n.name,
          ...(r.ifname === undefined ? {} : { ifname: r.ifname }),
          ...(r.ip === undefined ? {} : { ip: r.ip }),
          ...(r.ip6 === undefined ? {} : { ip6: r.ip6 }),
          ...(r.mac === undefined ? {} : { mac: r.mac }),
          aliases: r.aliases ?? [],
        };
        const att = r.handoverName !== undefined ? attachHandedOver(engine, cur, n, req, r.handoverName) : attachNetwork(engine, cur, n, req);
        engine.store.containers.setNetworks(cur.id, [...cur.networks.filter((x) => x.network !== n.name), req]);
        if (r.hairpin) {
          const port = engine.host.linkByName(att.hostVeth);
          if (port) engine.host.bridgePortSetHairpin(port.index, true);
        }
        return { net: n, fresh: true };
      });
      if (fresh) attachedNets.push(net);
      endpointNets.push(net);
      faultPoint("sandbox:after-attach");
    }
    // a repeated setup (Podman's connect sends every port again) re-publishes the mappings it had, on the
    // container's first network, which the new one may have become
    const ms = dnatMappings(engine, container);
    if (ms.length > 0) {
      const first = engine.store.attachments.forContainer(container.id)[0];
      if (first) localnetOf(engine, first.networkId);
      const port = first ? engine.host.linkByName(first.hostVeth) : undefined;
      if (port) engine.host.bridgePortSetHairpin(port.index, true);
      engine.firewall.replacePortMappings(publishedBefore, ms);
    }
    // firewalld lost its runtime configuration (restarted, reloaded): a setup binds the subnets again,
    // as netavark's does for Podman's `network reload`; one stat when firewalld is not there
    ensureTrustedSources(engine, endpointNets);
    await syncDns(engine);
    if (created) engine.store.write(() => engine.store.containers.setStatus(container.id, "running", { ownerPid: null, started: new Date().toISOString() }));
    return endpointsOf(engine, container.id, endpointNets);
  } catch (e) {
    const err = wrap(`Cannot set up the network of ${spec.managedBy} container "${spec.name}"`, e);
    err.rollbackErrors.push(...(await undoAttach(engine, spec, { created, attached: attachedNets, adoptedIds, newPorts })));
    throw err;
  }
}

/** An owner that moves the interfaces itself names each one it is handed; no other owner may. */
function checkHandover(spec: SandboxAttachSpec, handover: boolean): void {
  for (const r of spec.networks) {
    if (handover && r.handoverName === undefined)
      throw new BerthError("INTERNAL", `${spec.managedBy} moves the container's interfaces itself: each network needs the name of the interface to hand over`);
    if (!handover && r.handoverName !== undefined)
      throw new BerthError("INTERNAL", `${spec.managedBy} does not move interfaces itself: no interface can be handed over to it`);
  }
}

/** A Berth network by name, or the caller's definition adopted (its id noted in `adoptedIds`). Call inside store.write(). */
function networkFor(engine: Engine, network: SandboxNetworkRequest["network"], owner: string, adoptedIds: string[]): Network {
  if (typeof network === "string") return joinableNetwork(engine, network);
  const { network: n, adopted } = adoptNetwork(engine, network, owner);
  if (adopted) adoptedIds.push(n.id);
  return n;
}

/** A Berth network that a sandbox can join: an IPv4 bridge network. */
function joinableNetwork(engine: Engine, name: string): Network {
  const n = networkForUse(engine, name);
  const throughHost = driverOf(n).throughHost;
  if (n.subnet === undefined || n.gateway === undefined || !throughHost) {
    throw new BerthError(
      "INVALID_ARGUMENT",
      `Network "${n.name}" cannot hold another engine's containers: it is ${throughHost ? "IPv6-only" : `a ${n.driver} network`}`,
      {
        hint: "Podman and CNI sandboxes join IPv4 bridge networks (dual-stack ones too) for now; use such a network",
      },
    );
  }
  return n;
}

/** Refuse, before anything changes, a network the sandbox cannot join or whose definition conflicts with Berth's. */
function checkNetworks(engine: Engine, spec: SandboxAttachSpec): void {
  for (const r of spec.networks) {
    if (typeof r.network === "string") joinableNetwork(engine, r.network);
    else checkAdoptable(engine, r.network, spec.managedBy);
  }
}

/**
 * The sandbox's name: `spec.name`, or for a label that another container
 * holds, NAME-ID with as much of the id as makes it unique. Call inside
 * store.write() (the choice and the insert are one transaction).
 */
function freeName(engine: Engine, spec: SandboxAttachSpec): string {
  const taken = (n: string) => {
    const holder = engine.store.containers.find(n);
    return holder !== undefined && holder.name === n && holder.id !== spec.id;
  };
  if (!spec.nameIsLabel || !taken(spec.name)) return spec.name;
  // the id's start, as runtimes list it; last a hash of the whole id, for ids that share their start
  const whole = createHash("sha256").update(spec.id).digest("hex").slice(0, 16);
  for (const tag of [spec.id.slice(0, 8), spec.id.slice(0, 16), whole]) {
    const suffix = `-${tag}`;
    const n = spec.name.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
    if (!taken(n)) return n;
  }
  throw new BerthError("NAME_IN_USE", `Cannot name ${spec.managedBy} container ${shortId(spec.id)}: "${spec.name}" and its variants are taken`, {
    hint: "Remove the stale containers of that name (`berth ps -a`)",
  });
}

function sandboxRecord(spec: SandboxAttachSpec, name: string): Container {
  return creatingContainer({
    id: spec.id,
    name,
    command: [],
    hostname: name,
    mode: "bridge",
    modeTarget: undefined,
    netns: spec.netns,
    rootfs: undefined,
    autoRemove: false,
    detached: true,
    dns: { servers: [...(spec.dnsServers ?? [])], search: [], options: [] },
    extraHosts: [],
    networks: [],
    managedBy: spec.managedBy,
  });
}

/**
 * Before attaching: a sandbox of the same id in another namespace, or one
 * holding the name whose namespace is gone, was left by a crash or reboot
 * without a teardown; it is torn down first. A live holder of the name, or
 * the id used by another owner, is a conflict.
 */
async function clearStale(engine: Engine, spec: SandboxAttachSpec): Promise<void> {
  const same = engine.store.containers.byId(spec.id);
  if (same && same.managedBy !== spec.managedBy) {
    throw new BerthError("NAME_IN_USE", `Container id ${shortId(spec.id)} is already used by ${same.managedBy ?? "Berth"} container "${same.name}"`, {
      hint: "Remove that container first",
    });
  }
  if (same && (same.netns !== spec.netns || (!spec.nameIsLabel && same.name !== spec.name)))
    await detachSandbox(engine, { managedBy: spec.managedBy, id: spec.id });
  const holder = engine.store.containers.find(spec.name);
  if (holder && holder.name === spec.name && holder.id !== spec.id) {
    if (sandboxIsGone(engine, holder) && holder.managedBy !== undefined) {
      await detachSandbox(engine, { managedBy: holder.managedBy, id: holder.id });
    } else if (!spec.nameIsLabel) {
      throw new BerthError(
        "NAME_IN_USE",
        `Cannot set up container "${spec.name}": ${holder.managedBy ?? "Berth"} container ${shortId(holder.id)} has that name`,
        {
          hint:
            holder.managedBy === undefined
              ? `Give the container another name, or remove Berth's with \`berth rm -f ${spec.name}\``
              : "Give the container another name",
        },
      );
    }
  }
}

interface AttachProgress {
  readonly created: boolean;
  readonly attached: readonly Network[];
  readonly adoptedIds: readonly string[];
  readonly newPorts: readonly PortMapping[];
}

function samePort(a: Pick<PortMapping, "proto" | "hostIp" | "hostPort">, b: Pick<PortMapping, "proto" | "hostIp" | "hostPort">): boolean {
  return a.proto === b.proto && a.hostIp === b.hostIp && a.hostPort === b.hostPort;
}

/** The DNAT mappings of just these newly reserved ports. */
function freshMappings(engine: Engine, c: Container, ports: readonly PortMapping[]) {
  const key = (m: { proto: string; hostIp: string; hostPort: number }) => `${m.proto} ${m.hostIp} ${m.hostPort}`;
  const fresh = new Set(ports.map(key));
  return dnatMappings(engine, c).filter((m) => fresh.has(key(m)));
}

/** Undo what a failed attachSandbox made; returns the errors of the undo itself. */
async function undoAttach(engine: Engine, spec: SandboxAttachSpec, made: AttachProgress): Promise<unknown[]> {
  const { created, attached, adoptedIds, newPorts } = made;
  const errors: unknown[] = [];
  const c = engine.store.containers.byId(spec.id);
  try {
    if (c && created) {
      errors.push(...teardownContainerNetwork(engine, c));
      forgetContainer(engine, c.id);
    } else if (c) {
      if (newPorts.length > 0) {
        engine.firewall.removePortMappings(freshMappings(engine, c, newPorts));
        engine.store.write(() => {
          for (const m of newPorts) engine.store.ports.deleteOne(m);
        });
      }
      if (attached.length > 0) await detachSandbox(engine, { managedBy: spec.managedBy, id: spec.id, networks: attached.map((n) => n.name) });
    }
    releaseAdoptedNetworks(engine, [...adoptedIds, ...attached.map((n) => n.id)]);
    // an adoption rolled back with its transaction may have left its sets in the firewall
    if (adoptedIds.length > 0) syncFirewall(engine);
    await syncDns(engine);
  } catch (e) {
    errors.push(e);
  }
  return errors;
}

function endpointsOf(engine: Engine, id: string, nets: readonly Network[]): SandboxEndpoint[] {
  const atts = engine.store.attachments.forContainer(id);
  return nets.map((n) => {
    const a = atts.find((x) => x.networkId === n.id);
    if (!a) throw new BerthError("INTERNAL", `The attachment of ${shortId(id)} to network "${n.name}" is missing after setup`);
    const p = prefixesOf(n);
    const addresses: SandboxAddress[] = [];
    if (a.ip !== undefined && p.v4 !== undefined && n.gateway !== undefined) addresses.push({ ip: a.ip, prefix: p.v4, gateway: n.gateway });
    if (a.ip6 !== undefined && p.v6 !== undefined && n.gateway6 !== undefined) addresses.push({ ip: a.ip6, prefix: p.v6, gateway: n.gateway6 });
    return {
      network: n.name,
      networkId: n.id,
      ifname: a.ifname,
      hostVeth: a.hostVeth,
      mac: a.mac,
      addresses,
      bridge: driverOf(n).hostInterface(n),
      dnsServerIps: n.dnsEnabled ? [n.gateway, n.gateway6].filter((g) => g !== undefined) : [],
    };
  });
}
