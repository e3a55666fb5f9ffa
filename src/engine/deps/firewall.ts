import { Firewall } from "../../firewall/index.js";

/** Berth's nft table as the engine uses it: the verbs of `Firewall` (apply and read). */
export type FirewallTable = Pick<Firewall, keyof Firewall>;

/** The real table through libnftables (or `nft -f`), opened on first use. */
export function realFirewall(): FirewallTable {
  return new Firewall();
}
