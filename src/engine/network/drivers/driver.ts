import type { Engine } from "../../context.js";
import type { Network } from "../../../model/network.js";
import type { Attachment, Container } from "../../../model/container.js";
import type { DefaultRoutes } from "../attach.js";

/**
 * What happens to the container's namespace around a detach: it stays (network
 * disconnect, another engine's sandbox), Berth has just deleted it (its own
 * container), or the runtime that owns it deletes it right after this call
 * (netavark teardown, CNI DEL: the host's side can wait until the caller has its answer).
 */
export type NamespaceFate = "stays" | "deleted" | "deleted by its runtime next";

/** One kernel object of an attachment that differs from the store (host side). */
export interface HostDrift {
  readonly what: "bridge" | "veth";
  readonly detail: string;
}

/**
 * What a network's driver decides, in the spirit of netavark's driver trait:
 * how a container is attached and detached, what the host holds for the
 * network, and what the firewall, DNS, ports and views make of it. The
 * engine asks `driverOf(net)` (drivers/index.ts) instead of branching on
 * `net.driver`. Validating a new network's options is `planNetworkDriver`
 * (network-create), the definition an adopter gives is sandbox/validate.
 */
export interface NetworkDriver {
  readonly name: Network["driver"];
  /**
   * Whether the containers' traffic passes through the host: a bridge with
   * the gateways on it, routed and NATed by Berth's nft table, the resolver
   * on the gateways, published ports DNATed to it, other engines' sandboxes
   * and Docker endpoints on it. A macvlan container sits on the parent's
   * segment instead: none of that applies.
   */
  readonly throughHost: boolean;
  /**
   * Whether an attachment has an end in the host's namespace (a veth on the
   * bridge) that reconcile and a runtime's reload can make again; a macvlan
   * child lives only inside the container's namespace.
   */
  readonly hasHostEnd: boolean;
  /** The host interface the network's containers hang off, as endpoints and views name it (bridge, or the macvlan parent). */
  hostInterface(net: Network): string;
  /** Addresses an attach never leases on this network (the host's own on a macvlan's segment). */
  reservedAddresses(engine: Engine, net: Network): ReadonlySet<string>;
  /** Refuse an attach before anything changes (a bridge with no free port). */
  checkRoom(engine: Engine, containerName: string, net: Network): void;
  /** The kernel part of an attach: the container's interface, configured inside its namespace; undone on failure. */
  plumb(engine: Engine, c: Pick<Container, "name">, netnsPath: string, net: Network, a: Attachment, defaultRoute: DefaultRoutes): void;
  /** Delete the container's interface (a sweep: missing is fine), knowing what happens to its namespace. */
  unplumb(engine: Engine, c: Pick<Container, "netns" | "id">, net: Network, a: Attachment | undefined, namespace: NamespaceFate): void;
  /** The container's interface as an error message names it: "veth bth...", "macvlan eth0". */
  interfaceText(net: Network, a: Attachment): string;
  /** Reconcile: re-create what the host holds for a network that has containers; true when it made something. */
  restoreHostSide(engine: Engine, net: Network): boolean;
  /** The attachment's objects in the host's namespace that differ from the store (doctor, reconcile). */
  hostDrift(engine: Engine, net: Network, a: Attachment): HostDrift[];
}
