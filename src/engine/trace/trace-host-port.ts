import type { Engine } from "../context.js";
import type { Proto } from "../../model/port-spec.js";
import { sysctlRead } from "../../kernel/index.js";
import { sysctlIfName } from "../../kernel/sysctl.js";
import { ANY_HOST_IP, ANY_HOST_IP6, MAP, mapElementOf } from "../../firewall/index.js";
import { HopList, type TraceResult } from "./hop.js";
import { traceIntoContainer } from "./into-container.js";

function readSysctl(key: string): string | undefined {
  try {
    return sysctlRead(key);
  } catch {
    return undefined;
  }
}

/**
 * `berth trace ADDRESS:PORT[/proto]`: a connection to a published port on
 * this host, hop by hop as the seed's "Request Flow" draws it: the host
 * address, the nftables map element that DNATs it, the kernel settings the
 * path needs, the container, its bridge, the veth pair, the container's
 * interface and whether anything listens there.
 */
export function traceHostPort(engine: Engine, address: string, port: number, proto: Proto): TraceResult {
  const connection = `${proto} ${address}:${port}`;
  const hops = new HopList();
  const done = (as = "") => hops.result(connection, as);
  const v6 = address.includes(":");
  if (address === "::1") {
    hops.fail(
      "host address",
      "::1 is never forwarded into a container: IPv6 has no route_localnet, so the kernel cannot route a packet from ::1 off lo",
      "connect to 127.0.0.1, another IPv6 address of the host, or the container's own address",
    );
    return done();
  }
  const loopback = address.startsWith("127.");
  const hostAddrs = v6 ? engine.host.addrList6().map((x) => x.ip) : engine.host.addrList().map((x) => x.ip);
  if (!loopback && !hostAddrs.includes(address)) {
    hops.fail("host address", `${address} is not an address of this host`, `use one of ${["127.0.0.1", ...hostAddrs].join(", ")}`);
    return done();
  }
  hops.ok(
    "host address",
    loopback
      ? `${address} (loopback: DNAT in the output hook, then route_localnet and masquerade)`
      : `${address} (DNAT in the prerouting hook, then forwarded)`,
  );

  const all = engine.firewall.listPortMappings().filter((m) => m.proto === proto && m.hostPort === port);
  const m = all.find((x) => x.hostIp === address) ?? all.find((x) => x.hostIp === (v6 ? ANY_HOST_IP6 : ANY_HOST_IP));
  if (!m) {
    const elsewhere = all.map((x) => x.hostIp);
    hops.fail(
      "nft map element",
      elsewhere.length > 0
        ? `${port}/${proto} is published only on ${elsewhere.join(", ")}, not on ${address}`
        : `nothing is published on ${port}/${proto}: no element in ${MAP.anyAddress} or ${MAP.byAddress} of table inet berth`,
      elsewhere.length > 0
        ? `connect to ${elsewhere[0] ?? ""}:${port}, or publish on 0.0.0.0 with \`-p ${port}:CPORT\``
        : `publish it: \`berth run -p ${port}:CPORT${proto === "udp" ? "/udp" : ""} ...\` (see \`berth port --all\`)`,
    );
    return done();
  }
  const { map, element } = mapElementOf(m);
  hops.ok("nft map element", `${element} in map inet berth ${map}`);

  const a = engine.store.attachments.all().find((x) => x.ip === m.containerIp || x.ip6 === m.containerIp);
  const c = a ? engine.store.containers.byId(a.containerId) : undefined;
  const net = a ? engine.store.networks.byId(a.networkId) : undefined;
  if (!a || !c || !net) {
    hops.fail("container", `the element points to ${m.containerIp}, which no container has (a stale element)`, "run `berth system reconcile` to remove it");
    return done();
  }

  const forward = readSysctl("net.ipv4.ip_forward");
  const localnet = readSysctl(`net.ipv4.conf.${sysctlIfName(net.bridge)}.route_localnet`);
  if (!loopback && forward !== "1") {
    hops.fail(
      "kernel settings",
      `net.ipv4.ip_forward = ${forward ?? "unreadable"}: the host does not forward to ${net.bridge}`,
      "sysctl -w net.ipv4.ip_forward=1",
    );
    return done();
  }
  if (loopback && localnet !== "1") {
    hops.fail(
      "kernel settings",
      `net.ipv4.conf.${net.bridge}.route_localnet = ${localnet ?? "unreadable"}: a packet from 127.0.0.1 may not leave through ${net.bridge}`,
      "run `berth system reconcile`",
    );
    return done();
  }
  hops.ok("kernel settings", loopback ? `route_localnet = 1 on ${net.bridge}` : `ip_forward = 1`);

  if (!traceIntoContainer(engine, hops, c, a, net, m.containerPort, proto)) return done();
  return done(`${connection} -> ${c.name} ${m.containerIp}:${m.containerPort}/${proto}`);
}
