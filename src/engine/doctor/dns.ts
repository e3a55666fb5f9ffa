import type { Engine } from "../context.js";
import { resolverPid, resolverPort } from "../../dns/index.js";
import { hostSockets, socketOwner, type HostSocket } from "../../kernel/proc/host-sockets.js";
import type { DoctorScope, Finding } from "./finding.js";
import { networksInUse, type NetworkUse } from "./networks-in-use.js";
import { queryFromNetns, type ProbeOutcome } from "./dns-probe.js";
import { netnsExists } from "../../kernel/netns.js";
import { RCODE_REFUSED, RCODE_SERVFAIL } from "../../dns/wire/constants.js";

/** How long a container's test query may wait for the resolver's reply. */
const PROBE_TIMEOUT_MS = 2000;

/** One container's test query to its network's gateway, as doctor made it. */
export interface ResolverProbe {
  readonly container: string;
  readonly name: string;
  readonly gateway: string;
  readonly outcome: ProbeOutcome;
}

/** A socket bound where the resolver must listen, with its owner when known. */
export interface BoundSocket {
  readonly socket: HostSocket;
  readonly owner: { readonly pid: number; readonly name: string } | undefined;
}

/** Whether a socket bound on `address` (or a wildcard) takes gateway:port. */
export function bindsGateway(s: HostSocket, gateway: string, port: number): boolean {
  return s.port === port && (s.address === gateway || s.address === "0.0.0.0" || s.address === "::");
}

/**
 * DNS_RESOLVER_DOWN when a DNS-enabled network has containers and no
 * resolver runs; DNS_PORT_TAKEN when another process holds the port on a
 * gateway; DNS_NOT_LISTENING when the resolver runs but nothing listens there;
 * DNS_NOT_SERVING when it listens but a container's query to its gateway
 * gets no reply (a hung or stopped daemon), REFUSED or SERVFAIL.
 */
export function dnsFindings(input: {
  readonly inUse: readonly NetworkUse[];
  readonly resolverPid: number | undefined;
  readonly port: number;
  /** UDP and TCP sockets bound on each DNS network's gateway port. */
  readonly bound: (gateway: string) => readonly BoundSocket[];
  /** Ask the network's resolver from inside one of its running containers (undefined: none to ask from). */
  readonly probe?: (use: NetworkUse) => ResolverProbe | undefined;
}): Finding[] {
  const dnsNets = input.inUse.filter((u) => u.network.dnsEnabled);
  if (dnsNets.length === 0) return [];
  const out: Finding[] = [];
  if (input.resolverPid === undefined) {
    out.push({
      code: "DNS_RESOLVER_DOWN",
      severity: "error",
      summary: `Berth's DNS resolver is not running: container names on ${dnsNets.map((u) => u.network.name).join(", ")} do not resolve, and lookups of outside names fail`,
      evidence: `no live process in the resolver pid file; DNS-enabled networks with containers: ${dnsNets.map((u) => `${u.network.name} (gateway ${[u.network.gateway, u.network.gateway6].filter((g) => g !== undefined).join(", ")})`).join(", ")}`,
      fix: "berth system reconcile",
    });
  }
  for (const u of dnsNets) {
    const gw = u.network.gateway ?? u.network.gateway6;
    if (gw === undefined) continue;
    const bound = input.bound(gw);
    const others = bound.filter((b) => b.owner?.pid !== input.resolverPid || input.resolverPid === undefined);
    const ours = bound.filter((b) => input.resolverPid !== undefined && b.owner?.pid === input.resolverPid);
    for (const b of others) {
      const who = b.owner ? `${b.owner.name} (pid ${b.owner.pid})` : "an unknown process";
      out.push({
        code: "DNS_PORT_TAKEN",
        severity: "error",
        summary: `${who} holds ${b.socket.proto} port ${input.port} on ${b.socket.address}, where Berth's resolver must answer network ${u.network.name}`,
        evidence: `${b.socket.proto} socket bound on ${b.socket.address}:${b.socket.port}, owned by ${who}`,
        fix: b.owner
          ? `stop ${b.owner.name} (kill ${b.owner.pid}) or make it listen only on other addresses (e.g. dnsmasq --bind-interfaces --except-interface=${u.network.bridge}), then berth system reconcile`
          : `find the owner with \`ss -lupn 'sport = :${input.port}'\` and stop it, then berth system reconcile`,
      });
    }
    if (input.resolverPid !== undefined && others.length === 0 && !ours.some((b) => b.socket.proto === "udp")) {
      out.push({
        code: "DNS_NOT_LISTENING",
        severity: "error",
        summary: `Berth's resolver (pid ${input.resolverPid}) does not listen on ${gw}:${input.port}: containers on ${u.network.name} get no DNS answers`,
        evidence: `no udp socket on ${gw}:${input.port} in /proc/net/udp`,
        fix: `check the gateway address with \`ip addr show ${u.network.bridge}\`, see the resolver's log, then berth system reconcile`,
      });
      continue;
    }
    if (input.resolverPid === undefined || others.length > 0) continue;
    const p = input.probe?.(u);
    if (p === undefined || (p.outcome.answered && p.outcome.rcode !== RCODE_REFUSED && p.outcome.rcode !== RCODE_SERVFAIL)) continue;
    const got = p.outcome.answered ? `got ${p.outcome.rcode === RCODE_REFUSED ? "REFUSED" : "SERVFAIL"}` : `got no reply within ${PROBE_TIMEOUT_MS} ms`;
    out.push({
      code: "DNS_NOT_SERVING",
      severity: "error",
      summary: `Berth's resolver (pid ${input.resolverPid}) does not serve containers on ${u.network.name}: names do not resolve there`,
      evidence: `a query for ${p.name} from inside ${p.container} to ${p.gateway}:${input.port} ${got}`,
      fix: p.outcome.answered
        ? "berth system reconcile (it republishes the zone the resolver serves)"
        : `kill ${input.resolverPid} (it is hung or stopped), then berth system reconcile starts a new resolver`,
    });
  }
  return out;
}

/** A query from inside a running container of `use`'s network for its own name, to the gateway (undefined when no container has a namespace to ask from). */
function probeFromContainer(engine: Engine, use: NetworkUse, port: number): ResolverProbe | undefined {
  const gateway = use.network.gateway ?? use.network.gateway6;
  if (gateway === undefined) return undefined;
  for (const a of engine.store.attachments.namedForNetwork(use.network.id)) {
    const c = engine.store.containers.byId(a.containerId);
    if (c?.status !== "running" || c.netns === undefined || !netnsExists(c.netns)) continue;
    if ((use.network.gateway === undefined ? a.ip6 : a.ip) === undefined) continue;
    const name = `${a.name}.dns.berth`;
    return { container: c.name, name, gateway, outcome: queryFromNetns(c.netns, gateway, port, name, PROBE_TIMEOUT_MS) };
  }
  return undefined;
}

/** Check 8: the resolver process and who holds port 53 on each DNS network's gateway. */
export function checkDns(engine: Engine, scope: DoctorScope): Finding[] {
  const port = resolverPort();
  const sockets = [...hostSockets("udp"), ...hostSockets("tcp")];
  return dnsFindings({
    inUse: networksInUse(engine, scope.networks),
    resolverPid: resolverPid(engine.paths),
    port,
    bound: (gw) => sockets.filter((s) => bindsGateway(s, gw, port)).map((socket) => ({ socket, owner: socketOwner(socket.inode) })),
    probe: (use) => probeFromContainer(engine, use, port),
  });
}
