import type { Engine } from "../context.js";
import type { Proto } from "../../model/port-spec.js";
import { requireContainer } from "../network/network-lookup.js";
import { HopList, type TraceResult } from "./hop.js";
import { traceIntoContainer } from "./into-container.js";
import { traceName } from "./name-hop.js";
import { traceAcrossNetworks } from "./across-networks.js";

/**
 * `berth trace FROM TO[:PORT[/proto]]`: container to container by name.
 * On a shared network, TO's name resolves when the network has DNS, and
 * the path goes over the bridge into TO; without one, the host routes
 * between the two bridges where isolation may drop it (across-networks.ts).
 */
export function traceContainers(engine: Engine, fromName: string, toName: string, port: number | undefined, proto: Proto): TraceResult {
  const connection = `${fromName} -> ${toName}${port === undefined ? "" : `:${port}/${proto}`}`;
  const hops = new HopList();
  const done = (as = "") => hops.result(connection, as);
  const from = requireContainer(engine, fromName);
  const to = requireContainer(engine, toName);
  if (from.status !== "running") {
    hops.fail("source", `${from.name} is ${from.status}`, `start it again with \`berth start ${from.name}\``);
    return done();
  }
  const fromAtt = engine.store.attachments.forContainer(from.id);
  hops.ok(
    "source",
    `${from.name} on ${fromAtt.map((a) => engine.store.networks.byId(a.networkId)?.name ?? a.networkId).join(", ") || `no network (--network ${from.mode})`}`,
  );

  if (to.status !== "running") {
    hops.fail("destination", `${to.name} is ${to.status}, and a stopped container holds no address`, `start it again with \`berth start ${to.name}\``);
    return done();
  }
  const toAtt = engine.store.attachments.forContainer(to.id);
  const shared = toAtt.find((a) => fromAtt.some((f) => f.networkId === a.networkId));
  if (!shared) return done(traceAcrossNetworks(engine, hops, from, to, port, proto) ?? "");
  const net = engine.store.networks.byId(shared.networkId);
  if (!net) {
    hops.fail("shared network", `network ${shared.networkId} is gone from the store`, "run `berth system reconcile`");
    return done();
  }
  hops.ok("shared network", `${net.name} (${[net.subnet, net.subnet6].filter(Boolean).join(", ")})`);
  if (net.dnsEnabled) {
    if (!traceName(engine, hops, from, to, shared, net)) return done();
  } else {
    hops.ok(
      "name",
      `network ${net.name} has no DNS: use ${[shared.ip, shared.ip6].filter(Boolean).join(" and ")}, or put both on a network made with \`berth network create\``,
    );
  }
  if (!traceIntoContainer(engine, hops, to, shared, net, port, proto)) return done();
  return done(`${from.name} -> ${to.name} ${shared.ip ?? shared.ip6 ?? ""}${port === undefined ? "" : `:${port}/${proto}`} over ${net.bridge}`);
}
