import type { PortRequest } from "../../model/port-spec.js";
import { dockerId, objectOf, optArray, optBool, optObject, optStr, str, stringMap, type JsonObject } from "./json-body.js";
import { parsePortMap } from "./port-map.js";
import { BerthError } from "../../errors.js";

/** The requests of libnetwork's remote network driver protocol (NetworkDriver.*), parsed strictly. */

/** One address pool of a network, as IPAM gave it: CIDRs, the gateway with its prefix length. */
export interface IpamData {
  readonly pool: string;
  readonly gateway: string | undefined;
}

export interface CreateNetworkRequest {
  readonly networkId: string;
  readonly ipv4: readonly IpamData[];
  readonly ipv6: readonly IpamData[];
  /** `-o KEY=VALUE` of `docker network create` (com.docker.network.generic). */
  readonly driverOptions: Readonly<Record<string, string>>;
  readonly internal: boolean;
}

function ipamData(list: readonly unknown[], what: string): IpamData[] {
  return list.map((raw, i) => {
    const d = objectOf(raw, `${what}[${i}]`);
    return { pool: str(d, "Pool"), gateway: optStr(d, "Gateway") };
  });
}

export function parseCreateNetwork(b: JsonObject): CreateNetworkRequest {
  const options = optObject(b, "Options");
  return {
    networkId: dockerId(b, "NetworkID"),
    ipv4: ipamData(optArray(b, "IPv4Data"), "IPv4Data"),
    ipv6: ipamData(optArray(b, "IPv6Data"), "IPv6Data"),
    driverOptions: stringMap(options, "com.docker.network.generic"),
    internal: optBool(options, "com.docker.network.internal") ?? false,
  };
}

export interface NetworkRef {
  readonly networkId: string;
}

export function parseNetworkRef(b: JsonObject): NetworkRef {
  return { networkId: dockerId(b, "NetworkID") };
}

export interface EndpointRef {
  readonly networkId: string;
  readonly endpointId: string;
}

export function parseEndpointRef(b: JsonObject): EndpointRef {
  return { networkId: dockerId(b, "NetworkID"), endpointId: dockerId(b, "EndpointID") };
}

export interface CreateEndpointRequest extends EndpointRef {
  /** The IPv4 address with its prefix length (from IPAM), e.g. 10.89.0.2/24. */
  readonly address: string | undefined;
  readonly address6: string | undefined;
  /** `--mac-address`, when the user gave one. */
  readonly mac: string | undefined;
  readonly ports: readonly PortRequest[];
}

export function parseCreateEndpoint(b: JsonObject): CreateEndpointRequest {
  const iface = optObject(b, "Interface");
  return {
    ...parseEndpointRef(b),
    address: optStr(iface, "Address"),
    address6: optStr(iface, "AddressIPv6"),
    mac: optStr(iface, "MacAddress"),
    ports: parsePortMap(optObject(b, "Options")),
  };
}

export interface JoinRequest extends EndpointRef {
  /** The container's network namespace path (it may not exist yet: dockerd binds it after Join). */
  readonly sandboxKey: string;
  /** The container's port bindings (dockerd sends them with every Join). */
  readonly ports: readonly PortRequest[];
}

export function parseJoin(b: JsonObject): JoinRequest {
  const sandboxKey = str(b, "SandboxKey");
  if (sandboxKey === "")
    throw new BerthError("INVALID_ARGUMENT", "Invalid Docker plugin request: SandboxKey is empty", { hint: "Join needs the container's sandbox" });
  return { ...parseEndpointRef(b), sandboxKey, ports: parsePortMap(optObject(b, "Options")) };
}

export interface ExternalConnectivityRequest extends EndpointRef {
  readonly ports: readonly PortRequest[];
}

export function parseExternalConnectivity(b: JsonObject): ExternalConnectivityRequest {
  return { ...parseEndpointRef(b), ports: parsePortMap(optObject(b, "Options")) };
}
