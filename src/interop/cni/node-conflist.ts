// The network configuration list `berth cni install` writes for a
// Kubernetes node: Berth's plugin with the node's pod CIDR (one per family:
// an IPv4 one, and an IPv6 one on a dual-stack node), the cluster's CIDRs
// routed without NAT, the nodes' addresses let in, hairpin mode for
// kube-proxy's Services, hostPorts through the portMappings capability and
// no resolver (the cluster has its own DNS). Pure: validation and the
// document, no files.
import { BerthError } from "../../errors.js";
import { cidrWithin, formatCidr4, parseCidr4 } from "../../model/ipv4.js";
import { cidr6Within, formatCidr6, parseCidr6 } from "../../model/ipv6.js";
import { parseNetworkName } from "../../model/names.js";
import { SUPPORTED_VERSIONS, type CniVersion } from "./spec.js";

/** What the operator asked for, as typed on the command line. */
export interface NodeConfRequest {
  /** The node's pod CIDRs: one IPv4, and one IPv6 on a dual-stack node. */
  readonly podCidrs: readonly string[];
  readonly clusterCidrs: readonly string[];
  readonly nodeCidrs: readonly string[];
  readonly cniVersion: string;
  readonly name: string;
}

/** A validated request: CIDRs in canonical form, duplicates dropped. */
export interface NodeConf {
  readonly podCidr: string;
  readonly podCidr6?: string;
  readonly clusterCidrs: readonly string[];
  readonly nodeCidrs: readonly string[];
  readonly cniVersion: CniVersion;
  readonly name: string;
}

/** The default network name (the bridge is cni-k8s-pods). */
export const DEFAULT_NODE_NETWORK = "k8s-pods";
/** containerd 1.6 and 1.7 parse results up to 1.0.0. */
export const DEFAULT_NODE_CNI_VERSION: CniVersion = "1.0.0";
/** A node's subnet needs room for the gateway and at least one pod. */
const MAX_POD_PREFIX = { 4: 30, 6: 126 } as const;

/** A CIDR of either family, checked to be written as its network address. */
interface Cidr {
  readonly family: 4 | 6;
  readonly text: string;
  readonly prefix: number;
  within(outer: Cidr): boolean;
}

function exactCidr(text: string, flag: string): Cidr {
  let c: Cidr;
  try {
    if (text.includes(":")) {
      const v = parseCidr6(text);
      c = { family: 6, text: formatCidr6(v), prefix: v.prefix, within: (o) => o.family === 6 && cidr6Within(v, parseCidr6(o.text)) };
    } else {
      const v = parseCidr4(text);
      c = { family: 4, text: formatCidr4(v), prefix: v.prefix, within: (o) => o.family === 4 && cidrWithin(v, parseCidr4(o.text)) };
    }
  } catch (e) {
    const hint = e instanceof BerthError ? e.hint : undefined;
    throw new BerthError("INVALID_SUBNET", `${flag} ${JSON.stringify(text)} is not a CIDR`, {
      hint: hint ?? "Write it as address/prefix-length, like 10.244.1.0/24",
    });
  }
  if (c.text !== text) throw new BerthError("INVALID_SUBNET", `${flag} ${text} is not written as its network address`, { hint: `Give ${c.text}` });
  return c;
}

function distinct(texts: readonly string[], flag: string): Cidr[] {
  const out: Cidr[] = [];
  for (const t of texts) {
    const c = exactCidr(t, flag);
    if (!out.some((o) => o.text === c.text)) out.push(c);
  }
  return out;
}

/** Check every field; throws a BerthError that says what to change. */
export function validateNodeConf(r: NodeConfRequest): NodeConf {
  const pods = distinct(r.podCidrs, "--pod-cidr");
  const pod4 = pods.filter((c) => c.family === 4);
  const pod6 = pods.filter((c) => c.family === 6);
  if (pod4.length !== 1 || pod6.length > 1) {
    throw new BerthError(
      "INVALID_SUBNET",
      `give one IPv4 --pod-cidr${pod6.length > 0 ? " and at most one IPv6" : ""}, not ${pods.length === 0 ? "none" : pods.map((c) => c.text).join(", ")}`,
      {
        hint: "The node's pod CIDR(s) from Kubernetes: kubectl get node NAME -o jsonpath='{.spec.podCIDRs}' (an IPv6 one only on a dual-stack node, beside the IPv4 one)",
      },
    );
  }
  for (const p of pods) {
    if (p.prefix > MAX_POD_PREFIX[p.family]) {
      throw new BerthError("INVALID_SUBNET", `--pod-cidr ${p.text} is too small for pods`, {
        hint: `A node's pod CIDR is usually a /24 (IPv6: a /64); at most /${MAX_POD_PREFIX[p.family]}`,
      });
    }
  }
  const cluster = distinct(r.clusterCidrs, "--cluster-cidr");
  const nodes = distinct(r.nodeCidrs, "--node-cidr");
  for (const [flag, list] of [
    ["--cluster-cidr", cluster],
    ["--node-cidr", nodes],
  ] as const) {
    const v6 = list.find((c) => c.family === 6);
    if (v6 && pod6.length === 0)
      throw new BerthError("INVALID_SUBNET", `${flag} ${v6.text} is IPv6 and the node has no IPv6 --pod-cidr`, {
        hint: "Give the node's IPv6 pod CIDR too (dual stack), or leave the IPv6 CIDR out",
      });
  }
  for (const p of pods) {
    const sameFamily = cluster.filter((c) => c.family === p.family);
    if (sameFamily.length > 0 && !sameFamily.some((c) => p.within(c))) {
      throw new BerthError("INVALID_SUBNET", `--pod-cidr ${p.text} is not inside any --cluster-cidr (${sameFamily.map((c) => c.text).join(", ")})`, {
        hint: "A node's pod CIDR is carved from the cluster's (kubeadm's --pod-network-cidr); check both values",
      });
    }
  }
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(r.cniVersion)) {
    throw new BerthError("INVALID_ARGUMENT", `--cni-version ${JSON.stringify(r.cniVersion)} is not one Berth speaks`, {
      hint: `Use one of ${SUPPORTED_VERSIONS.join(", ")}; ${DEFAULT_NODE_CNI_VERSION} for containerd 1.6 and 1.7`,
    });
  }
  parseNetworkName(r.name);
  return {
    podCidr: pod4[0]?.text ?? "",
    ...(pod6[0] ? { podCidr6: pod6[0].text } : {}),
    clusterCidrs: cluster.map((c) => c.text),
    nodeCidrs: nodes.map((c) => c.text),
    cniVersion: r.cniVersion as CniVersion,
    name: r.name,
  };
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
        ...(c.podCidr6 !== undefined ? { subnet6: c.podCidr6 } : {}),
        ...(c.clusterCidrs.length > 0 ? { clusterCIDRs: c.clusterCidrs } : {}),
        ...(c.nodeCidrs.length > 0 ? { nodeCIDRs: c.nodeCidrs } : {}),
        hairpinMode: true,
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
