import { readFileSync } from "node:fs";
import type { Engine } from "../context.js";
import { resolverPid } from "../../dns/index.js";
import { nameserversOf } from "../../dns/upstream.js";
import { messageOf } from "../../errors.js";
import type { TableSummary } from "../../firewall/index.js";
import { hostSockets, socketOwner } from "../../kernel/proc/host-sockets.js";
import { resolverPort } from "../../dns/index.js";
import { readProcValue } from "../../kernel/proc/read-proc.js";

export interface InterfaceInfo {
  readonly name: string;
  readonly kind: string | undefined;
  readonly state: "up" | "down";
  readonly mtu: number;
  readonly mac: string;
  readonly addresses: string[];
  readonly master: string | undefined;
}

export interface RouteInfo {
  /** "default" or a CIDR. */
  readonly dst: string;
  readonly via: string | undefined;
  readonly dev: string | undefined;
}

export interface HostInfo {
  readonly interfaces: InterfaceInfo[];
  readonly routes: RouteInfo[];
  readonly firewall: { readonly table: string; readonly present: boolean; readonly error?: string } & Partial<TableSummary>;
  readonly dns: {
    readonly resolvConf: string;
    readonly hostNameservers: string[];
    readonly resolverPid: number | undefined;
    /** "10.89.0.1:53/udp" for each socket the resolver holds. */
    readonly listening: string[];
  };
  /** Sysctl name to value; undefined when the key does not exist (module not loaded, bridge absent). */
  readonly sysctls: Record<string, string | undefined>;
  readonly berth: {
    readonly networks: {
      readonly name: string;
      readonly bridge: string;
      readonly subnet: string;
      readonly gateway: string;
      readonly subnet6?: string;
      readonly gateway6?: string;
      readonly dns: boolean;
      readonly containers: number;
    }[];
    readonly containers: number;
    readonly running: number;
  };
}

const RESOLV_CONF = "/etc/resolv.conf";

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

function firewallInfo(engine: Engine): HostInfo["firewall"] {
  const table = "inet berth";
  try {
    const s = engine.firewall.tableSummary();
    return s === undefined ? { table, present: false } : { table, present: true, ...s };
  } catch (e) {
    return { table, present: false, error: messageOf(e) };
  }
}

function dnsInfo(engine: Engine): HostInfo["dns"] {
  const pid = resolverPid(engine.paths);
  const port = resolverPort();
  const listening: string[] = [];
  if (pid !== undefined) {
    for (const s of [...hostSockets("udp"), ...hostSockets("tcp")]) {
      if (s.port === port && socketOwner(s.inode)?.pid === pid) listening.push(`${s.address}:${s.port}/${s.proto}`);
    }
  }
  return { resolvConf: RESOLV_CONF, hostNameservers: nameserversOf(readText(RESOLV_CONF)), resolverPid: pid, listening };
}

/**
 * `berth system info` / `berth inspect host`: the host as Berth sees it,
 * read from the kernel (interfaces, routes, nft table, sockets, sysctls)
 * plus the store's counts. Changes nothing.
 */
export function hostInfo(engine: Engine): HostInfo {
  const h = engine.host;
  const links = h.linkList();
  const names = new Map(links.map((l) => [l.index, l.name]));
  const addrs = h.addrList();
  const interfaces: InterfaceInfo[] = links.map((l) => ({
    name: l.name,
    kind: l.kind,
    state: l.up ? "up" : "down",
    mtu: l.mtu,
    mac: l.mac,
    addresses: addrs.filter((a) => a.ifindex === l.index).map((a) => `${a.ip}/${a.prefix}`),
    master: l.masterIndex === undefined ? undefined : names.get(l.masterIndex),
  }));
  const routes: RouteInfo[] = h
    .routeList()
    .map((r) => ({ dst: r.dst ?? "default", via: r.gateway, dev: r.ifindex === undefined ? undefined : names.get(r.ifindex) }));
  const nets = engine.store.networks.list();
  const sysctls: Record<string, string | undefined> = {
    "net.ipv4.ip_forward": readProcValue("/proc/sys/net/ipv4/ip_forward"),
    "net.bridge.bridge-nf-call-iptables": readProcValue("/proc/sys/net/bridge/bridge-nf-call-iptables"),
  };
  for (const n of nets) {
    if ([...names.values()].includes(n.bridge))
      sysctls[`net.ipv4.conf.${n.bridge}.route_localnet`] = readProcValue(`/proc/sys/net/ipv4/conf/${n.bridge}/route_localnet`);
  }
  const containers = engine.store.containers.list();
  return {
    interfaces,
    routes,
    firewall: firewallInfo(engine),
    dns: dnsInfo(engine),
    sysctls,
    berth: {
      networks: nets.map((n) => ({
        name: n.name,
        bridge: n.bridge,
        subnet: n.subnet ?? "",
        gateway: n.gateway ?? "",
        ...(n.subnet6 === undefined ? {} : { subnet6: n.subnet6, gateway6: n.gateway6 ?? "" }),
        dns: n.dnsEnabled,
        containers: engine.store.attachments.countForNetwork(n.id),
      })),
      containers: containers.length,
      running: containers.filter((c) => c.status === "running").length,
    },
  };
}
