import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import type { BerthPaths } from "../../paths.js";
import { shortId } from "../../model/container.js";

/** A new 64-hex id for a container or network. */
export function newId(): string {
  return randomBytes(32).toString("hex");
}

/**
 * Host end of a container's veth on a network. Computed the same way every
 * time (so reconcile can find it without state): "bth" + 12 hex of a hash.
 */
export function hostVethName(containerId: string, networkId: string): string {
  return `bth${createHash("sha256").update(`${containerId}:${networkId}`).digest("hex").slice(0, 12)}`;
}

/** Named network namespace of a container, visible to `ip netns` under /run/netns. */
export function netnsPath(paths: BerthPaths, containerId: string): string {
  return join(paths.netnsDir, netnsName(containerId));
}

export function netnsName(containerId: string): string {
  return `berth-${shortId(containerId)}`;
}

export const NETNS_PREFIX = "berth-";
export const VETH_PREFIX = "bth";
