import { BerthError } from "../errors.js";
import { tryParseIpv4 } from "../model/ipv4.js";
import { formatIpv6, tryParseIpv6 } from "../model/ipv6.js";

/** The snapshot the engine publishes in `<runDir>/dns/zone.json`: DNS-enabled networks with their containers. */
export interface DnsZoneSnapshot {
  readonly version: 1;
  /**
   * Grows with every snapshot the engine publishes. The daemon writes the
   * serial it serves to `zone.loaded` once its tables and listeners match,
   * so a berth command can return only when its change resolves.
   */
  readonly serial?: number;
  readonly networks: readonly DnsNetwork[];
}

export interface DnsNetwork {
  readonly id: string;
  readonly name: string;
  /** IPv4 gateway of the network: where the resolver listens for it (undefined on an IPv6-only network). */
  readonly gateway: string | undefined;
  readonly subnet: string | undefined;
  /** IPv6 gateway: the resolver listens there too. */
  readonly gateway6?: string | undefined;
  readonly subnet6?: string | undefined;
  /** `network create --dns` servers. */
  readonly dnsServers: readonly string[];
  /** An internal network (no way out): nothing is forwarded for a container whose networks are all internal. */
  readonly internal?: boolean;
  readonly containers: readonly DnsContainer[];
}

export interface DnsContainer {
  /** Full 64-hex id; the first 12 characters are the short id. */
  readonly id: string;
  readonly name: string;
  /** `--network-alias` / `network connect --alias` names on this network. */
  readonly aliases: readonly string[];
  /** The container's IPv4 address on this network (undefined on an IPv6-only network). */
  readonly ipv4: string | undefined;
  /** The container's IPv6 address on this network, if it has one. */
  readonly ipv6?: string | undefined;
  /** `run --dns` servers. */
  readonly dnsServers: readonly string[];
}

export const EMPTY_ZONE: DnsZoneSnapshot = { version: 1, networks: [] };

function bad(what: string): BerthError {
  return new BerthError("STATE", `Invalid DNS zone snapshot: ${what}`, {
    hint: "The engine rewrites zone.json on the next container or network change; run `berth system reconcile` to force it",
  });
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw bad(`${what} is not a string`);
  return v;
}

function strs(v: unknown, what: string): string[] {
  if (!Array.isArray(v)) throw bad(`${what} is not a list`);
  return v.map((s, i) => str(s, `${what}[${i}]`));
}

function ipv4(v: unknown, what: string): string {
  const s = str(v, what);
  if (tryParseIpv4(s) === undefined) throw bad(`${what} "${s}" is not an IPv4 address`);
  return s;
}

function optIpv4(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : ipv4(v, what);
}

function optIpv6(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = str(v, what);
  const ip = tryParseIpv6(s);
  if (ip === undefined) throw bad(`${what} "${s}" is not an IPv6 address`);
  return formatIpv6(ip);
}

function optStr(v: unknown, what: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, what);
}

function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw bad(`${what} is not true or false`);
  return v;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

/** Check one container record of a zone (zone.json, or a change in zone.journal). */
export function parseZoneContainer(v: unknown, what: string): DnsContainer {
  const o = obj(v, what);
  const id = str(o["id"], `${what}.id`);
  // Berth's and Podman's ids are 64 hex digits; a CNI runtime's container id is any word of letters, digits, "_", "." and "-"
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id)) throw bad(`${what}.id "${id}" is not a container id`);
  const ip4 = optIpv4(o["ipv4"], `${what}.ipv4`);
  const ip6 = optIpv6(o["ipv6"], `${what}.ipv6`);
  if (ip4 === undefined && ip6 === undefined) throw bad(`${what} has neither ipv4 nor ipv6`);
  return {
    id,
    name: str(o["name"], `${what}.name`),
    aliases: strs(o["aliases"] ?? [], `${what}.aliases`),
    ipv4: ip4,
    ipv6: ip6,
    dnsServers: strs(o["dnsServers"] ?? [], `${what}.dnsServers`),
  };
}

function network(v: unknown, what: string): DnsNetwork {
  const o = obj(v, what);
  const containers = o["containers"];
  if (!Array.isArray(containers)) throw bad(`${what}.containers is not a list`);
  return {
    id: str(o["id"], `${what}.id`),
    name: str(o["name"], `${what}.name`),
    gateway: optIpv4(o["gateway"], `${what}.gateway`),
    subnet: optStr(o["subnet"], `${what}.subnet`),
    gateway6: optIpv6(o["gateway6"], `${what}.gateway6`),
    subnet6: optStr(o["subnet6"], `${what}.subnet6`),
    dnsServers: strs(o["dnsServers"] ?? [], `${what}.dnsServers`),
    ...(bool(o["internal"], `${what}.internal`) ? { internal: true } : {}),
    containers: containers.map((c, i) => parseZoneContainer(c, `${what}.containers[${i}]`)),
  };
}

/** Check a parsed zone.json and return it typed; throws BerthError (code STATE) naming the first bad field. */
export function parseZoneSnapshot(json: unknown): DnsZoneSnapshot {
  const o = obj(json, "the top level");
  if (o["version"] !== 1) throw bad(`version ${JSON.stringify(o["version"])} is not 1`);
  const networks = o["networks"];
  if (!Array.isArray(networks)) throw bad("networks is not a list");
  const serial = o["serial"];
  if (serial !== undefined && (typeof serial !== "number" || !Number.isSafeInteger(serial) || serial < 0))
    throw bad(`serial ${JSON.stringify(serial)} is not a whole number`);
  return { version: 1, ...(serial === undefined ? {} : { serial }), networks: networks.map((n, i) => network(n, `networks[${i}]`)) };
}
