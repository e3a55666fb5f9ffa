import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import { describeOutcome, queryDns } from "../resolve/dns-query.js";
import { upstreamsFor } from "../trace/trace-outside.js";
import { attachmentsWithNetworks } from "../views/network-drift.js";
import type { DoctorScope, Finding } from "./finding.js";

/** At most this many upstream servers are asked (each waits at most UPSTREAM_TIMEOUT_MS). */
const MAX_SERVERS = 8;
const UPSTREAM_TIMEOUT_MS = 1500;

/**
 * DNS_UPSTREAM_UNREACHABLE for each upstream server Berth's resolver
 * forwards containers' outside names to (their --dns, their networks', or
 * the host's resolv.conf) that does not answer a real query sent from the
 * host; DNS_NO_UPSTREAM (info) when a DNS network's containers have none.
 */
export function checkUpstreamDns(engine: Engine, scope: DoctorScope): Finding[] {
  const users = new Map<string, { from: Set<string>; containers: string[] }>();
  const without: string[] = [];
  for (const c of scope.containers) {
    if (c.status !== "running") continue;
    const nets: Network[] = attachmentsWithNetworks(engine, c).map((x) => x.net);
    if (!nets.some((n) => n.dnsEnabled)) continue;
    const up = upstreamsFor(engine, c, nets);
    if (up.servers.length === 0) without.push(c.name);
    for (const s of up.servers) {
      const u = users.get(s) ?? { from: new Set<string>(), containers: [] };
      u.from.add(up.from);
      u.containers.push(c.name);
      users.set(s, u);
    }
  }
  const out: Finding[] = [];
  if (without.length > 0) {
    out.push({
      code: "DNS_NO_UPSTREAM",
      severity: "info",
      summary: `Berth's resolver has no upstream server for ${without.join(", ")}: only container names resolve there`,
      evidence: `no --dns, no network --dns, and no nameserver in ${engine.paths.hostResolvConf}`,
      fix: `if they need outside names: berth run --dns SERVER ..., or a nameserver in ${engine.paths.hostResolvConf}`,
    });
  }
  for (const [server, u] of [...users].slice(0, MAX_SERVERS)) {
    const o = queryDns(undefined, server, ".", "NS", UPSTREAM_TIMEOUT_MS);
    if (o.kind === "reply") continue;
    out.push({
      code: "DNS_UPSTREAM_UNREACHABLE",
      severity: "error",
      summary: `Upstream DNS server ${server} does not answer: outside names fail (or wait for the next server) in ${u.containers.join(", ")}`,
      evidence: `a query from the host to ${server}:53/udp: ${describeOutcome(o)}`,
      fix: `make ${server} reachable from the host (see \`ip route get ${server.replace(/#.*$/, "")}\`), or give working servers: berth run --dns SERVER ... (or fix ${engine.paths.hostResolvConf})`,
    });
  }
  return out;
}
