import { closeSync, openSync } from "node:fs";
import type { Engine } from "./context.js";
import type { Network } from "../model/network.js";
import type { Attachment, Container, NetworkRequest } from "../model/container.js";
import { formatIpv4, parseCidr4, parseIpv4 } from "../model/ipv4.js";
import { randomMac } from "../model/mac.js";
import { allocateNext, checkStaticIp, type AllocationPool } from "../ipam/index.js";
import { NetlinkHandle } from "../kernel/index.js";
import { BerthError, KernelError } from "../errors.js";
import { BRIDGE_MAX_PORTS, ensureBridge, removeBridgeIfUnused } from "./bridge.js";
import { hostVethName } from "./names.js";
import { faultPoint } from "./fault.js";

export function poolOf(net: Network): AllocationPool {
  const subnet = parseCidr4(net.subnet);
  return { subnet, range: net.ipRange ? parseCidr4(net.ipRange) : subnet, gateway: parseIpv4(net.gateway) };
}

/** Reserve an address (static or the next free one) for a container on a network. Call inside store.write(). */
export function leaseAddress(engine: Engine, net: Network, requested: string | undefined): string {
  const pool = poolOf(net);
  const rows = engine.store.attachments;
  if (requested !== undefined) {
    const ip = parseIpv4(requested, "address for --ip");
    const holderId = rows.holderOf(net.id, requested);
    const holder = holderId === undefined ? undefined : (engine.store.containers.byId(holderId)?.name ?? holderId.slice(0, 12));
    checkStaticIp(pool, ip, net.name, holder);
    return requested;
  }
  const ip = allocateNext(pool, engine.store.networks.nextIp(net.id), (cand) => rows.holderOf(net.id, formatIpv4(cand)) !== undefined, net.name);
  engine.store.networks.setNextIp(net.id, ip);
  return formatIpv4(ip);
}

/** The next free interface name inside the container: eth0, eth1, ... */
export function nextIfName(existing: readonly Attachment[]): string {
  const used = new Set(existing.map((a) => a.ifname));
  for (let i = 0; ; i++) if (!used.has(`eth${i}`)) return `eth${i}`;
}

/**
 * Attach a container (its netns exists) to a network: lease an address, make
 * sure the bridge is up, create the veth pair with its container end directly
 * inside the container's namespace, configure it. Runs inside store.write(),
 * so the SQLite write lock serializes it with every other berth process; a
 * throw rolls the lease back, and the kernel steps are undone here.
 */
export function attachNetwork(engine: Engine, c: Container, net: Network, req: NetworkRequest): Attachment {
  if (!c.netns) throw new BerthError("INTERNAL", `Container "${c.name}" has no network namespace`);
  const existing = engine.store.attachments.forContainer(c.id);
  if (existing.some((a) => a.networkId === net.id)) {
    throw new BerthError("ALREADY_CONNECTED", `Container "${c.name}" is already connected to network "${net.name}"`, {
      hint: `Disconnect it first with \`berth network disconnect ${net.name} ${c.name}\``,
    });
  }
  if (engine.store.attachments.countForNetwork(net.id) >= BRIDGE_MAX_PORTS) {
    throw new BerthError("BRIDGE_FULL", `Cannot attach "${c.name}" to network "${net.name}": its bridge ${net.bridge} already has ${BRIDGE_MAX_PORTS} ports, the Linux bridge maximum`, {
      hint: "Create another network for more containers",
    });
  }
  const ifname = req.ifname ?? nextIfName(existing);
  if (existing.some((a) => a.ifname === ifname)) {
    throw new BerthError("IFNAME_IN_USE", `Cannot attach "${c.name}" to network "${net.name}": it already has an interface ${ifname}`, {
      hint: "Choose another interface name",
    });
  }
  const attachment: Attachment = {
    containerId: c.id,
    networkId: net.id,
    ifname,
    hostVeth: hostVethName(c.id, net.id),
    ip: leaseAddress(engine, net, req.ip),
    mac: req.mac ?? randomMac(),
    aliases: req.aliases ?? [],
    staticIp: req.ip !== undefined,
  };
  engine.store.attachments.insert(attachment);
  const needsDefaultRoute = !net.internal && !existing.some((a) => isDefaultRouteNetwork(engine, a));
  if (engine.plan) describePlumb(engine, c, net, attachment, needsDefaultRoute);
  else plumb(engine, c.netns, net, attachment, needsDefaultRoute);
  return attachment;
}

function isDefaultRouteNetwork(engine: Engine, a: Attachment): boolean {
  const n = engine.store.networks.byId(a.networkId);
  return n !== undefined && !n.internal;
}

/** What plumb() would do, for --dry-run (reads the kernel, changes nothing). */
function describePlumb(engine: Engine, c: Container, net: Network, a: Attachment, defaultRoute: boolean): void {
  const plan = engine.plan;
  if (!plan) return;
  const prefix = parseCidr4(net.subnet).prefix;
  const mtu = net.mtu === undefined ? "" : `, mtu ${net.mtu}`;
  if (!engine.host.linkByName(net.bridge)) plan.add("link", `create bridge ${net.bridge} (network ${net.name}${mtu}) with address ${net.gateway}/${prefix}, up`);
  plan.add("state", `lease ${a.ip} on network ${net.name} for ${c.name}`);
  plan.add("link", `create veth ${a.hostVeth} (on ${net.bridge}, up) with its peer ${a.ifname} (MAC ${a.mac}) inside ${c.netns ?? "the container's namespace"}`);
  plan.add("address", `${a.ip}/${prefix} on ${a.ifname} inside ${c.name}, up`);
  if (defaultRoute) plan.add("route", `default via ${net.gateway} dev ${a.ifname} inside ${c.name}`);
  if (net.dnsEnabled) plan.add("dns", `${[c.name, ...a.aliases, c.id.slice(0, 12)].join(", ")} -> ${a.ip} for containers on ${net.name} (resolver at ${net.gateway}:53)`);
}

/** The kernel part of attachNetwork, undone step by step on failure. */
function plumb(engine: Engine, netnsPath: string, net: Network, a: Attachment, defaultRoute: boolean): void {
  const h = engine.host;
  const bridgeExisted = h.linkByName(net.bridge) !== undefined;
  let vethMade = false;
  try {
    const fd = openSync(netnsPath, "r");
    try {
      const veth = (master: number) => h.vethAdd({ name: a.hostVeth, peerName: a.ifname, peerNetnsFd: fd, peerMac: a.mac, masterIndex: master, up: true, ...mtuOf(net) });
      try {
        veth(ensureBridge(engine, net, { useCache: true }));
      } catch (e) {
        // the cached bridge may have been removed and re-made by another berth process: look it up once more
        engine.bridgeIndexes.delete(net.bridge);
        if (!(e instanceof KernelError) || e.code === "IFNAME_IN_USE") throw e;
        veth(ensureBridge(engine, net));
      }
      vethMade = true;
      faultPoint("attach:after-veth");
    } finally {
      closeSync(fd);
    }
    const ch = NetlinkHandle.open(netnsPath);
    try {
      const link = ch.linkByName(a.ifname);
      if (!link) throw new BerthError("KERNEL", `The container end "${a.ifname}" of veth ${a.hostVeth} did not appear in ${netnsPath}`);
      ch.addrAdd(link.index, a.ip, parseCidr4(net.subnet).prefix);
      ch.linkSetUp(link.index);
      if (defaultRoute) ch.routeReplace({ gateway: net.gateway, ifindex: link.index });
    } finally {
      ch.close();
    }
  } catch (e) {
    const err = e instanceof BerthError ? e : new BerthError("KERNEL", String(e), { cause: e });
    try {
      if (vethMade) h.linkRemove(a.hostVeth);
      if (!bridgeExisted && engine.store.attachments.countForNetwork(net.id) <= 1) h.linkRemove(net.bridge);
    } catch (undoErr) {
      err.rollbackErrors.push(undoErr);
    }
    throw err;
  }
}

function mtuOf(net: Network): { mtu?: number } {
  return net.mtu === undefined ? {} : { mtu: net.mtu };
}

/**
 * Detach a container from a network: delete the veth (the kernel removes both
 * ends), release the lease, remove the bridge if this was its last port.
 * A missing veth is fine (teardown is a sweep). Call inside store.write().
 */
export function detachNetwork(engine: Engine, c: Container, net: Network): void {
  const a = engine.store.attachments.forContainer(c.id).find((x) => x.networkId === net.id);
  engine.host.linkRemove(a?.hostVeth ?? hostVethName(c.id, net.id));
  engine.store.attachments.delete(c.id, net.id);
  removeBridgeIfUnused(engine, net);
}
