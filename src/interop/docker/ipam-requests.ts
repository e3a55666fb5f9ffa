import { optBool, optStr, str, stringMap, type JsonObject } from "./json-body.js";

/** The requests of libnetwork's remote IPAM protocol (IpamDriver.*), parsed strictly. */

export interface RequestPoolRequest {
  readonly addressSpace: string;
  /** The subnet asked for (`--subnet`), or undefined: the IPAM picks one. */
  readonly pool: string | undefined;
  readonly subPool: string | undefined;
  readonly v6: boolean;
}

export function parseRequestPool(b: JsonObject): RequestPoolRequest {
  return { addressSpace: str(b, "AddressSpace"), pool: optStr(b, "Pool"), subPool: optStr(b, "SubPool"), v6: optBool(b, "V6") ?? false };
}

export interface PoolRef {
  readonly poolId: string;
}

export function parsePoolRef(b: JsonObject): PoolRef {
  return { poolId: str(b, "PoolID") };
}

/** libnetwork's RequestAddressType for the network's gateway. */
export const GATEWAY_REQUEST = "com.docker.network.gateway";

export interface RequestAddressRequest extends PoolRef {
  /** A preferred address (`--gateway`, `--ip`), or undefined: the next free one. */
  readonly address: string | undefined;
  readonly forGateway: boolean;
}

export function parseRequestAddress(b: JsonObject): RequestAddressRequest {
  const options = stringMap(b, "Options");
  return { ...parsePoolRef(b), address: optStr(b, "Address"), forGateway: options["RequestAddressType"] === GATEWAY_REQUEST };
}

export interface ReleaseAddressRequest extends PoolRef {
  readonly address: string;
}

export function parseReleaseAddress(b: JsonObject): ReleaseAddressRequest {
  return { ...parsePoolRef(b), address: str(b, "Address") };
}
