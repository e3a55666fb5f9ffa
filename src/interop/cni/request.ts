import { BerthError } from "../../errors.js";
import { parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { requireUnreserved4, requireUnreserved6 } from "../../model/reserved.js";
import { parseIfName, parseNetworkName, printable } from "../../model/names.js";
import { CniError } from "./cni-error.js";
import { parseRuntimeConfig, type CniIpRange } from "./runtime-config.js";
import {
  CniErrorCode,
  SUPPORTED_VERSIONS,
  type CniCommand,
  type CniDns,
  type CniPortMapping,
  type CniResult,
  type CniValidAttachment,
  type CniVersion,
} from "./spec.js";

/** Berth's plugin configuration (`"type": "berth"`), after validation. */
export interface BerthCniConfig {
  readonly cniVersion: CniVersion;
  /** The conf(list)'s network name. */
  readonly name: string;
  /** The Berth network the plugin attaches to: `network`, else `name`. */
  readonly network: string;
  /** This node's subnet for the network; the network is created with it on first ADD. */
  readonly subnet?: string;
  readonly gateway?: string;
  /** This node's IPv6 subnet (dual stack: each pod gets an address of both). */
  readonly subnet6?: string;
  readonly gateway6?: string;
  /** The host bridge for a network the plugin creates (default cni-NETWORK). */
  readonly bridge?: string;
  readonly internal: boolean;
  readonly isolate: boolean;
  readonly mtu?: number;
  /** CIDRs routed to and from the node's subnet without NAT: the cluster's pod CIDR, so pods on other nodes see pods by their own addresses. */
  readonly clusterCidrs?: readonly string[];
  /** The nodes' own CIDRs: let in to the pods (other nodes, NodePort traffic SNATed to a node), masqueraded going out. */
  readonly nodeCidrs?: readonly string[];
  /** Hairpin mode on the pod's bridge port (a chained portmap, kube-proxy: a pod reaching itself through their DNAT). */
  readonly hairpinMode: boolean;
  /** Each pod's bridge port sends only from its own MAC and addresses (default true; false for pods that must send as others). */
  readonly spoofFilter: boolean;
  /** Berth's resolver answers container names on this network (default false: Kubernetes has its own DNS). */
  readonly enableDns: boolean;
  /** The spec's `dns` dictionary, passed through to the result. */
  readonly dns?: CniDns;
  readonly portMappings: readonly CniPortMapping[];
  /** runtimeConfig.ipRanges: the range sets the runtime asks for (one per address family). */
  readonly ipRanges: readonly (readonly CniIpRange[])[];
  /** runtimeConfig.dns: the pod's DNS as the runtime sets it, reported in the result. */
  readonly runtimeDns?: CniDns;
  readonly prevResult?: CniResult;
  /** GC: the attachments the runtime still knows (`cni.dev/valid-attachments`). */
  readonly validAttachments?: readonly CniValidAttachment[];
}

/** The CNI_* environment, validated for the command. */
export interface CniEnvironment {
  readonly command: CniCommand;
  readonly containerId?: string;
  readonly netns?: string;
  readonly ifname?: string;
  /** CNI_ARGS as key/value pairs (K8S_POD_NAME=...;IgnoreUnknown=1). */
  readonly args: ReadonlyMap<string, string>;
}

const COMMANDS: readonly CniCommand[] = ["ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC"];
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const KNOWN_KEYS = new Set([
  "cniVersion",
  "cniVersions",
  "name",
  "type",
  "args",
  "ipMasq",
  "ipam",
  "dns",
  "capabilities",
  "runtimeConfig",
  "prevResult",
  "network",
  "subnet",
  "gateway",
  "subnet6",
  "gateway6",
  "bridge",
  "internal",
  "isolate",
  "mtu",
  "enableDns",
  "clusterCIDRs",
  "nodeCIDRs",
  "hairpinMode",
  "spoofFilter",
  "cni.dev/valid-attachments",
  "cni.dev/attachments",
]);

const envError = (msg: string, details: string) => new CniError(CniErrorCode.INVALID_ENVIRONMENT, msg, details);
const configError = (msg: string, details: string) => new CniError(CniErrorCode.INVALID_CONFIG, msg, details);

/** Read and check the CNI_* variables a runtime sets for `command`. */
export function parseEnvironment(env: NodeJS.ProcessEnv): CniEnvironment {
  const raw = env["CNI_COMMAND"];
  if (raw === undefined || !(COMMANDS as readonly string[]).includes(raw)) {
    throw envError(`CNI_COMMAND is ${raw === undefined ? "not set" : `"${printable(raw)}"`}`, `set CNI_COMMAND to one of ${COMMANDS.join(", ")}`);
  }
  const command = raw as CniCommand;
  const args = parseCniArgs(env["CNI_ARGS"] ?? "");
  if (command === "VERSION" || command === "STATUS" || command === "GC") return { command, args };
  const containerId = env["CNI_CONTAINERID"];
  if (!containerId || containerId.length > 256 || !CONTAINER_ID.test(containerId)) {
    throw envError(
      `CNI_CONTAINERID is ${containerId ? `invalid: "${printable(containerId)}"` : "not set"}`,
      "the runtime must pass the container's id: letters, digits, '_', '.' or '-', starting with a letter or digit",
    );
  }
  const ifname = env["CNI_IFNAME"];
  if (!ifname) throw envError("CNI_IFNAME is not set", "the runtime must name the interface to create in the container, e.g. eth0");
  try {
    parseIfName(ifname, "CNI_IFNAME interface");
  } catch (e) {
    throw envError((e as Error).message, (e as BerthError).hint ?? "");
  }
  const netns = env["CNI_NETNS"] || undefined;
  if (command !== "DEL" && !netns)
    throw envError("CNI_NETNS is not set", "the runtime must pass the path of the container's network namespace, e.g. /var/run/netns/NAME");
  if (netns !== undefined && (!netns.startsWith("/") || netns.includes("\0"))) {
    throw envError(`CNI_NETNS is not an absolute path: "${printable(netns)}"`, "pass the namespace's path, e.g. /var/run/netns/NAME or /proc/PID/ns/net");
  }
  return { command, containerId, ifname, args, ...(netns ? { netns } : {}) };
}

function parseCniArgs(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(";")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq <= 0) throw envError(`CNI_ARGS has an entry without a value: "${printable(part)}"`, "CNI_ARGS is KEY=VALUE pairs separated by ';'");
    out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parse stdin's JSON only far enough to learn the version to answer in. */
export function peekVersion(stdin: string): string {
  try {
    const o: unknown = JSON.parse(stdin);
    if (isObject(o) && typeof o["cniVersion"] === "string") return o["cniVersion"];
  } catch {
    // answered by parseConfig's error
  }
  return "1.1.0";
}

function optionalString(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw configError(`"${key}" must be a string`, `fix "${key}" in the network configuration`);
  return v;
}

function optionalBool(o: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw configError(`"${key}" must be true or false`, `fix "${key}" in the network configuration`);
  return v;
}

function berthValidated<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BerthError) throw configError(`${what}: ${e.message}`, e.hint ?? "fix the network configuration");
    throw e;
  }
}

function parseValidAttachments(v: unknown): CniValidAttachment[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw configError(`"cni.dev/valid-attachments" must be a list`, "each entry is {containerID, ifname}");
  return v.map((a: unknown, i) => {
    if (!isObject(a) || typeof a["containerID"] !== "string" || typeof a["ifname"] !== "string") {
      throw configError(`cni.dev/valid-attachments[${i}] must be {containerID, ifname}`, "the runtime lists the attachments it still uses");
    }
    return { containerID: a["containerID"], ifname: a["ifname"] };
  });
}

/** A non-empty list of CIDRs (IPv6 ones only for a dual-stack node), or undefined. */
function cidrList(o: Record<string, unknown>, key: string, example: string, dual: boolean): string[] | undefined {
  const raw = o[key];
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every((c): c is string => typeof c === "string"))
    throw configError(`"${key}" must be a non-empty list of CIDRs`, example);
  for (const c of raw) {
    if (c.includes(":") && !dual)
      throw configError(`${key}: ${printable(c)} is IPv6 and the node has no IPv6 subnet`, `give "subnet6" too, or leave out the IPv6 entries of "${key}"`);
    const what = key === "nodeCIDRs" ? "Node CIDR" : "Cluster CIDR";
    berthValidated(key, () => (c.includes(":") ? requireUnreserved6(parseCidr6(c), what) : requireUnreserved4(parseCidr4(c), what)));
  }
  return raw;
}

/**
 * The node's subnets: "subnet" and "subnet6" in the configuration, else the
 * runtime's ipRanges (one range set per family). When both are given they
 * must agree: Berth's IPAM hands out the whole subnet, so a narrower range
 * (rangeStart/rangeEnd) is refused rather than ignored.
 */
function subnetsOf(
  subnet: string | undefined,
  o: Record<string, unknown>,
  ipRanges: readonly (readonly CniIpRange[])[],
): { subnet?: string; gateway?: string; subnet6?: string; gateway6?: string } {
  let subnet6 = optionalString(o, "subnet6");
  if (subnet6 !== undefined) berthValidated("subnet6", () => requireUnreserved6(parseCidr6(subnet6 ?? "")));
  let gateway6 = optionalString(o, "gateway6");
  if (gateway6 !== undefined) berthValidated("gateway6", () => parseIpv6(gateway6 ?? "", "gateway6"));
  let v4 = subnet;
  let gateway: string | undefined;
  for (const [i, set] of ipRanges.entries()) {
    const r = set[0];
    if (!r) continue;
    if (set.length > 1 || r.rangeStart !== undefined || r.rangeEnd !== undefined) {
      throw new CniError(
        CniErrorCode.UNSUPPORTED_FIELD,
        `ipRanges[${i}]: Berth hands out a whole subnet, not a part of one or several`,
        "give one range per family with just its subnet (and gateway)",
      );
    }
    const six = r.subnet.includes(":");
    const have = six ? subnet6 : v4;
    if (have !== undefined && have !== r.subnet)
      throw configError(
        `ipRanges[${i}].subnet ${r.subnet} is not the node's ${six ? "subnet6" : "subnet"} ${have}`,
        "give the runtime the node's subnets, or leave them out of the configuration",
      );
    if (six) {
      subnet6 = r.subnet;
      gateway6 ??= r.gateway;
    } else {
      v4 = r.subnet;
      gateway = r.gateway;
    }
  }
  if (subnet6 !== undefined && v4 === undefined) throw configError(`"subnet6" needs "subnet" as well`, "Berth's CNI networks are IPv4 or dual-stack");
  return {
    ...(v4 !== undefined ? { subnet: v4 } : {}),
    ...(gateway !== undefined ? { gateway } : {}),
    ...(subnet6 !== undefined ? { subnet6 } : {}),
    ...(gateway6 !== undefined ? { gateway6 } : {}),
  };
}

/** Parse and check the network configuration on stdin. */
export function parseConfig(stdin: string, command: CniCommand): BerthCniConfig {
  let o: unknown;
  try {
    o = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(
      CniErrorCode.DECODE_FAILURE,
      `the network configuration on stdin is not JSON: ${(e as Error).message}`,
      "the runtime must write the plugin's configuration as JSON to its stdin",
    );
  }
  if (!isObject(o))
    throw new CniError(CniErrorCode.DECODE_FAILURE, "the network configuration on stdin is not a JSON object", "pass one plugin configuration object");
  const version = o["cniVersion"];
  if (typeof version !== "string" || !(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    throw new CniError(
      CniErrorCode.INCOMPATIBLE_VERSION,
      `CNI version ${JSON.stringify(version) ?? "(none)"} is not supported`,
      `use one of ${SUPPORTED_VERSIONS.join(", ")}`,
    );
  }
  const cniVersion = version as CniVersion;
  if (command === "CHECK" && cniVersion.startsWith("0.3.")) {
    throw new CniError(
      CniErrorCode.INCOMPATIBLE_VERSION,
      `CHECK needs CNI version 0.4.0 or later, the configuration says ${cniVersion}`,
      "set cniVersion to 0.4.0 or 1.0.0 to use CHECK",
    );
  }
  if ((command === "STATUS" || command === "GC") && cniVersion !== "1.1.0") {
    throw new CniError(
      CniErrorCode.INCOMPATIBLE_VERSION,
      `${command} needs CNI version 1.1.0, the configuration says ${cniVersion}`,
      "set cniVersion to 1.1.0 to use STATUS and GC",
    );
  }
  const unknown = Object.keys(o).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length > 0) {
    throw new CniError(
      CniErrorCode.UNSUPPORTED_FIELD,
      `unknown field(s) in the berth plugin's configuration: ${unknown.map((k) => printable(k)).join(", ")}`,
      "see docs/cni.md for the fields Berth reads",
    );
  }
  const name = optionalString(o, "name");
  if (!name) throw configError(`"name" is missing`, "every CNI network configuration has a name");
  const network = optionalString(o, "network") ?? name;
  berthValidated("network", () => parseNetworkName(network));
  const runtime = parseRuntimeConfig(o["runtimeConfig"]);
  const subnet = optionalString(o, "subnet");
  if (subnet !== undefined) berthValidated("subnet", () => requireUnreserved4(parseCidr4(subnet)));
  const bridge = optionalString(o, "bridge");
  if (bridge !== undefined) berthValidated("bridge", () => parseIfName(bridge, "bridge"));
  const gateway = optionalString(o, "gateway");
  if (gateway !== undefined) berthValidated("gateway", () => parseIpv4(gateway, "gateway"));
  if (o["ipMasq"] === false)
    throw new CniError(
      CniErrorCode.UNSUPPORTED_FIELD,
      `"ipMasq": false is not supported`,
      'Berth masquerades a network\'s outbound traffic; use "internal": true for a network without outside access',
    );
  if (o["ipam"] !== undefined)
    throw new CniError(
      CniErrorCode.UNSUPPORTED_FIELD,
      `"ipam" is not used: Berth allocates addresses itself`,
      'remove "ipam" and give the node\'s range as "subnet"',
    );
  const mtuRaw = o["mtu"];
  if (mtuRaw !== undefined && (typeof mtuRaw !== "number" || !Number.isInteger(mtuRaw) || mtuRaw < 68 || mtuRaw > 65535)) {
    throw configError(`"mtu" must be a whole number 68-65535`, 'fix "mtu" in the network configuration');
  }
  const ranges = subnetsOf(subnet, o, runtime.ipRanges);
  const clusterRaw = cidrList(o, "clusterCIDRs", `e.g. "clusterCIDRs": ["10.244.0.0/16"], the pod CIDR of the whole cluster`, ranges.subnet6 !== undefined);
  const nodeRaw = cidrList(o, "nodeCIDRs", `e.g. "nodeCIDRs": ["192.168.1.0/24"], the network the nodes' own addresses are in`, ranges.subnet6 !== undefined);
  const dnsRaw = o["dns"];
  if (dnsRaw !== undefined && !isObject(dnsRaw))
    throw configError(`"dns" must be an object`, "the spec's dns dictionary: {nameservers, domain, search, options}");
  const prev = o["prevResult"];
  if (prev !== undefined && !isObject(prev)) throw configError(`"prevResult" must be an object`, "the runtime passes the previous plugin's result");
  return {
    cniVersion,
    name,
    network,
    internal: optionalBool(o, "internal", false),
    isolate: optionalBool(o, "isolate", true),
    enableDns: optionalBool(o, "enableDns", false),
    hairpinMode: optionalBool(o, "hairpinMode", false),
    spoofFilter: optionalBool(o, "spoofFilter", true),
    portMappings: runtime.portMappings,
    ipRanges: runtime.ipRanges,
    ...(runtime.dns ? { runtimeDns: runtime.dns } : {}),
    ...(ranges.subnet !== undefined ? { subnet: ranges.subnet } : {}),
    ...((gateway ?? ranges.gateway) !== undefined ? { gateway: gateway ?? ranges.gateway } : {}),
    ...(ranges.subnet6 !== undefined ? { subnet6: ranges.subnet6 } : {}),
    ...(ranges.gateway6 !== undefined ? { gateway6: ranges.gateway6 } : {}),
    ...(bridge !== undefined ? { bridge } : {}),
    ...(typeof mtuRaw === "number" ? { mtu: mtuRaw } : {}),
    ...(clusterRaw !== undefined ? { clusterCidrs: clusterRaw } : {}),
    ...(nodeRaw !== undefined ? { nodeCidrs: nodeRaw } : {}),
    ...(dnsRaw !== undefined ? { dns: dnsRaw as CniDns } : {}),
    ...(prev !== undefined ? { prevResult: prev as unknown as CniResult } : {}),
    ...(command === "GC" ? { validAttachments: parseValidAttachments(o["cni.dev/valid-attachments"]) ?? [] } : {}),
  };
}
