import type { Engine } from "../context.js";
import type { Container } from "../../model/container.js";
import type { Network } from "../../model/network.js";
import { cidrContains, parseCidr4, tryParseIpv4, type Cidr4 } from "../../model/ipv4.js";
import { NetlinkHandle, sysctlRead } from "../../kernel/index.js";
import { requireContainer } from "../network/network-lookup.js";
import { attachmentsWithNetworks } from "../views/network-drift.js";
import { resolveAsContainer } from "../resolve/resolve-as-container.js";
import { describeOutcome, queryDns } from "../resolve/dns-query.js";
import { parseResolvConf } from "../resolve/resolver-config.js";
import { containerResolverFiles } from "../resolve/container-files.js";
import { nameserversOf } from "../../dns/upstream.js";
import { readFileSync } from "node:fs";
import { HopList, type TraceResult } from "./hop.js";

/** How long the host waits for each upstream resolver. */
const UPSTREAM_TIMEOUT_MS = 1500;

function readSysctl(key: string): string | undefined {
  try {
    return sysctlRead(key);
  } catch {
    return undefined;
  }
}

/** nft JSON set elements (address, { prefix }, { range }) as CIDRs, skipping what is not IPv4. */
function cidrsOf(elements: readonly unknown[]): Cidr4[] {
  const out: Cidr4[] = [];
  for (const e of elements) {
    const v = typeof e === "object" && e !== null && "elem" in e ? (e as { elem: { val?: unknown } }).elem.val : e;
    if (typeof v === "string" && tryParseIpv4(v) !== undefined) out.push(parseCidr4(`${v}/32`));
    const p = typeof v === "object" && v !== null ? (v as { prefix?: { addr?: unknown; len?: unknown } }).prefix : undefined;
    if (p && typeof p.addr === "string" && typeof p.len === "number" && tryParseIpv4(p.addr) !== undefined) out.push(parseCidr4(`${p.addr}/${p.len}`));
  }
  return out;
}

/** The upstream servers Berth's resolver forwards this container's outside queries to: its --dns, else its networks', else the host's. */
export function upstreamsFor(engine: Engine, c: Container, nets: readonly Network[]): { servers: string[]; from: string } {
  if (c.dns.servers.length > 0) return { servers: [...c.dns.servers], from: `${c.name}'s --dns` };
  const fromNets = [...new Set(nets.flatMap((n) => n.dnsServers))];
  if (fromNets.length > 0) return { servers: fromNets, from: "its networks' --dns" };
  let text = "";
  try {
    text = readFileSync(engine.paths.hostResolvConf, "utf8");
  } catch {
    // no file: no upstream
  }
  return { servers: nameserversOf(text), from: `the host's ${engine.paths.hostResolvConf}` };
}

/**
 * `berth trace CONTAINER HOST[:PORT]` for a destination outside the host:
 * the container's default route, the host's forwarding, masquerade for the
 * network's subnet, the upstream resolvers its queries go to and the
 * name's answer (for a name), then the host's route to the address. Each
 * query is a real one with a bounded wait. The far end itself is not probed.
 */
export function traceOutside(engine: Engine, fromName: string, host: string, port: number | undefined, proto: "tcp" | "udp"): TraceResult {
  const connection = `${fromName} -> ${host}${port === undefined ? "" : `:${port}/${proto}`}`;
  const hops = new HopList();
  const done = (as = "") => hops.result(connection, as);
  const c = requireContainer(engine, fromName);
  if (c.status !== "running" || c.netns === undefined) {
    hops.fail("source", `${c.name} is ${c.status}`, `start it again with \`berth run -d --name ${c.name} ...\``);
    return done();
  }
  const nets = attachmentsWithNetworks(engine, c);
  hops.ok("source", `${c.name} on ${nets.map((x) => x.net.name).join(", ") || `no network (--network ${c.mode})`}`);
  // 1. the container's default route
  const inside = NetlinkHandle.open(c.netns);
  let route;
  try {
    route = inside.routeList().find((r) => r.dst === undefined);
  } finally {
    inside.close();
  }
  const viaNet = nets.find(({ net }) => net.gateway !== undefined && net.gateway === route?.gateway);
  if (!route || !viaNet) {
    const routed = nets.filter(({ net }) => !net.internal && net.gateway !== undefined);
    hops.fail(
      "default route",
      route
        ? `${c.name}'s default route goes via ${route.gateway ?? "no gateway"}, not a Berth network's gateway`
        : `${c.name} has no IPv4 default route${routed.length === 0 ? " (it is on no network that leads out: internal or none)" : ""}`,
      routed.length === 0
        ? `connect it to a network that is not --internal: berth network connect NET ${c.name}`
        : "berth system reconcile (restores the default route)",
    );
    return done();
  }
  const net = viaNet.net;
  hops.ok("default route", `default via ${route.gateway ?? ""} (network ${net.name}, bridge ${net.bridge})`);
  // 2. forwarding
  const forward = readSysctl("net.ipv4.ip_forward");
  if (forward !== "1") {
    hops.fail(
      "forwarding",
      `net.ipv4.ip_forward = ${forward ?? "unreadable"}: the host does not forward ${c.name}'s packets`,
      "sysctl -w net.ipv4.ip_forward=1",
    );
    return done();
  }
  hops.ok("forwarding", "net.ipv4.ip_forward = 1");
  // 3. masquerade
  const subnet = net.subnet === undefined ? undefined : parseCidr4(net.subnet);
  const nat = engine.firewall.tableExists() ? cidrsOf(engine.firewall.setElements("nat_subnets")) : undefined;
  if (!subnet || !nat || !nat.some((n) => cidrContains(n, subnet.addr) && n.prefix <= subnet.prefix)) {
    hops.fail(
      "masquerade",
      nat === undefined
        ? "table inet berth is missing: nothing masquerades the containers' addresses"
        : `${net.subnet ?? net.name} is not in set nat_subnets of table inet berth: replies would go to a private address`,
      "berth system reconcile (re-applies the table)",
    );
    return done();
  }
  hops.ok("masquerade", `${net.subnet ?? ""} is in set nat_subnets of table inet berth`);
  // 4. the name, as the container resolves it, and the upstreams Berth's resolver uses for it
  let address = tryParseIpv4(host) === undefined ? undefined : host;
  if (address === undefined) {
    const conf = parseResolvConf(containerResolverFiles(engine, c).resolvConf?.text ?? "");
    const resolvers = nets.flatMap(({ net: n }) => (n.dnsEnabled ? [n.gateway, n.gateway6].filter((x): x is string => x !== undefined) : []));
    const viaResolver = conf.nameservers.some((s) => resolvers.includes(s));
    if (viaResolver) {
      const up = upstreamsFor(
        engine,
        c,
        nets.map((x) => x.net),
      );
      if (up.servers.length === 0) {
        hops.fail(
          "upstream DNS",
          `Berth's resolver has no upstream server for ${c.name} (none in ${up.from})`,
          `give one: berth run --dns SERVER ..., or a nameserver in ${engine.paths.hostResolvConf}`,
        );
        return done();
      }
      const results = up.servers.map((s) => ({ s, o: queryDns(undefined, s, host, "A", UPSTREAM_TIMEOUT_MS) }));
      const text = results.map((r) => `${r.s} ${describeOutcome(r.o)}`).join("; ");
      if (!results.some((r) => r.o.kind === "reply")) {
        hops.fail(
          "upstream DNS",
          `no upstream server answers Berth's resolver (from ${up.from}): ${text}`,
          `make ${up.servers.join(" or ")} reachable from the host (check with \`berth trace ${c.name} ${up.servers[0] ?? ""}:53/udp\`), or use servers that are: berth run --dns SERVER ...`,
        );
        return done();
      }
      hops.ok("upstream DNS", `from the host, ${text} (from ${up.from})`);
    }
    const lookup = resolveAsContainer(engine, c, host);
    address = lookup.addresses.find((a) => tryParseIpv4(a) !== undefined);
    if (address === undefined) {
      hops.fail(
        "name",
        `${host} does not resolve in ${c.name}: ${lookup.source}`,
        viaResolver ? `see \`berth doctor ${c.name}\`` : `check the name servers in ${c.name}'s /etc/resolv.conf (${conf.nameservers.join(", ") || "none"})`,
      );
      return done();
    }
    hops.ok("name", `${host} resolves to ${lookup.addresses.join(", ")} in ${c.name} (${lookup.source})`);
  }
  // 5. the host's route to the address
  const dst = tryParseIpv4(address) ?? 0;
  const best = engine.host
    .routeList()
    .filter((r) => r.table === 254)
    .map((r) => ({ r, cidr: r.dst === undefined ? { addr: 0, prefix: 0 } : parseCidr4(r.dst) }))
    .filter((x) => cidrContains(x.cidr, dst))
    .sort((a, b) => b.cidr.prefix - a.cidr.prefix)[0];
  if (!best) {
    hops.fail("host route", `the host has no route to ${address}`, `give the host a route out: ip route add default via ROUTER (see \`ip route\`)`);
    return done();
  }
  const dev = best.r.ifindex === undefined ? undefined : engine.host.linkList().find((l) => l.index === best.r.ifindex);
  if (dev && !dev.up) {
    hops.fail("host route", `the route to ${address} leaves through ${dev.name}, which is down`, `ip link set ${dev.name} up`);
    return done();
  }
  hops.ok("host route", `${best.r.dst ?? "default"}${best.r.gateway ? ` via ${best.r.gateway}` : ""}${dev ? ` dev ${dev.name}` : ""}`);
  return done(
    `${c.name} -> ${address}${port === undefined ? "" : `:${port}/${proto}`} leaves the host through ${dev?.name ?? "its route"} (masqueraded); beyond the host is not checked`,
  );
}
