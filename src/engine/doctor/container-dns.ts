import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { containerResolverFiles } from "../resolve/container-files.js";
import { parseResolvConf } from "../resolve/resolver-config.js";
import { describeOutcome, queryDns } from "../resolve/dns-query.js";
import { QUERY_TIMEOUT_MS } from "../resolve/resolve-as-container.js";
import type { Finding } from "./finding.js";

/**
 * The container's own name resolution, as its processes meet it:
 * CONTAINER_RESOLV_CONF when it is on a DNS network but its resolv.conf
 * does not name Berth's resolver there (edited by hand, or overwritten by
 * the image's init), CONTAINER_DNS_NO_ANSWER for each name server in it
 * that does not reply to a query sent from inside its namespace.
 */
export function containerDnsFindings(engine: Engine, c: Container): Finding[] {
  if (c.mode === "host" || c.netns === undefined) return [];
  const files = containerResolverFiles(engine, c);
  if (!files.resolvConf) return [];
  const conf = parseResolvConf(files.resolvConf.text);
  const dnsNets = engine.store.attachments
    .forContainer(c.id)
    .map((a) => engine.store.networks.byId(a.networkId))
    .filter((n): n is Network => n !== undefined && n.dnsEnabled);
  const resolvers = dnsNets.flatMap((n) => [n.gateway, n.gateway6].filter((x): x is string => x !== undefined));
  const out: Finding[] = [];
  const listed = conf.nameservers.join(", ") || "no nameserver line";
  if (dnsNets.length > 0 && !conf.nameservers.some((s) => resolvers.includes(s))) {
    out.push({
      code: "CONTAINER_RESOLV_CONF",
      severity: "error",
      summary: `${c.name}'s /etc/resolv.conf does not ask Berth's resolver: container names on ${dnsNets.map((n) => n.name).join(", ")} do not resolve in it`,
      evidence: `${files.resolvConf.path}: ${listed}; Berth's resolver for it: ${resolvers.join(", ")}`,
      fix: `berth system reconcile (rewrites it; outside servers belong in \`berth run --dns\`, which the resolver forwards to)`,
    });
  }
  // no nameserver line at all: nothing is configured to answer (DNS_NO_UPSTREAM notes it on a DNS network)
  for (const server of conf.nameservers) {
    const ours = resolvers.includes(server);
    // Berth's resolver answers the container's own name; any other server is asked for the root's name servers
    const outcome = ours ? queryDns(c.netns, server, c.name, "A", QUERY_TIMEOUT_MS) : queryDns(c.netns, server, ".", "NS", QUERY_TIMEOUT_MS);
    if (outcome.kind === "reply") continue;
    out.push({
      code: "CONTAINER_DNS_NO_ANSWER",
      severity: "error",
      summary: `Name server ${server} in ${c.name}'s /etc/resolv.conf does not answer${ours ? " (it is Berth's resolver)" : ""}: lookups in ${c.name} ${conf.nameservers.length > 1 ? "wait for it before trying the next" : "fail"}`,
      evidence: `a query from inside ${c.name}'s namespace (${c.netns}) to ${server}:53/udp: ${describeOutcome(outcome)}`,
      fix: ours
        ? "berth system reconcile (starts the resolver and re-creates the network), then `berth doctor` for what remains"
        : `see where the path breaks: berth trace ${c.name} ${server}:53/udp`,
    });
  }
  return out;
}
