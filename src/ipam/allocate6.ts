import { BerthError } from "../errors.js";
import { cidr6Contains, cidr6Last, formatCidr6, formatIpv6, type Cidr6, type Ipv6 } from "../model/ipv6.js";

export interface AllocationPool6 {
  readonly subnet: Cidr6;
  readonly gateway: Ipv6;
}

/** How many candidates one allocation looks at before giving up (a /64 is never searched to the end). */
export const MAX_PROBES6 = 65536;

/** First and last assignable addresses: never the subnet-router anycast address (host bits zero). */
export function pool6Bounds(pool: AllocationPool6): { first: Ipv6; last: Ipv6 } {
  const last = cidr6Last(pool.subnet);
  return { first: pool.subnet.prefix >= 127 ? pool.subnet.addr : pool.subnet.addr + 1n, last };
}

/**
 * The next free IPv6 address after `cursor`, round-robin like allocateNext:
 * counting up from the subnet's start (::2 after a ::1 gateway), so
 * addresses stay short and predictable, wrapping once.
 */
export function allocateNext6(pool: AllocationPool6, cursor: Ipv6 | undefined, isUsed: (ip: Ipv6) => boolean, networkName: string): Ipv6 {
  const { first, last } = pool6Bounds(pool);
  const size = last - first + 1n;
  const probes = size < BigInt(MAX_PROBES6) ? size : BigInt(MAX_PROBES6);
  let ip = cursor !== undefined && cursor >= first && cursor < last ? cursor + 1n : first;
  for (let i = 0n; i < probes; i++) {
    if (ip > last) ip = first;
    if (ip !== pool.gateway && !isUsed(ip)) return ip;
    ip++;
  }
  throw new BerthError(
    "SUBNET_FULL",
    `Cannot allocate an IPv6 address on network "${networkName}": no free address in ${formatCidr6(pool.subnet)} after ${probes} tries`,
    {
      hint: "Remove unused containers (`berth ps -a`, `berth rm`), or give addresses with --ip6",
    },
  );
}

/** Check a user-chosen static IPv6 address (`--ip6`). */
export function checkStaticIp6(pool: AllocationPool6, ip: Ipv6, networkName: string, holder: string | undefined): void {
  const text = formatIpv6(ip);
  if (!cidr6Contains(pool.subnet, ip)) {
    throw new BerthError("ADDRESS_OUTSIDE_SUBNET", `Cannot use ${text} on network "${networkName}": it is outside the subnet ${formatCidr6(pool.subnet)}`, {
      hint: `Choose an address in ${formatCidr6(pool.subnet)}, or leave out --ip6 to get one assigned`,
    });
  }
  if (pool.subnet.prefix < 127 && ip === pool.subnet.addr) {
    throw new BerthError("INVALID_ADDRESS", `Cannot use ${text} on network "${networkName}": it is the subnet-router anycast address`, {
      hint: "Choose a host address inside the subnet",
    });
  }
  if (ip === pool.gateway) {
    throw new BerthError("ADDRESS_IN_USE", `Cannot use ${text} on network "${networkName}": it is the network's IPv6 gateway`, {
      hint: "Choose another address, or leave out --ip6 to get one assigned",
    });
  }
  if (holder !== undefined) {
    throw new BerthError("ADDRESS_IN_USE", `Cannot use ${text} on network "${networkName}": it is already assigned to container ${holder}`, {
      hint: "Choose another address, or leave out --ip6 to get one assigned",
    });
  }
}
