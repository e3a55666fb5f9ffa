import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Engine } from "../context.js";
import { driverOf } from "../network/drivers/index.js";
import type { Container } from "../../model/container.js";
import { containerRunDir } from "../../paths.js";
import { hostsFileFor, resolvConfFor } from "../../dns/index.js";
import { parseResolvConf } from "../resolve/resolver-config.js";

export interface EtcFiles {
  readonly hosts: string;
  readonly resolvConf: string;
  readonly hostname: string;
}

export const DNS_SEARCH_DOMAIN = "dns.berth";

export function etcFilePaths(engine: Engine, id: string): EtcFiles {
  const dir = containerRunDir(engine.paths, id);
  return { hosts: join(dir, "hosts"), resolvConf: join(dir, "resolv.conf"), hostname: join(dir, "hostname") };
}

/**
 * Write the container's /etc/hosts, /etc/hostname and /etc/resolv.conf as
 * Podman (4.4+) does: on a DNS-enabled network the resolver is the gateway
 * and names are searched under dns.berth, and the `--dns` servers are not
 * written but are where the resolver forwards this container's other
 * queries (so container names keep resolving); otherwise the `--dns`
 * servers, else the host's nameservers (minus loopback ones, which a
 * container cannot reach).
 */
export function writeEtcFiles(engine: Engine, c: Container, hostResolvConf = engine.paths.hostResolvConf): EtcFiles {
  const files = etcFilePaths(engine, c.id);
  mkdirSync(containerRunDir(engine.paths, c.id), { recursive: true, mode: 0o711 });
  const want = etcFileContents(engine, c, hostResolvConf);
  writeInPlace(files.resolvConf, want.resolvConf);
  writeInPlace(files.hosts, want.hosts);
  writeInPlace(files.hostname, want.hostname);
  return files;
}

/** What writeEtcFiles() writes for the container now (same shape as EtcFiles: contents instead of paths). */
export function etcFileContents(engine: Engine, c: Container, hostResolvConf = engine.paths.hostResolvConf): EtcFiles {
  const attachments = engine.store.attachments.forContainer(c.id);
  const dnsGateways: string[] = [];
  const dnsGateways6: string[] = [];
  for (const a of attachments) {
    const n = engine.store.networks.byId(a.networkId);
    if (!n?.dnsEnabled) continue;
    if (n.gateway !== undefined && a.ip !== undefined) dnsGateways.push(n.gateway);
    if (n.gateway6 !== undefined && a.ip6 !== undefined) dnsGateways6.push(n.gateway6);
  }
  // IPv4 resolvers first (as Docker orders them), then the IPv6 gateways
  dnsGateways.push(...dnsGateways6);
  const host = readHostResolvConf(hostResolvConf);
  const nameservers = dnsGateways.length > 0 ? dnsGateways : c.dns.servers.length > 0 ? [...c.dns.servers] : host.nameservers;
  const search = [...(dnsGateways.length > 0 ? [DNS_SEARCH_DOMAIN] : []), ...(c.dns.search.length > 0 ? c.dns.search : host.search)];
  const selfIps = c.mode === "none" ? ["127.0.0.1"] : attachments.flatMap((a) => [a.ip, a.ip6].filter((x): x is string => x !== undefined));
  const hostGateway = hostGatewayOf(engine, c);
  return {
    resolvConf: resolvConfFor({ nameservers, search, options: [...c.dns.options] }),
    hosts: hostsFileFor({
      hostname: c.hostname,
      name: c.name,
      selfIps,
      ...(hostGateway === undefined ? {} : { hostGateway }),
      extra: [...c.extraHosts],
    }).replace(/\n?$/, "\n"),
    hostname: `${c.hostname}\n`,
  };
}

/**
 * Rewrite the container's /etc/resolv.conf when it is on a DNS network but
 * the file names none of Berth's resolvers (edited by hand inside the
 * container); true when it did. Other edits are the user's and are kept.
 */
export function restoreResolvConf(engine: Engine, c: Container): boolean {
  const path = etcFilePaths(engine, c.id).resolvConf;
  const resolvers = engine.store.attachments
    .forContainer(c.id)
    .map((a) => engine.store.networks.byId(a.networkId))
    .flatMap((n) => (n?.dnsEnabled ? [n.gateway, n.gateway6].filter((x): x is string => x !== undefined) : []));
  if (resolvers.length === 0) return false;
  let have: string;
  try {
    have = readFileSync(path, "utf8");
  } catch {
    return false; // no file of ours (never started): nothing to restore
  }
  if (parseResolvConf(have).nameservers.some((s) => resolvers.includes(s))) return false;
  writeInPlace(path, etcFileContents(engine, c).resolvConf);
  return true;
}

/** The host's address on the container's first network (its IPv4 gateway, else its IPv6 one), as Podman's host.containers.internal. */
function hostGatewayOf(engine: Engine, c: Container): string | undefined {
  const first = c.networks[0];
  const net = first ? engine.store.networks.byName(first.network) : undefined;
  // a macvlan network's gateway is a router on the parent's segment, not the host
  if (!net || !driverOf(net).throughHost) return undefined;
  return net.gateway ?? net.gateway6;
}

function readHostResolvConf(path: string): { nameservers: string[]; search: string[] } {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { nameservers: [], search: [] };
  }
  const nameservers: string[] = [];
  const search: string[] = [];
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === "nameserver" && rest[0] && !rest[0].startsWith("127.") && rest[0] !== "::1") nameservers.push(rest[0]);
    if (key === "search") search.push(...rest);
  }
  return { nameservers, search };
}

/**
 * Rewrite in place: the file is bind-mounted into a running container, so a
 * rename would leave the container looking at the old inode.
 */
function writeInPlace(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o644 });
}
