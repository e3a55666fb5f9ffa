import type { Engine } from "../context.js";

/**
 * Make sure Berth's nft table and its base chains are in place, as every
 * attach needs them (a CNI STATUS call): throws what the kernel said when
 * nftables cannot be programmed.
 */
export function ensureFirewallReady(engine: Engine): void {
  engine.firewall.ensureBase();
}
