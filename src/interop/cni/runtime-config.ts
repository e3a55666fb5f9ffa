// runtimeConfig: the capability arguments a runtime passes for the
// capabilities a plugin's configuration enables. Runtimes spell the keys
// two ways: the CNI conventions' camelCase (CRI-O, Podman, nerdctl), and
// Go field names without JSON tags from containerd's go-cni
// (`{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":""}`).
// Both are read; capabilities Berth has no use for are ignored, never refused.
import { BerthError } from "../../errors.js";
import { parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { printable } from "../../model/names.js";
import { CniError } from "./cni-error.js";
import { CniErrorCode, type CniDns, type CniPortMapping } from "./spec.js";

/** One IP range of `ipRanges`: a subnet, optionally narrowed and with its gateway. */
export interface CniIpRange {
  readonly subnet: string;
  readonly rangeStart?: string;
  readonly rangeEnd?: string;
  readonly gateway?: string;
}

/** The `bandwidth` capability (bits per second and bits); Berth does not shape traffic, the `bandwidth` plugin does. */
export interface CniBandwidth {
  readonly ingressRate?: number;
  readonly ingressBurst?: number;
  readonly egressRate?: number;
  readonly egressBurst?: number;
}

export interface CniRuntimeConfig {
  readonly portMappings: readonly CniPortMapping[];
  /** Range sets, one per address family the pod should get (the conventions' list of lists). */
  readonly ipRanges: readonly (readonly CniIpRange[])[];
  readonly bandwidth?: CniBandwidth;
  /** The pod's DNS (`dns` capability), in the result's shape. */
  readonly dns?: CniDns;
}

const configError = (msg: string, details: string) => new CniError(CniErrorCode.INVALID_CONFIG, msg, details);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A field under its camelCase name or go-cni's capitalised one; "" and null count as absent. */
function field(o: Record<string, unknown>, camel: string): unknown {
  const v = o[camel] ?? o[camel[0]!.toUpperCase() + camel.slice(1)];
  return v === "" || v === null ? undefined : v;
}

function checked<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BerthError) throw configError(`${what}: ${e.message}`, e.hint ?? "fix what the runtime was given");
    throw e;
  }
}

const isIpv6 = (s: string): boolean => s.includes(":");

function parsePortMappings(pm: unknown): CniPortMapping[] {
  if (pm === undefined || pm === null) return [];
  if (!Array.isArray(pm)) throw configError(`"runtimeConfig.portMappings" must be a list`, "each entry is {hostPort, containerPort, protocol, hostIP?}");
  return pm.map((m: unknown, i) => {
    if (!isObject(m)) throw configError(`portMappings[${i}] must be an object`, "each entry is {hostPort, containerPort, protocol, hostIP?}");
    const port = (k: string): number => {
      const v = field(m, k);
      if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 65535)
        throw configError(
          `portMappings[${i}].${k} must be a port number 1-65535, not ${JSON.stringify(v) ?? "nothing"}`,
          "fix the port mapping the runtime was given",
        );
      return v;
    };
    const protoRaw = field(m, "protocol");
    const proto = protoRaw === undefined ? "tcp" : String(protoRaw).toLowerCase();
    if (proto !== "tcp" && proto !== "udp")
      throw configError(`portMappings[${i}].protocol "${printable(proto)}" is not supported`, "Berth publishes tcp and udp ports (the kernel has no SCTP)");
    const hostIpRaw = field(m, "hostIP");
    const hostIP = hostIpRaw === undefined ? undefined : String(hostIpRaw);
    if (hostIP !== undefined) checked(`portMappings[${i}].hostIP`, () => (isIpv6(hostIP) ? parseIpv6(hostIP, "hostIP") : parseIpv4(hostIP, "hostIP")));
    return { hostPort: port("hostPort"), containerPort: port("containerPort"), protocol: proto, ...(hostIP !== undefined ? { hostIP } : {}) };
  });
}

function parseRange(r: unknown, where: string): CniIpRange {
  if (!isObject(r)) throw configError(`${where} must be an object`, "each range is {subnet, rangeStart?, rangeEnd?, gateway?}");
  const subnet = field(r, "subnet");
  if (typeof subnet !== "string") throw configError(`${where}.subnet is missing`, "each range names its subnet in CIDR notation");
  checked(`${where}.subnet`, () => (isIpv6(subnet) ? parseCidr6(subnet) : parseCidr4(subnet)));
  const out: { subnet: string; rangeStart?: string; rangeEnd?: string; gateway?: string } = { subnet };
  for (const k of ["rangeStart", "rangeEnd", "gateway"] as const) {
    const v = field(r, k);
    if (v === undefined) continue;
    if (typeof v !== "string") throw configError(`${where}.${k} must be an address`, "fix the range the runtime was given");
    checked(`${where}.${k}`, () => (isIpv6(v) ? parseIpv6(v, k) : parseIpv4(v, k)));
    out[k] = v;
  }
  return out;
}

/** The conventions' `[[range, ...], ...]`, or go-cni's flat `[range, ...]` (one set per range). */
function parseIpRanges(v: unknown): CniIpRange[][] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw configError(`"runtimeConfig.ipRanges" must be a list`, "a list of range sets: [[{subnet}], ...]");
  return v.map((set: unknown, i) =>
    Array.isArray(set) ? set.map((r: unknown, j) => parseRange(r, `ipRanges[${i}][${j}]`)) : [parseRange(set, `ipRanges[${i}]`)],
  );
}

function parseBandwidth(v: unknown): CniBandwidth | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw configError(`"runtimeConfig.bandwidth" must be an object`, "{ingressRate, ingressBurst, egressRate, egressBurst}");
  const out: Record<string, number> = {};
  for (const k of ["ingressRate", "ingressBurst", "egressRate", "egressBurst"]) {
    const n = field(v, k);
    if (n === undefined) continue;
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0)
      throw configError(`bandwidth.${k} must be a number of bits (per second)`, "fix the bandwidth the runtime was given");
    out[k] = n;
  }
  return out;
}

function stringList(o: Record<string, unknown>, names: readonly string[], what: string): string[] | undefined {
  for (const n of names) {
    const v = field(o, n);
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === "string"))
      throw configError(`dns.${n} must be a list of strings`, `fix the ${what} the runtime was given`);
    return v;
  }
  return undefined;
}

/** The `dns` capability: `{servers, searches, options}` (go-cni: Servers, Searches, Options). */
function parseDns(v: unknown): CniDns | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw configError(`"runtimeConfig.dns" must be an object`, "{servers, searches, options}");
  const servers = stringList(v, ["servers", "nameservers"], "DNS servers");
  for (const s of servers ?? []) checked("dns.servers", () => (isIpv6(s) ? parseIpv6(s, "DNS server") : parseIpv4(s, "DNS server")));
  const search = stringList(v, ["searches", "search"], "DNS search domains");
  const options = stringList(v, ["options"], "DNS options");
  return { ...(servers?.length ? { nameservers: servers } : {}), ...(search?.length ? { search } : {}), ...(options?.length ? { options } : {}) };
}

/** Parse `runtimeConfig`; unknown capabilities (cgroupPath, pod annotations, ...) are ignored. */
export function parseRuntimeConfig(rc: unknown): CniRuntimeConfig {
  if (rc === undefined || rc === null) return { portMappings: [], ipRanges: [] };
  if (!isObject(rc)) throw configError(`"runtimeConfig" must be an object`, "the runtime passes capabilities such as portMappings in runtimeConfig");
  const bandwidth = parseBandwidth(rc["bandwidth"]);
  const dns = parseDns(rc["dns"]);
  return {
    portMappings: parsePortMappings(rc["portMappings"]),
    ipRanges: parseIpRanges(rc["ipRanges"]),
    ...(bandwidth ? { bandwidth } : {}),
    ...(dns && Object.keys(dns).length ? { dns } : {}),
  };
}
