import { BerthError } from "../errors.js";
import { formatIpv4, parseIpv4 } from "../model/ipv4.js";
import { normalizeIpv6 } from "../model/ipv6.js";
import { hostPort } from "../model/ip.js";
import { MAP, TABLE } from "./table.js";

/** One published port, as the kernel sees it: host (proto, address, port) to container (address, port). */
export interface PortMapping {
  readonly proto: "tcp" | "udp";
  /** "0.0.0.0" means every local IPv4 address of the host, "::" every IPv6 one (but ::1); same family as containerIp. */
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
}

/** Former name of PortMapping, kept for existing callers. */
export type DnatMapping = PortMapping;

export const ANY_HOST_IP = "0.0.0.0";
export const ANY_HOST_IP6 = "::";

function badMapping(m: PortMapping, why: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Invalid port mapping ${describeMapping(m)}: ${why}`, {
    hint: "Host and container ports are 1-65535, the protocol is tcp or udp, host and container addresses are of one family",
  });
}

function checkPort(m: PortMapping, port: number, what: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badMapping(m, `${what} ${String(port)} is outside 1-65535`);
  return port;
}

/** Validate and normalize a mapping; nothing unparsed reaches an nft script. */
export function checkPortMapping(m: PortMapping): PortMapping {
  if (m.proto !== "tcp" && m.proto !== "udp") throw badMapping(m, `protocol "${String(m.proto)}" is not tcp or udp`);
  const v6 = m.containerIp.includes(":");
  if (m.hostIp.includes(":") !== v6) throw badMapping(m, "the host and container addresses are of different families");
  const containerIp = v6 ? normalizeIpv6(m.containerIp, "container address") : formatIpv4(parseIpv4(m.containerIp, "container address"));
  if (containerIp === ANY_HOST_IP || containerIp === ANY_HOST_IP6) throw badMapping(m, `the container address is ${containerIp}`);
  const hostIp = v6 ? normalizeIpv6(m.hostIp, "host address") : formatIpv4(parseIpv4(m.hostIp, "host address"));
  if (hostIp === "::1") throw badMapping(m, "the kernel cannot DNAT from ::1 into a container (IPv6 has no route_localnet)");
  return {
    proto: m.proto,
    hostIp,
    hostPort: checkPort(m, m.hostPort, "host port"),
    containerIp,
    containerPort: checkPort(m, m.containerPort, "container port"),
  };
}

/** "tcp 0.0.0.0:8080 -> 10.89.0.2:80", for messages. */
export function describeMapping(m: PortMapping): string {
  return `${String(m.proto)} ${hostPort(m.hostIp, m.hostPort)} -> ${hostPort(m.containerIp, m.containerPort)}`;
}

function isAny(m: PortMapping): boolean {
  return m.hostIp === ANY_HOST_IP || m.hostIp === ANY_HOST_IP6;
}

function mapOf(m: PortMapping): string {
  if (m.containerIp.includes(":")) return isAny(m) ? MAP.anyAddress6 : MAP.byAddress6;
  return isAny(m) ? MAP.anyAddress : MAP.byAddress;
}

function keyOf(m: PortMapping): string {
  return isAny(m) ? `${m.proto} . ${m.hostPort}` : `${m.proto} . ${m.hostIp} . ${m.hostPort}`;
}

function elementOf(m: PortMapping): string {
  return `${keyOf(m)} : ${m.containerIp} . ${m.containerPort}`;
}

/** The kernel element of a mapping as `nft list` prints it, and the map that holds it. */
export function mapElementOf(m: PortMapping): { readonly map: string; readonly element: string } {
  return { map: mapOf(m), element: elementOf(m) };
}

/** Checked, deduplicated mappings; two different targets for one key is a caller bug. */
function checkAll(ms: readonly PortMapping[]): PortMapping[] {
  const byKey = new Map<string, PortMapping>();
  for (const raw of ms) {
    const m = checkPortMapping(raw);
    const k = `${mapOf(m)} ${keyOf(m)}`;
    const prev = byKey.get(k);
    if (prev && elementOf(prev) !== elementOf(m)) {
      throw new BerthError(
        "PORT_IN_USE",
        `Cannot publish ${describeMapping(m)}: the same request also maps it to ${hostPort(prev.containerIp, prev.containerPort)}`,
        {
          hint: "Publish each host address and port once",
        },
      );
    }
    byKey.set(k, m);
  }
  return [...byKey.values()];
}

function perMap(ms: readonly PortMapping[], verb: string, render: (m: PortMapping) => string): string[] {
  const lines: string[] = [];
  for (const map of [MAP.anyAddress, MAP.byAddress, MAP.anyAddress6, MAP.byAddress6]) {
    const items = ms.filter((m) => mapOf(m) === map).map(render);
    if (items.length > 0) lines.push(`${verb} element ${TABLE} ${map} { ${items.join(", ")} }`);
  }
  return lines;
}

/**
 * One transaction that publishes ports: element inserts into the DNAT maps,
 * never a rule change, so its cost does not depend on how many mappings
 * exist. Adding a mapping that is already there is a no-op; a key already
 * mapped to another container makes nft fail with "File exists".
 */
export function renderAddPortMappings(ms: readonly PortMapping[]): string {
  return perMap(checkAll(ms), "add", elementOf)
    .map((l) => `${l}\n`)
    .join("");
}

/**
 * One transaction that unpublishes ports, tolerant of mappings that are
 * already gone: each element is added first (a no-op when present) and then
 * deleted, so a missing one cannot fail the transaction. It still fails
 * when a key is live with another target (that mapping is not ours).
 */
export function renderDeletePortMappings(ms: readonly PortMapping[]): string {
  const checked = checkAll(ms);
  return [...perMap(checked, "add", elementOf), ...perMap(checked, "delete", keyOf)].map((l) => `${l}\n`).join("");
}

/** Plain deletes (fails on a missing element): for mappings known to be live. */
export function renderDeleteLivePortMappings(ms: readonly PortMapping[]): string {
  return perMap(checkAll(ms), "delete", keyOf)
    .map((l) => `${l}\n`)
    .join("");
}

/** True when both describe the same kernel element (same map, key and target). */
export function samePortMapping(a: PortMapping, b: PortMapping): boolean {
  return mapOf(a) === mapOf(b) && elementOf(a) === elementOf(b);
}
