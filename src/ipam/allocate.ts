import { BerthError } from "../errors.js";
import { cidrContains, cidrLast, formatCidr4, formatIpv4, type Cidr4, type Ipv4 } from "../model/ipv4.js";

export interface AllocationPool {
  /** The network's subnet. */
  readonly subnet: Cidr4;
  /** Where dynamic addresses come from (`--ip-range`); the subnet when absent. */
  readonly range: Cidr4;
  readonly gateway: Ipv4;
}

/** First and last assignable addresses of a pool: never the network, broadcast or gateway address. */
export function poolBounds(pool: AllocationPool): { first: Ipv4; last: Ipv4 } {
  const netAddr = pool.subnet.addr;
  const bcast = cidrLast(pool.subnet);
  let first = pool.range.addr;
  let last = cidrLast(pool.range);
  if (pool.subnet.prefix < 31) {
    if (first <= netAddr) first = netAddr + 1;
    if (last >= bcast) last = bcast - 1;
  }
  return { first: first >>> 0, last: last >>> 0 };
}

/**
 * Pick the next free address after `cursor`, wrapping around once (the
 * round-robin of CNI host-local: a released address is not reused at once).
 * `isUsed` is an indexed lookup, so the cost does not grow with the number of
 * leases on the network until the pool is nearly full.
 */
export function allocateNext(pool: AllocationPool, cursor: Ipv4, isUsed: (ip: Ipv4) => boolean, networkName: string): Ipv4 {
  const { first, last } = poolBounds(pool);
  const size = last - first + 1;
  if (size <= 0) throw full(pool, networkName);
  let start = cursor >= first && cursor <= last ? cursor + 1 : first;
  for (let i = 0; i < size; i++) {
    const ip = start > last ? first + (start - last - 1) : start;
    if (ip !== pool.gateway && !isUsed(ip)) return ip >>> 0;
    start++;
  }
  throw full(pool, networkName);
}

/** Check a user-chosen static address (`--ip`). */
export function checkStaticIp(pool: AllocationPool, ip: Ipv4, networkName: string, holder: string | undefined): void {
  if (!cidrContains(pool.subnet, ip)) {
    throw new BerthError(
      "ADDRESS_OUTSIDE_SUBNET",
      `Cannot use ${formatIpv4(ip)} on network "${networkName}": it is outside the subnet ${formatCidr4(pool.subnet)}`,
      {
        hint: `Choose an address in ${formatCidr4(pool.subnet)}, or leave out --ip to get one assigned`,
      },
    );
  }
  const bcast = cidrLast(pool.subnet);
  if (pool.subnet.prefix < 31 && (ip === pool.subnet.addr || ip === bcast)) {
    throw new BerthError(
      "INVALID_ADDRESS",
      `Cannot use ${formatIpv4(ip)} on network "${networkName}": it is the subnet's ${ip === bcast ? "broadcast" : "network"} address`,
      {
        hint: "Choose a host address inside the subnet",
      },
    );
  }
  if (ip === pool.gateway) {
    throw new BerthError("ADDRESS_IN_USE", `Cannot use ${formatIpv4(ip)} on network "${networkName}": it is the network's gateway`, {
      hint: "Choose another address, or leave out --ip to get one assigned",
    });
  }
  if (holder !== undefined) {
    throw new BerthError("ADDRESS_IN_USE", `Cannot use ${formatIpv4(ip)} on network "${networkName}": it is already assigned to container ${holder}`, {
      hint: "Choose another address, or leave out --ip to get one assigned",
    });
  }
}

function full(pool: AllocationPool, networkName: string): BerthError {
  return new BerthError("SUBNET_FULL", `Cannot allocate an address on network "${networkName}": all addresses in ${formatCidr4(pool.range)} are in use`, {
    hint: "Remove unused containers (`berth ps -a`, `berth rm`), or create a network with a larger --subnet",
  });
}
