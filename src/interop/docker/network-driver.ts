import { BerthError } from "../../errors.js";
import {
  attachSandbox,
  createNetwork,
  detachSandbox,
  DOCKER_NETWORK_LABEL,
  listSandboxes,
  removeNetwork,
  requireNetwork,
  unpublishSandboxPorts,
  type Engine,
  type SandboxEndpoint,
} from "../../engine/index.js";
import { printable } from "../../model/names.js";
import type { Network } from "../../model/network.js";
import { ANY_FAMILY, ANY_IPV4, ANY_IPV6, type PortRequest } from "../../model/port-spec.js";
import type { CreateEndpointRequest, CreateNetworkRequest, EndpointRef, ExternalConnectivityRequest, JoinRequest, NetworkRef } from "./driver-requests.js";
import { closeDockerUserChain, openDockerUserChain } from "./docker-user-chain.js";
import { berthNetworkName, defaultBridgeName, DOCKER_OWNER, endpointMac, handoverName, sandboxIdOf, sandboxName } from "./names.js";

/** `docker network create -d berth -o KEY=VALUE`: the options Berth's driver takes. */
const BRIDGE_NAME_OPTION = "com.docker.network.bridge.name";
const MTU_OPTION = "com.docker.network.driver.mtu";
const ISOLATE_OPTION = "isolate";
const KNOWN_OPTIONS = [BRIDGE_NAME_OPTION, MTU_OPTION, ISOLATE_OPTION];

/** An endpoint between CreateEndpoint and Join: what IPAM gave it. */
interface PendingEndpoint {
  readonly networkId: string;
  readonly ip: string | undefined;
  readonly ip6: string | undefined;
  readonly mac: string;
}

/** The reply to Join (libnetwork's JoinResponse). */
export interface JoinReply {
  readonly InterfaceName: { readonly SrcName: string; readonly DstPrefix: string };
  readonly Gateway?: string;
  readonly GatewayIPv6?: string;
}

/**
 * Berth as Docker's network driver (`docker network create -d berth`).
 * A Docker network is a Berth bridge network named docker-<12 hex of its
 * id>, without Berth's resolver (dockerd's embedded DNS names the
 * containers) and isolated from other networks, as Docker's user-defined
 * bridges are. A container is a Berth sandbox owned by "docker", keyed by
 * its network namespace; each endpoint is a veth whose container end
 * Berth hands to dockerd in Join. Endpoints between CreateEndpoint and
 * Join live in this instance only; after Join the store has them, found
 * again by network and MAC (derived from the endpoint id).
 */
export class DockerNetworkDriver {
  readonly #pending = new Map<string, PendingEndpoint>();
  /** Bridges whose DOCKER-USER rules this instance made or found (dockerd keeps that chain's rules when it restarts). */
  readonly #opened = new Set<string>();
  /** Endpoint id -> the ports its Join published (the container's first endpoint), which ProgramExternalConnectivity then finds done. */
  readonly #publishedAtJoin = new Map<string, string>();

  async #openBridge(bridge: string): Promise<void> {
    if (this.#opened.has(bridge)) return;
    if (await openDockerUserChain(bridge)) this.#opened.add(bridge);
  }

  async createNetwork(engine: Engine, r: CreateNetworkRequest): Promise<Record<string, never>> {
    const unknown = Object.keys(r.driverOptions).filter((k) => !KNOWN_OPTIONS.includes(k));
    if (unknown.length > 0) {
      throw new BerthError(
        "INVALID_ARGUMENT",
        `Berth's Docker driver does not know the option${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => `"${printable(k)}"`).join(", ")}`,
        {
          hint: `Known options: -o ${BRIDGE_NAME_OPTION}=NAME, -o ${MTU_OPTION}=N, -o ${ISOLATE_OPTION}=true|false|peers`,
        },
      );
    }
    const v4 = r.ipv4[0];
    if (v4 === undefined || r.ipv4.length > 1 || r.ipv6.length > 1) {
      throw new BerthError("INVALID_ARGUMENT", "A Berth network has one IPv4 subnet and at most one IPv6 subnet", {
        hint: "Give one --subnet (and one IPv6 --subnet with --ipv6)",
      });
    }
    const v6 = r.ipv6[0];
    const name = berthNetworkName(r.networkId);
    const subnets = [v4.pool, ...(v6 ? [v6.pool] : [])];
    const gateways = [v4.gateway, v6?.gateway].filter((g) => g !== undefined).map(withoutPrefix);
    const existing = networkNamed(engine, name);
    if (existing) return {}; // dockerd asks again after a restart
    const mtu = r.driverOptions[MTU_OPTION];
    const bridge = r.driverOptions[BRIDGE_NAME_OPTION];
    const net = createNetwork(engine, {
      name,
      subnet: subnets,
      ...(gateways.length === subnets.length ? { gateway: gateways } : {}),
      internal: r.internal,
      disableDns: true,
      interfaceName: bridge ?? defaultBridgeName(r.networkId),
      options: { isolate: r.driverOptions[ISOLATE_OPTION] ?? "true", ...(mtu === undefined ? {} : { mtu }) },
      labels: { [DOCKER_NETWORK_LABEL]: r.networkId },
    });
    await this.#openBridge(net.bridge);
    return {};
  }

  async deleteNetwork(engine: Engine, r: NetworkRef): Promise<Record<string, never>> {
    const name = berthNetworkName(r.networkId);
    const net = networkNamed(engine, name);
    if (net) {
      await removeNetwork(engine, name, { owner: DOCKER_OWNER });
      this.#opened.delete(net.bridge);
      await closeDockerUserChain(net.bridge);
    }
    return {};
  }

  createEndpoint(engine: Engine, r: CreateEndpointRequest): { Interface?: { MacAddress: string } } {
    if (!networkNamed(engine, berthNetworkName(r.networkId))) throw unknownNetwork(r.networkId);
    if (r.address === undefined && r.address6 === undefined) {
      throw new BerthError("INVALID_ARGUMENT", "Docker gave the endpoint no address", {
        hint: "Create the network with a subnet (its IPAM gives each endpoint an address)",
      });
    }
    const mac = r.mac ?? endpointMac(r.endpointId);
    this.#pending.set(r.endpointId, {
      networkId: r.networkId,
      ip: r.address === undefined ? undefined : withoutPrefix(r.address),
      ip6: r.address6 === undefined ? undefined : withoutPrefix(r.address6),
      mac,
    });
    // dockerd sets the MAC it is given on the interface it moves; one it chose itself is not ours to change
    return r.mac === undefined ? { Interface: { MacAddress: mac } } : {};
  }

  async join(engine: Engine, r: JoinRequest): Promise<JoinReply> {
    const p = this.#pending.get(r.endpointId);
    if (!p || p.networkId !== r.networkId) {
      throw new BerthError("NOT_CONNECTED", `Unknown endpoint ${r.endpointId.slice(0, 12)} on network ${r.networkId.slice(0, 12)}`, {
        hint: "The plugin restarted between creating the endpoint and joining it; start the container again",
      });
    }
    const id = sandboxIdOf(r.sandboxKey);
    const net = networkNamed(engine, berthNetworkName(r.networkId));
    if (!net) throw unknownNetwork(r.networkId);
    // a network made before this instance started (the plugin restarted) is checked once
    await this.#openBridge(net.bridge);
    const srcName = handoverName(r.endpointId);
    // the container's first endpoint publishes its ports in the same step (ProgramExternalConnectivity follows at
    // once for the endpoint dockerd routes through, normally this one): one attach instead of two
    const first = !listSandboxes(engine, DOCKER_OWNER).some((s) => s.id === id);
    const ports = first ? onHostAddresses(r.ports, net) : [];
    const [ep] = await attachSandbox(engine, {
      managedBy: DOCKER_OWNER,
      id,
      name: sandboxName(id),
      netns: r.sandboxKey,
      networks: [
        {
          network: berthNetworkName(r.networkId),
          mac: p.mac,
          handoverName: srcName,
          ...(p.ip === undefined ? {} : { ip: p.ip }),
          ...(p.ip6 === undefined ? {} : { ip6: p.ip6 }),
        },
      ],
      ...(ports.length > 0 ? { ports } : {}),
    });
    if (ports.length > 0) this.#publishedAtJoin.set(r.endpointId, portsKey(ports));
    return { InterfaceName: { SrcName: srcName, DstPrefix: "eth" }, ...gatewaysOf(engine, ep) };
  }

  async leave(engine: Engine, r: EndpointRef): Promise<Record<string, never>> {
    this.#publishedAtJoin.delete(r.endpointId);
    const found = findEndpoint(engine, r, this.#pending.get(r.endpointId)?.mac);
    if (found) await detachSandbox(engine, { managedBy: DOCKER_OWNER, id: found.sandboxId, networks: [found.network] });
    return {};
  }

  async deleteEndpoint(engine: Engine, r: EndpointRef): Promise<Record<string, never>> {
    // a Join without its Leave (dockerd crashed in between) is torn down here
    await this.leave(engine, r);
    this.#pending.delete(r.endpointId);
    return {};
  }

  endpointInfo(engine: Engine, r: EndpointRef): { Value: Record<string, string> } {
    const found = findEndpoint(engine, r, this.#pending.get(r.endpointId)?.mac);
    return { Value: found ? { "berth.network": found.network, "berth.sandbox": found.sandboxId } : {} };
  }

  async programExternalConnectivity(engine: Engine, r: ExternalConnectivityRequest): Promise<Record<string, never>> {
    if (r.ports.length === 0) return {};
    const net = networkNamed(engine, berthNetworkName(r.networkId));
    if (!net) throw unknownNetwork(r.networkId);
    const ports = onHostAddresses(r.ports, net);
    const atJoin = this.#publishedAtJoin.get(r.endpointId);
    this.#publishedAtJoin.delete(r.endpointId);
    if (atJoin === portsKey(ports)) return {};
    const found = findEndpoint(engine, r, this.#pending.get(r.endpointId)?.mac);
    if (!found)
      throw new BerthError("NOT_CONNECTED", `Endpoint ${r.endpointId.slice(0, 12)} has not joined a container`, { hint: "Docker publishes ports after Join" });
    await attachSandbox(engine, {
      managedBy: DOCKER_OWNER,
      id: found.sandboxId,
      name: found.sandboxName,
      netns: found.netns,
      networks: [{ network: found.network, handoverName: handoverName(r.endpointId) }],
      ports,
    });
    return {};
  }

  revokeExternalConnectivity(engine: Engine, r: EndpointRef): Record<string, never> {
    this.#publishedAtJoin.delete(r.endpointId);
    const found = findEndpoint(engine, r, this.#pending.get(r.endpointId)?.mac);
    if (found) unpublishSandboxPorts(engine, DOCKER_OWNER, found.sandboxId);
    return {};
  }
}

/**
 * A binding without a host address (`-p 8080:80`) on 0.0.0.0, and on :: too
 * when the network has IPv6: the engine leaves that to the adapter for a
 * sandbox whose networks are not attached yet.
 */
function onHostAddresses(ports: readonly PortRequest[], net: Network): PortRequest[] {
  return ports.flatMap((p) =>
    p.hostIp !== ANY_FAMILY ? [p] : [{ ...p, hostIp: ANY_IPV4 }, ...(net.subnet6 === undefined ? [] : [{ ...p, hostIp: ANY_IPV6 }])],
  );
}

/** The same bindings in any order give the same key. */
function portsKey(ports: readonly PortRequest[]): string {
  return ports
    .map((p) => `${p.proto} ${p.hostIp} ${p.hostPort} ${p.containerPort}`)
    .sort()
    .join(",");
}

function withoutPrefix(cidr: string): string {
  const slash = cidr.indexOf("/");
  return slash < 0 ? cidr : cidr.slice(0, slash);
}

function networkNamed(engine: Engine, name: string): Network | undefined {
  try {
    return requireNetwork(engine, name);
  } catch (e) {
    if (e instanceof BerthError && e.code === "NETWORK_NOT_FOUND") return undefined;
    throw e;
  }
}

function unknownNetwork(networkId: string): BerthError {
  return new BerthError("NETWORK_NOT_FOUND", `Berth has no network for Docker network ${networkId.slice(0, 12)}`, {
    hint: "It was removed behind Docker's back (`berth network rm`); remove it with `docker network rm` and create it again",
  });
}

/** The gateways dockerd routes the container through (none on an internal network). */
function gatewaysOf(engine: Engine, ep: SandboxEndpoint | undefined): { Gateway?: string; GatewayIPv6?: string } {
  if (!ep) return {};
  const net = networkNamed(engine, ep.network);
  if (!net || net.internal) return {};
  const v4 = ep.addresses.find((a) => !a.ip.includes(":"));
  const v6 = ep.addresses.find((a) => a.ip.includes(":"));
  return { ...(v4 ? { Gateway: v4.gateway } : {}), ...(v6 ? { GatewayIPv6: v6.gateway } : {}) };
}

interface FoundEndpoint {
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly netns: string;
  readonly network: string;
}

/** The sandbox holding an endpoint: the membership on its network with its MAC (the one given, or the one derived from its id). */
function findEndpoint(engine: Engine, r: EndpointRef, mac: string | undefined): FoundEndpoint | undefined {
  const network = berthNetworkName(r.networkId);
  const want = (mac ?? endpointMac(r.endpointId)).toLowerCase();
  for (const s of listSandboxes(engine, DOCKER_OWNER)) {
    if (s.netns === undefined) continue;
    if (s.endpoints.some((e) => e.network === network && e.mac.toLowerCase() === want))
      return { sandboxId: s.id, sandboxName: s.name, netns: s.netns, network };
  }
  return undefined;
}
