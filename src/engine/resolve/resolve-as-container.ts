import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import { candidateNames, hostsLookup, nsswitchHosts, parseResolvConf, type ResolvConf } from "./resolver-config.js";
import { containerResolverFiles } from "./container-files.js";
import { describeOutcome, queryDns, type DnsQueryOutcome } from "./dns-query.js";

/** How long each query may take: a stub resolver's own timeout, capped so a trace stays quick. */
export const QUERY_TIMEOUT_MS = 1000;

/** One query made on the container's behalf. */
export interface LookupStep {
  readonly server: string;
  readonly name: string;
  readonly outcome: DnsQueryOutcome;
}

/** The result of looking a name up the way a container's own processes would. */
export interface ContainerLookup {
  readonly name: string;
  /** Addresses found; empty when the name does not resolve. */
  readonly addresses: readonly string[];
  /** Where the answer came from ("/etc/hosts", "nameserver 10.89.0.1, as db.dns.berth"), or why there is none. */
  readonly source: string;
  /** The name servers of its resolv.conf (undefined when the file could not be read). */
  readonly resolvConf: ResolvConf | undefined;
  readonly steps: readonly LookupStep[];
}

/**
 * Resolve `name` as a process in container `c` would: the `hosts:` sources
 * of its nsswitch.conf in order; `files` is its /etc/hosts; `dns` asks the
 * name servers of its resolv.conf, from inside its network namespace, with
 * its search domains and ndots. A server that does not reply is followed
 * by the next one; when none replies, the lookup stops there, as glibc's does.
 */
export function resolveAsContainer(engine: Engine, c: Container, name: string, timeoutMs = QUERY_TIMEOUT_MS): ContainerLookup {
  const files = containerResolverFiles(engine, c);
  const conf = files.resolvConf ? parseResolvConf(files.resolvConf.text) : undefined;
  const steps: LookupStep[] = [];
  const result = (addresses: readonly string[], source: string): ContainerLookup => ({ name, addresses, source, resolvConf: conf, steps });
  const skipped: string[] = [];
  for (const src of nsswitchHosts(files.nsswitch?.text)) {
    if (src === "files") {
      const found = files.hosts ? hostsLookup(files.hosts.text, name) : [];
      if (found.length > 0) return result(found, `${files.hosts?.path ?? "/etc/hosts"}`);
      continue;
    }
    if (src !== "dns") {
      skipped.push(src.other);
      continue;
    }
    if (!conf) return result([], `${c.name}'s /etc/resolv.conf cannot be read`);
    // no nameserver line: the resolver library asks 127.0.0.1 in the container's own namespace
    const servers = conf.nameservers.length > 0 ? conf.nameservers : ["127.0.0.1"];
    const wait = Math.min(timeoutMs, conf.timeoutSec * 1000);
    for (const candidate of candidateNames(name, conf)) {
      let replied = false;
      for (const server of servers) {
        const outcome = queryDns(c.netns, server, candidate, "A", wait);
        steps.push({ server, name: candidate, outcome });
        if (outcome.kind !== "reply" || outcome.rcode === "SERVFAIL" || outcome.rcode === "REFUSED") continue;
        replied = true;
        if (outcome.addresses.length > 0) return result(outcome.addresses, `nameserver ${server}${candidate === name ? "" : `, as ${candidate}`}`);
        break; // NXDOMAIN or no address: the next candidate name
      }
      if (!replied && !steps.some((s) => s.outcome.kind === "reply" && s.outcome.rcode !== "SERVFAIL" && s.outcome.rcode !== "REFUSED")) {
        return result([], `no name server of ${c.name} answered (${describeSteps(steps)})`);
      }
    }
    return result([], `${describeSteps(steps)}`);
  }
  return result([], `no source in nsswitch.conf's hosts line found it${skipped.length > 0 ? ` (not checked: ${skipped.join(", ")})` : ""}`);
}

/** "10.89.0.1: db.dns.berth NXDOMAIN, db answered NXDOMAIN; 192.0.2.1: no reply within 1000 ms" */
export function describeSteps(steps: readonly LookupStep[]): string {
  const byServer = new Map<string, string[]>();
  for (const s of steps) byServer.set(s.server, [...(byServer.get(s.server) ?? []), `${s.name} ${describeOutcome(s.outcome)}`]);
  return [...byServer].map(([server, parts]) => `${server}: ${parts.join(", ")}`).join("; ");
}
