import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { prefixesOf } from "../network/prefixes.js";
import { hostPort } from "../../model/ip.js";
import { etcFilePaths } from "../sync/etc-files.js";

export interface EndpointView {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  MacAddress: string;
  Aliases: string[];
  DriverOpts: null;
  Links: null;
  InterfaceName: string;
  HostInterfaceName: string;
}

/** `berth inspect NAME`: the Podman/Docker JSON shape, so `-f '{{.NetworkSettings.IPAddress}}'` works. */
export function containerView(engine: Engine, c: Container): Record<string, unknown> {
  const attachments = engine.store.attachments.forContainer(c.id);
  const networks: Record<string, EndpointView> = {};
  for (const req of c.networks) {
    const net = engine.store.networks.byName(req.network);
    const a = net ? attachments.find((x) => x.networkId === net.id) : undefined;
    const p = net ? prefixesOf(net) : { v4: undefined, v6: undefined };
    networks[req.network] = {
      NetworkID: net?.id ?? "",
      EndpointID: "",
      Gateway: a?.ip !== undefined ? (net?.gateway ?? "") : "",
      IPAddress: a?.ip ?? "",
      IPPrefixLen: a?.ip !== undefined ? (p.v4 ?? 0) : 0,
      IPv6Gateway: a?.ip6 !== undefined ? (net?.gateway6 ?? "") : "",
      GlobalIPv6Address: a?.ip6 ?? "",
      GlobalIPv6PrefixLen: a?.ip6 !== undefined ? (p.v6 ?? 0) : 0,
      MacAddress: a?.mac ?? "",
      Aliases: a ? [c.name, c.id.slice(0, 12), ...a.aliases] : [],
      DriverOpts: null,
      Links: null,
      InterfaceName: a?.ifname ?? "",
      HostInterfaceName: a?.hostVeth ?? "",
    };
  }
  const first = Object.values(networks)[0];
  const etc = etcFilePaths(engine, c.id);
  const running = c.status === "running";
  return {
    Id: c.id,
    Created: c.created,
    Path: c.command[0] ?? "",
    Args: c.command.slice(1),
    State: {
      Status: c.status === "creating" ? "created" : c.status,
      Running: running,
      Pid: c.pid ?? 0,
      ExitCode: c.exitCode ?? 0,
      StartedAt: c.started ?? "",
      FinishedAt: c.finished ?? "",
    },
    Name: c.name,
    HostnamePath: etc.hostname,
    HostsPath: etc.hosts,
    ResolvConfPath: etc.resolvConf,
    Config: {
      Hostname: c.hostname,
      Cmd: [...c.command],
    },
    HostConfig: {
      NetworkMode: networkModeText(engine, c),
      AutoRemove: c.autoRemove,
      Dns: [...c.dns.servers],
      DnsSearch: [...c.dns.search],
      DnsOptions: [...c.dns.options],
      ExtraHosts: c.extraHosts.map((h) => `${h.name}:${h.ip}`),
      Rootfs: c.rootfs ?? "",
    },
    NetworkSettings: {
      SandboxKey: c.netns ?? "",
      SandboxID: c.netns ? (c.netns.split("/").pop() ?? "") : "",
      IPAddress: first?.IPAddress ?? "",
      IPPrefixLen: first?.IPPrefixLen ?? 0,
      Gateway: first?.Gateway ?? "",
      MacAddress: first?.MacAddress ?? "",
      GlobalIPv6Address: first?.GlobalIPv6Address ?? "",
      GlobalIPv6PrefixLen: first?.GlobalIPv6PrefixLen ?? 0,
      IPv6Gateway: first?.IPv6Gateway ?? "",
      Ports: portsView(engine, c),
      Networks: networks,
    },
  };
}

/** Docker's shape: { "8080/tcp": [{ HostIp, HostPort }] }. */
export function portsView(engine: Engine, c: Container): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of engine.store.ports.forContainer(c.id)) {
    const k = `${p.containerPort}/${p.proto}`;
    (out[k] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
  }
  return out;
}

/** "0.0.0.0:9090->8080/tcp, ..." as `ps` shows it. */
export function portsText(engine: Engine, c: Container): string {
  return engine.store.ports
    .forContainer(c.id)
    .map((p) => `${hostPort(p.hostIp, p.hostPort)}->${p.containerPort}/${p.proto}`)
    .join(", ");
}

export function networkModeText(engine: Engine, c: Container): string {
  if (c.mode === "container" && c.modeTarget === undefined) return `ns:${c.netns ?? ""}`;
  if (c.mode === "container") {
    const t = c.modeTarget ? engine.store.containers.byId(c.modeTarget) : undefined;
    return `container:${t?.name ?? c.modeTarget ?? ""}`;
  }
  if (c.mode === "bridge") return c.networks.map((n) => n.network).join(",") || "bridge";
  return c.mode;
}
