import { BerthError } from "../../errors.js";
import { freeSubnet4, leasedInSubnet, type Engine } from "../../engine/index.js";
import { cidrContains, formatCidr4, formatIpv4, parseCidr4, parseIpv4 } from "../../model/ipv4.js";
import { cidr6Contains, formatCidr6, formatIpv6, parseCidr6, parseIpv6 } from "../../model/ipv6.js";
import { printable } from "../../model/names.js";
import type { PoolRef, ReleaseAddressRequest, RequestAddressRequest, RequestPoolRequest } from "./ipam-requests.js";

/** The address spaces Berth's IPAM answers GetDefaultAddressSpaces with (names only: one space per host). */
export const LOCAL_ADDRESS_SPACE = "berth-local";
export const GLOBAL_ADDRESS_SPACE = "berth-global";

const POOL_PREFIX = "berth:";
/** How far the next-free search walks a pool (an IPv6 /64 is never walked to its end). */
const SEARCH_LIMIT = 65536;

interface Pool {
  readonly family: 4 | 6;
  readonly cidr: string;
  readonly prefix: number;
}

/**
 * Berth as Docker's IPAM driver (`--ipam-driver berth`). A pool id is
 * "berth:" + the subnet, so a pool is understood without memory (after a
 * restart of the plugin). Addresses handed out are remembered by this
 * instance until released; an address a Berth endpoint holds on a network
 * with that subnet is never handed out either, so after a restart the
 * store still guards the addresses in use. dockerd replays pool and
 * address requests when it restarts (RequiresRequestReplay).
 */
export class DockerIpam {
  /** Pool id -> addresses handed out and not released. */
  readonly #held = new Map<string, Set<string>>();

  requestPool(engine: Engine, r: RequestPoolRequest): { PoolID: string; Pool: string; Data: Record<string, string> } {
    if (r.subPool !== undefined) {
      throw new BerthError("INVALID_ARGUMENT", `Berth's IPAM does not split a subnet into ranges (--ip-range ${printable(r.subPool)})`, {
        hint: "Leave out --ip-range; every address of the subnet is used",
      });
    }
    let cidr: string;
    if (r.pool !== undefined) cidr = r.v6 ? formatCidr6(parseCidr6(r.pool)) : formatCidr4(parseCidr4(r.pool));
    else if (r.v6) {
      throw new BerthError("INVALID_ARGUMENT", "Berth's IPAM needs the IPv6 subnet of the network", {
        hint: "Give it with --subnet (e.g. --subnet fd00:1::/64)",
      });
    } else
      cidr = freeSubnet4(
        engine,
        this.#pools()
          .filter((p) => p.family === 4)
          .map((p) => p.cidr),
      );
    const id = POOL_PREFIX + cidr;
    if (!this.#held.has(id)) this.#held.set(id, new Set());
    return { PoolID: id, Pool: cidr, Data: {} };
  }

  releasePool(r: PoolRef): Record<string, never> {
    poolOf(r.poolId);
    this.#held.delete(r.poolId);
    return {};
  }

  requestAddress(engine: Engine, r: RequestAddressRequest): { Address: string; Data: Record<string, string> } {
    const pool = poolOf(r.poolId);
    const held = this.#held.get(r.poolId) ?? new Set<string>();
    this.#held.set(r.poolId, held);
    let ip: string;
    if (r.address !== undefined) ip = checkInPool(pool, r.address);
    else if (r.forGateway) ip = firstHost(pool);
    else {
      const leased = leasedInSubnet(engine, pool.cidr);
      ip = nextFree(pool, (cand) => held.has(cand) || leased.has(cand), r.poolId);
    }
    held.add(ip);
    return { Address: `${ip}/${pool.prefix}`, Data: {} };
  }

  releaseAddress(r: ReleaseAddressRequest): Record<string, never> {
    const pool = poolOf(r.poolId);
    this.#held.get(r.poolId)?.delete(checkInPool(pool, r.address));
    return {};
  }

  #pools(): Pool[] {
    return [...this.#held.keys()].map(poolOf);
  }
}

function poolOf(poolId: string): Pool {
  const cidr = poolId.startsWith(POOL_PREFIX) ? poolId.slice(POOL_PREFIX.length) : "";
  try {
    if (cidr.includes(":")) {
      const c = parseCidr6(cidr);
      return { family: 6, cidr: formatCidr6(c), prefix: c.prefix };
    }
    const c = parseCidr4(cidr);
    return { family: 4, cidr: formatCidr4(c), prefix: c.prefix };
  } catch {
    throw new BerthError("INVALID_ARGUMENT", `Unknown address pool "${printable(poolId)}"`, { hint: "Berth's pools are named berth:SUBNET" });
  }
}

function checkInPool(pool: Pool, text: string): string {
  if (pool.family === 4) {
    const c = parseCidr4(pool.cidr);
    const ip = parseIpv4(text, "address");
    const last = (c.addr + 2 ** (32 - c.prefix) - 1) >>> 0;
    if (!cidrContains(c, ip) || (c.prefix < 31 && (ip === c.addr || ip === last)))
      throw new BerthError("ADDRESS_OUTSIDE_SUBNET", `${formatIpv4(ip)} is not a host address of ${pool.cidr}`, {
        hint: `Give an address inside ${pool.cidr}`,
      });
    return formatIpv4(ip);
  }
  const c = parseCidr6(pool.cidr);
  const ip = parseIpv6(text, "address");
  if (!cidr6Contains(c, ip) || ip === c.addr)
    throw new BerthError("ADDRESS_OUTSIDE_SUBNET", `${formatIpv6(ip)} is not a host address of ${pool.cidr}`, { hint: `Give an address inside ${pool.cidr}` });
  return formatIpv6(ip);
}

/** The subnet's first host address: the gateway Berth gives a network by default. */
function firstHost(pool: Pool): string {
  return pool.family === 4 ? formatIpv4((parseCidr4(pool.cidr).addr + 1) >>> 0) : formatIpv6(parseCidr6(pool.cidr).addr + 1n);
}

function nextFree(pool: Pool, taken: (ip: string) => boolean, poolId: string): string {
  if (pool.family === 4) {
    const c = parseCidr4(pool.cidr);
    const last = (c.addr + 2 ** (32 - c.prefix) - 1) >>> 0;
    for (let ip = c.addr + 2; ip < last && ip - c.addr <= SEARCH_LIMIT; ip++) {
      const t = formatIpv4(ip >>> 0);
      if (!taken(t)) return t;
    }
  } else {
    const c = parseCidr6(pool.cidr);
    for (let i = 2n; i <= BigInt(SEARCH_LIMIT); i++) {
      const t = formatIpv6(c.addr + i);
      if (!taken(t)) return t;
    }
  }
  throw new BerthError("SUBNET_FULL", `No free address left in pool ${printable(poolId)}`, { hint: "Create the network with a larger subnet" });
}
