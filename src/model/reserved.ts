import { BerthError } from "../errors.js";
import { cidrOverlaps, formatCidr4, parseCidr4, type Cidr4 } from "./ipv4.js";
import { cidr6Overlaps, formatCidr6, parseCidr6, type Cidr6 } from "./ipv6.js";

// Address ranges that never make a container network's subnet or a
// cluster CIDR: putting one on a bridge breaks the host (127.0.0.0/8 on a
// bridge), hands a container a special address (169.254.169.254, the cloud
// metadata service), or cannot be unicast at all. A range that overlaps one
// is refused, so 0.0.0.0/0 and ::/0 are refused as well.

interface Reserved<C> {
  readonly cidr: C;
  readonly what: string;
}

const RESERVED4: readonly Reserved<Cidr4>[] = [
  { cidr: parseCidr4("0.0.0.0/8"), what: `"this network" (0.0.0.0/8)` },
  { cidr: parseCidr4("127.0.0.0/8"), what: "loopback (127.0.0.0/8)" },
  { cidr: parseCidr4("169.254.0.0/16"), what: "link-local (169.254.0.0/16, which holds the cloud metadata address 169.254.169.254)" },
  { cidr: parseCidr4("224.0.0.0/4"), what: "multicast (224.0.0.0/4)" },
  { cidr: parseCidr4("240.0.0.0/4"), what: "reserved (240.0.0.0/4, with the broadcast address 255.255.255.255)" },
];

const RESERVED6: readonly Reserved<Cidr6>[] = [
  { cidr: parseCidr6("::/128"), what: "the unspecified address (::)" },
  { cidr: parseCidr6("::1/128"), what: "loopback (::1)" },
  { cidr: parseCidr6("::/96"), what: "IPv4-compatible (::/96, deprecated)" },
  { cidr: parseCidr6("::ffff:0:0/96"), what: "IPv4-mapped (::ffff:0:0/96)" },
  { cidr: parseCidr6("100::/64"), what: "discard-only (100::/64)" },
  { cidr: parseCidr6("fe80::/10"), what: "link-local (fe80::/10)" },
  { cidr: parseCidr6("fec0::/10"), what: "site-local (fec0::/10, deprecated)" },
  { cidr: parseCidr6("ff00::/8"), what: "multicast (ff00::/8)" },
];

/** The reserved range an IPv4 prefix overlaps, described; undefined when it overlaps none. */
export function reservedOverlap4(c: Cidr4): string | undefined {
  return RESERVED4.find((r) => cidrOverlaps(r.cidr, c))?.what;
}

/** The reserved range an IPv6 prefix overlaps, described; undefined when it overlaps none. */
export function reservedOverlap6(c: Cidr6): string | undefined {
  return RESERVED6.find((r) => cidr6Overlaps(r.cidr, c))?.what;
}

/**
 * Refuse an IPv4 subnet or cluster CIDR that overlaps a reserved range.
 * `what` names it in the message ("Subnet", "Cluster CIDR").
 */
export function requireUnreserved4(c: Cidr4, what = "Subnet"): Cidr4 {
  const r = reservedOverlap4(c);
  if (r !== undefined) {
    throw new BerthError("INVALID_SUBNET", `${what} ${formatCidr4(c)} overlaps ${r}, which never belongs to a container network`, {
      hint: "Use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or a public prefix routed to this host",
    });
  }
  return c;
}

/** Refuse an IPv6 subnet or cluster CIDR that overlaps a reserved range. */
export function requireUnreserved6(c: Cidr6, what = "IPv6 subnet"): Cidr6 {
  const r = reservedOverlap6(c);
  if (r !== undefined) {
    throw new BerthError("INVALID_SUBNET", `${what} ${formatCidr6(c)} overlaps ${r}, which never belongs to a container network`, {
      hint: "Use a unique local prefix (fd00::/8, e.g. fd00:89:1::/64) or a global prefix routed to this host",
    });
  }
  return c;
}
