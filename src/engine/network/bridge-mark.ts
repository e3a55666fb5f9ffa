import type { Link } from "../../kernel/index.js";

/**
 * The alias (IFLA_IFALIAS) Berth gives every bridge it makes, so a bridge it
 * made is known in the kernel whatever its name (`--interface-name`, an
 * adopted network's `cni0`), also when the store no longer knows it (a crash
 * between making it and recording it). `ip link show` prints it.
 */
export const BERTH_BRIDGE_MARK = "made by berth";

/** Berth's own bridge names (the default network's berth0, berth1, ...). */
const BERTH_BRIDGE_NAME = /^berth[0-9]+$/;

/**
 * Whether a host link is a bridge Berth made: it carries the mark, or it has
 * one of Berth's own names (bridges made before the mark have no alias). A
 * caller that knows the link's network must still leave a bridge the network
 * found on the host (`bridgeExternal`) alone.
 */
export function isBerthBridge(link: Pick<Link, "kind" | "name" | "alias">): boolean {
  return link.kind === "bridge" && (link.alias === BERTH_BRIDGE_MARK || BERTH_BRIDGE_NAME.test(link.name));
}
