import { randomBytes } from "node:crypto";
import { BerthError } from "../errors.js";
import { cidr6Overlaps, type Cidr6 } from "../model/ipv6.js";

/**
 * Choose a free unique local /64 (RFC 4193: fd00::/8 with a random 40-bit
 * global id, subnet id 0) that overlaps no other network and no host route
 * or address. `random` is injectable for tests.
 */
export function pickFreeSubnet6(taken: readonly Cidr6[], random: (bytes: number) => Buffer = randomBytes): Cidr6 {
  for (let i = 0; i < 64; i++) {
    const globalId = BigInt(`0x${random(5).toString("hex")}`);
    const cand: Cidr6 = { addr: (0xfdn << 120n) | (globalId << 80n), prefix: 64 };
    if (!taken.some((t) => t.prefix > 0 && cidr6Overlaps(t, cand))) return cand;
  }
  throw new BerthError("SUBNET_FULL", "Cannot find a free IPv6 /64 in fd00::/8", {
    hint: "Give the network an IPv6 subnet with --subnet",
  });
}
