import type { Engine } from "../context.js";
import { resolverPid, resolverPort } from "../../dns/index.js";
import { hostSockets, socketOwner, type HostSocket } from "../host-sockets.js";
import type { DoctorScope, Finding } from "./finding.js";
import { networksInUse, type NetworkUse } from "./networks-in-use.js";

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
 * gateway; DNS_NOT_LISTENING when the resolver runs but nothing listens there.
 */
export function dnsFindings(input: {
  readonly inUse: readonly NetworkUse[];
  readonly resolverPid: number | undefined;
  readonly port: number;
  /** UDP and TCP sockets bound on each DNS network's gateway port. */
  readonly bound: (gateway: string) => readonly BoundSocket[];
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
    }
  }
  return out;
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
  });
}
