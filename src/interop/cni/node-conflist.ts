// The network configuration list `berth cni install` writes for a
// Kubernetes node: Berth's plugin with the node's pod CIDR, the cluster's
// CIDRs routed without NAT, hostPorts through the portMappings capability
// and no resolver (the cluster has its own DNS). Pure: validation and the
// document, no files.
import { BerthError } from "../../errors.js";
import { cidrWithin, formatCidr4, parseCidr4, type Cidr4 } from "../../model/ipv4.js";
import { parseNetworkName } from "../../model/names.js";
import { SUPPORTED_VERSIONS, type CniVersion } from "./spec.js";

/** What the operator asked for, as typed on the command line. */
export interface NodeConfRequest {
  readonly podCidr: string;
  readonly clusterCidrs: readonly string[];
  readonly cniVersion: string;
  readonly name: string;
}

/** A validated request: CIDRs in canonical form, duplicates dropped. */
export interface NodeConf {
  readonly podCidr: string;
  readonly clusterCidrs: readonly string[];
  readonly cniVersion: CniVersion;
  readonly name: string;
}

/** The default network name (the bridge is cni-pods). */
export const DEFAULT_NODE_NETWORK = "pods";
/** containerd 1.6 and CRI-O 1.2x parse results up to 1.0.0. */
export const DEFAULT_NODE_CNI_VERSION: CniVersion = "1.0.0";
/** A node's subnet needs room for the gateway and at least one pod. */
const MAX_POD_PREFIX = 30;

function exactCidr4(text: string, flag: string): Cidr4 {
  let c: Cidr4;
  try {
    c = parseCidr4(text);
  } catch (e) {
    const hint = e instanceof BerthError ? e.hint : undefined;
    throw new BerthError("INVALID_SUBNET", `${flag} ${JSON.stringify(text)} is not an IPv4 CIDR`, { hint: hint ?? "Write it as address/prefix-length, like 10.244.1.0/24" });
  }
  if (formatCidr4(c) !== text) {
    throw new BerthError("INVALID_SUBNET", `${flag} ${text} has host bits set`, { hint: `Give the network address: ${formatCidr4(c)}` });
  }
  return c;
}

/** Check every field; throws a BerthError that says what to change. */
export function validateNodeConf(r: NodeConfRequest): NodeConf {
  const pod = exactCidr4(r.podCidr, "--pod-cidr");
  if (pod.prefix > MAX_POD_PREFIX) {
    throw new BerthError("INVALID_SUBNET", `--pod-cidr ${r.podCidr} is too small for pods`, { hint: `Give the node's pod CIDR from Kubernetes (kubectl get node NAME -o jsonpath='{.spec.podCIDR}'), usually a /24; at most /${MAX_POD_PREFIX}` });
  }
  const cluster: Cidr4[] = [];
  for (const text of r.clusterCidrs) {
    const c = exactCidr4(text, "--cluster-cidr");
    if (!cluster.some((k) => k.addr === c.addr && k.prefix === c.prefix)) cluster.push(c);
  }
  if (cluster.length > 0 && !cluster.some((c) => cidrWithin(pod, c))) {
    throw new BerthError("INVALID_SUBNET", `--pod-cidr ${r.podCidr} is not inside any --cluster-cidr (${cluster.map(formatCidr4).join(", ")})`, {
      hint: "A node's pod CIDR is carved from the cluster's (kubeadm's --pod-network-cidr); check both values",
    });
  }
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(r.cniVersion)) {
    throw new BerthError("INVALID_ARGUMENT", `--cni-version ${JSON.stringify(r.cniVersion)} is not one Berth speaks`, { hint: `Use one of ${SUPPORTED_VERSIONS.join(", ")}; ${DEFAULT_NODE_CNI_VERSION} for containerd 1.6 and 1.7` });
  }
  parseNetworkName(r.name);
  return { podCidr: formatCidr4(pod), clusterCidrs: cluster.map(formatCidr4), cniVersion: r.cniVersion as CniVersion, name: r.name };
}

/** The conflist document for a validated request. */
export function nodeConflist(c: NodeConf): Record<string, unknown> {
  return {
    cniVersion: c.cniVersion,
    name: c.name,
    plugins: [
      {
        type: "berth",
        subnet: c.podCidr,
        ...(c.clusterCidrs.length > 0 ? { clusterCIDRs: c.clusterCidrs } : {}),
        enableDns: false,
        capabilities: { portMappings: true },
      },
    ],
  };
}

/** Whether a parsed conflist is one Berth's installer wrote (its first plugin is Berth's). */
export function isBerthConflist(doc: unknown): boolean {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return false;
  const plugins = (doc as Record<string, unknown>)["plugins"];
  if (!Array.isArray(plugins)) return false;
  const first: unknown = plugins[0];
  return typeof first === "object" && first !== null && (first as Record<string, unknown>)["type"] === "berth";
}
