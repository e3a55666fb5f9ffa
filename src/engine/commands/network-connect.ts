import type { Engine } from "../context.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { parseAlias } from "../../model/names.js";
import { formatIpv4, parseIpv4 } from "../../model/ipv4.js";
import { normalizeIpv6 } from "../../model/ipv6.js";
import { parseMac } from "../../model/mac.js";
import { BerthError } from "../../errors.js";
import { networkForUse, requireContainer, requireNetwork } from "../network/network-lookup.js";
import { attachNetwork, detachNetwork } from "../network/attach.js";
import { writeEtcFiles } from "../sync/etc-files.js";
import { syncDns } from "../sync/dns-sync.js";
import { faultPoint } from "../fault.js";
import { UndoStack } from "../undo.js";
import { restoreDefaultRoute } from "../network/default-route.js";
import { refuseForeign } from "../sandbox/foreign.js";
import { dnatMappings, followFirstNetwork } from "../ports/ports.js";

export interface ConnectOptions {
  readonly ip?: string;
  readonly ip6?: string;
  readonly mac?: string;
  readonly aliases?: readonly string[];
}

/** `berth network connect [--ip IP] [--alias A] NET CTR` on a running container. */
export async function connectNetwork(engine: Engine, netName: string, ctrName: string, opts: ConnectOptions = {}): Promise<Attachment> {
  const { attachment: a, container: c } = connectInStore(engine, netName, ctrName, opts);
  const undo = new UndoStack();
  undo.push(`disconnect container ${c.name} from network ${netName}`, () => disconnectNetwork(engine, netName, c.id));
  try {
    faultPoint("connect:after-attach");
    writeEtcFiles(engine, engine.store.containers.byId(c.id) ?? c);
    await syncDns(engine);
  } catch (e) {
    throw await undo.unwind(e, `Cannot connect container "${c.name}" to network "${netName}"`);
  }
  return a;
}

/** The synchronous part of connect: validate, lease, plumb, record. */
export function connectInStore(engine: Engine, netName: string, ctrName: string, opts: ConnectOptions = {}): { attachment: Attachment; container: Container } {
  const net = networkForUse(engine, netName);
  const c = requireRunningBridgeContainer(engine, ctrName, "connect");
  const req = {
    network: net.name,
    ...(opts.ip === undefined ? {} : { ip: formatIpv4(parseIpv4(opts.ip, "address for --ip")) }),
    ...(opts.ip6 === undefined ? {} : { ip6: normalizeIpv6(opts.ip6, "address for --ip6") }),
    ...(opts.mac === undefined ? {} : { mac: parseMac(opts.mac) }),
    aliases: (opts.aliases ?? []).map(parseAlias),
  };
  const a = engine.store.write(() => {
    const cur = engine.store.containers.byId(c.id) ?? c;
    const published = dnatMappings(engine, cur);
    const att = attachNetwork(engine, cur, net, req);
    // the transaction rolls the store back on a throw; the kernel is undone here
    const undo = new UndoStack();
    undo.push(`detach container ${c.name} from network ${net.name}`, () => detachNetwork(engine, cur, net));
    try {
      engine.store.containers.setNetworks(c.id, [...cur.networks.filter((r) => r.network !== net.name), req]);
      followFirstNetwork(engine, cur, published);
    } catch (e) {
      throw undo.unwindSync(e);
    }
    return att;
  });
  return { attachment: a, container: c };
}

/**
 * What `network disconnect NET CTR` acts on: the network, the container,
 * and whether it is attached in the kernel now (a stopped container is only
 * asked to join). Refuses a container that is on neither.
 */
export function disconnectTarget(engine: Engine, netName: string, ctrName: string): { net: Network; c: Container; attached: boolean } {
  const net = requireNetwork(engine, netName);
  const c = requireContainer(engine, ctrName);
  refuseForeign(c, "disconnect");
  const attached = engine.store.attachments.forContainer(c.id).some((a) => a.networkId === net.id);
  if (!attached && !c.networks.some((r) => r.network === net.name)) {
    throw new BerthError("NOT_CONNECTED", `Container "${c.name}" is not connected to network "${net.name}"`, {
      hint: `See its networks with \`berth inspect -f '{{json .NetworkSettings.Networks}}' ${c.name}\``,
    });
  }
  return { net, c, attached };
}

/** `berth network disconnect [-f] NET CTR`; the default route moves to another network if needed. */
export async function disconnectNetwork(engine: Engine, netName: string, ctrName: string): Promise<void> {
  const { net, c, attached } = disconnectTarget(engine, netName, ctrName);
  engine.store.write(() => {
    const published = dnatMappings(engine, c);
    if (attached) detachNetwork(engine, c, net);
    engine.store.containers.setNetworks(
      c.id,
      c.networks.filter((r) => r.network !== net.name),
    );
    followFirstNetwork(engine, c, published);
  });
  faultPoint("disconnect:after-detach");
  if (attached && c.netns) restoreDefaultRoute(engine, c);
  if (c.status === "running") writeEtcFiles(engine, engine.store.containers.byId(c.id) ?? c);
  await syncDns(engine);
}

function requireRunningBridgeContainer(engine: Engine, name: string, verb: string): Container {
  const c = requireContainer(engine, name);
  refuseForeign(c, verb);
  if (c.mode !== "bridge" && c.mode !== "none") {
    throw new BerthError("INVALID_ARGUMENT", `Cannot ${verb} container "${c.name}": it uses --network ${c.mode === "container" ? "container:..." : c.mode}`, {
      hint: "Only containers with their own network namespace can join networks",
    });
  }
  if (c.status !== "running" || !c.netns) {
    throw new BerthError("CONTAINER_NOT_RUNNING", `Cannot ${verb} container "${c.name}": it is not running`, {
      hint: `Start a new one with \`berth run -d --network NET ...\``,
    });
  }
  return c;
}
