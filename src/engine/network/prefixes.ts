import type { Network } from "../../model/network.js";
import { parseCidr4 } from "../../model/ipv4.js";
import { parseCidr6 } from "../../model/ipv6.js";

/** The prefix lengths of a network's subnets, for addresses on its interfaces (undefined: no subnet of that family). */
export function prefixesOf(net: Network): { v4: number | undefined; v6: number | undefined } {
  return {
    v4: net.subnet === undefined ? undefined : parseCidr4(net.subnet).prefix,
    v6: net.subnet6 === undefined ? undefined : parseCidr6(net.subnet6).prefix,
  };
}
