import { BerthError } from "../errors.js";
import { cidrOverlaps, type Cidr4 } from "../model/ipv4.js";

/**
 * Choose a free /24 for a new network, as Podman does (10.89.0.0/24,
 * 10.89.1.0/24, ...), skipping any that overlaps another network's subnet or
 * a route/address on the host.
 */
export function pickFreeSubnet(taken: readonly Cidr4[]): Cidr4 {
  for (let b = 89; b <= 255; b++) {
    for (let c = 0; c < 256; c++) {
      const cand: Cidr4 = { addr: ((10 << 24) | (b << 16) | (c << 8)) >>> 0, prefix: 24 };
      if (!taken.some((t) => t.prefix > 0 && cidrOverlaps(t, cand))) return cand;
    }
  }
  throw new BerthError("SUBNET_FULL", "Cannot find a free subnet in 10.89.0.0-10.255.255.0", {
    hint: "Give the network a subnet with --subnet",
  });
}
