import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Attachment, Container, NetworkRequest } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { randomMac } from "../../model/mac.js";
import { BerthError, KernelError } from "../../errors.js";
import { NetlinkHandle, netnsExists } from "../../kernel/index.js";
import { leaseAddresses, mtuOf, nextIfName } from "../network/attach.js";
import { ensureBridge } from "../network/bridge.js";
import { hostVethName } from "../network/names.js";
import { faultPoint } from "../fault.js";

/**
 * Owners that move the container end of each veth into the container's
 * namespace themselves (Docker: a network driver's Join names an interface
 * in the host's namespace, and dockerd moves, renames and configures it).
 * For their sandboxes Berth makes the veth with both ends in the host's
 * namespace and never changes anything inside the container's namespace:
 * no addresses, routes or loopback; the namespace may not even exist yet
 * when the sandbox is recorded (dockerd binds it after Join).
 */
const HANDOVER_OWNERS: ReadonlySet<string> = new Set(["docker"]);

export function handsOverInterfaces(c: Pick<Container, "managedBy">): boolean {
  return c.managedBy !== undefined && HANDOVER_OWNERS.has(c.managedBy);
}

/**
 * Lease the addresses and make the veth whose container end `peerName`
 * stays in the host's namespace for the owner to move. The attachment's
 * interface name is the next free ethN (the name dockerd gives it in the
 * common case) until `settleHandedOver` finds the name the owner really
 * gave it inside the namespace; never the temporary `peerName`, which
 * would sort before eth0 and make this network the container's first
 * (the one its published ports lead to). Call inside store.write(); a throw
 * rolls the lease back and the veth made here is deleted.
 */
export function attachHandedOver(engine: Engine, c: Container, net: Network, req: NetworkRequest, peerName: string): Attachment {
  const existing = engine.store.attachments.forContainer(c.id);
  if (existing.some((a) => a.networkId === net.id)) {
    throw new BerthError("ALREADY_CONNECTED", `Container "${c.name}" is already connected to network "${net.name}"`, {
      hint: "Leave the network first",
    });
  }
  if (!driverOf(net).hasHostEnd)
    throw new BerthError("INVALID_ARGUMENT", `Network "${net.name}" is a ${net.driver} network`, { hint: "Docker endpoints join Berth bridge networks" });
  const { ip, ip6 } = leaseAddresses(engine, net, req);
  const attachment: Attachment = {
    containerId: c.id,
    networkId: net.id,
    ifname: nextIfName(existing),
    hostVeth: hostVethName(c.id, net.id),
    ip,
    ip6,
    mac: req.mac ?? randomMac(),
    aliases: req.aliases ?? [],
    staticIp: req.ip !== undefined,
    staticIp6: req.ip6 !== undefined,
  };
  engine.store.attachments.insert(attachment);
  const h = engine.host;
  const bridgeExisted = h.linkByName(net.bridge) !== undefined;
  let made = false;
  try {
    const master = ensureBridge(engine, net);
    engine.kernel.withNetnsFd("/proc/self/ns/net", (self) =>
      h.vethAdd({ name: attachment.hostVeth, peerName, peerNetnsFd: self, peerMac: attachment.mac, masterIndex: master, up: true, ...mtuOf(net) }),
    );
    made = true;
    faultPoint("handover:after-veth");
  } catch (e) {
    const err = e instanceof BerthError ? e : new BerthError("KERNEL", String(e), { cause: e });
    try {
      if (made) h.linkRemove(attachment.hostVeth);
      if (!bridgeExisted && engine.store.attachments.countForNetwork(net.id) <= 1) h.linkRemove(net.bridge);
    } catch (undoErr) {
      err.rollbackErrors.push(undoErr);
    }
    throw err;
  }
  return attachment;
}

/**
 * A repeated setup of a handed-over attachment: the host end is put back
 * on the bridge and up if it is there; a host end that is gone means the
 * owner's interface went with it, which only the owner can make again.
 * Call inside store.write().
 */
export function checkHandedOver(engine: Engine, c: Container, net: Network, a: Attachment): void {
  const bridge = ensureBridge(engine, net);
  const hostEnd = engine.host.linkByName(a.hostVeth);
  if (!hostEnd) {
    throw new BerthError("KERNEL", `The host end ${a.hostVeth} of ${c.managedBy ?? ""} container "${c.name}" on network "${net.name}" is gone`, {
      hint: `Disconnect the container from the network and connect it again`,
    });
  }
  if (hostEnd.masterIndex !== bridge) engine.host.linkSetMaster(hostEnd.index, bridge);
  if (!hostEnd.up) engine.host.linkSetUp(hostEnd.index);
}

/**
 * Record the names the owner gave the handed-over interfaces inside the
 * containers' namespaces (found by MAC address): `ps`, `topology`, `trace`
 * and `doctor` then look for the interface the container really has.
 * Sandboxes whose namespace is not there yet, or whose interface has not
 * arrived or still has the temporary name (`isTemporary`: the owner moves
 * it first and renames it after), are left as they are; returns how many
 * are still waiting.
 */
export function settleHandedOver(engine: Engine, managedBy: string, isTemporary: (ifname: string) => boolean): number {
  let waiting = 0;
  for (const c of engine.store.containers.list()) {
    if (c.managedBy !== managedBy || !handsOverInterfaces(c) || c.netns === undefined) continue;
    const atts = engine.store.attachments.forContainer(c.id);
    if (atts.length === 0) continue;
    if (!netnsExists(c.netns)) {
      waiting += atts.length;
      continue;
    }
    let inside: NetlinkHandle;
    try {
      inside = NetlinkHandle.open(c.netns);
    } catch (e) {
      if (e instanceof KernelError || e instanceof BerthError) {
        waiting += atts.length;
        continue;
      }
      throw e;
    }
    try {
      const links = inside.linkList();
      for (const a of atts) {
        const link = links.find((l) => l.mac.toLowerCase() === a.mac.toLowerCase() && l.name !== "lo");
        if (!link || isTemporary(link.name)) {
          waiting++;
          continue;
        }
        if (link.name !== a.ifname) engine.store.write(() => engine.store.attachments.setIfname(c.id, a.networkId, link.name));
      }
    } finally {
      inside.close();
    }
  }
  return waiting;
}
