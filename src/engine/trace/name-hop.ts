import type { Engine } from "../context.js";
import type { Attachment, Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { resolveAsContainer } from "../resolve/resolve-as-container.js";
import type { HopList } from "./hop.js";

/**
 * The "name" hop of a container-to-container trace on a DNS network: look
 * `to`'s name up the way `from` itself does (its nsswitch, /etc/hosts and
 * resolv.conf, queries sent from inside its namespace) and check the answer
 * is `to`'s address on the shared network. Returns false when it is not.
 */
export function traceName(engine: Engine, hops: HopList, from: Container, to: Container, shared: Attachment, net: Network): boolean {
  const wanted = [shared.ip, shared.ip6].filter((x): x is string => x !== undefined);
  const resolvers = [net.gateway, net.gateway6].filter((x): x is string => x !== undefined);
  const lookup = resolveAsContainer(engine, from, to.name);
  if (lookup.resolvConf === undefined && lookup.addresses.length === 0) {
    // a container another engine runs: its files are not where Berth can read them
    hops.ok(
      "name",
      `${to.name} is ${wanted.join(" and ")} on ${net.name} in Berth's resolver (DNS at ${resolvers.join(" and ")}); ${from.name}'s own /etc/resolv.conf could not be read, so its lookup was not checked`,
    );
    return true;
  }
  const servers = lookup.resolvConf?.nameservers ?? [];
  const asksResolver = servers.some((s) => resolvers.includes(s));
  const rewrite = `\`berth system reconcile\` rewrites ${from.name}'s /etc/resolv.conf to Berth's resolver (${resolvers.join(", ")}); outside servers belong in \`berth run --dns\`, which the resolver forwards to`;
  if (lookup.addresses.some((a) => wanted.includes(a))) {
    hops.ok("name", `${to.name} resolves to ${lookup.addresses.join(", ")} on ${net.name}, looked up as ${from.name} does (${lookup.source})`);
    return true;
  }
  if (lookup.addresses.length > 0) {
    return hops.fail(
      "name",
      `${to.name} resolves to ${lookup.addresses.join(", ")} in ${from.name} (${lookup.source}), not to its address ${wanted.join(" or ")} on ${net.name}`,
      lookup.source.startsWith("nameserver") && !asksResolver
        ? rewrite
        : `remove the entry for ${to.name} from ${lookup.source} in ${from.name}, or connect to ${wanted[0] ?? ""}`,
    );
  }
  const why = `${to.name} does not resolve in ${from.name}: ${lookup.source}`;
  if (!asksResolver)
    return hops.fail(
      "name",
      `${why}; its /etc/resolv.conf names ${servers.join(", ") || "no name server"}, not Berth's resolver at ${resolvers.join(" or ")}`,
      rewrite,
    );
  return hops.fail(
    "name",
    why,
    `see \`berth doctor ${from.name}\` (is Berth's resolver running and listening on ${resolvers.join(", ")}?), then \`berth system reconcile\``,
  );
}
