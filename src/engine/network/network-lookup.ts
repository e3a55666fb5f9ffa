import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";
import type { Container, NetworkRequest } from "../../model/container.js";
import { DEFAULT_NETWORK, BRIDGE_MODE } from "../../model/network.js";
import { BerthError } from "../../errors.js";
import { ensureDefaultNetwork } from "../commands/network-create.js";

/**
 * Find a network by name or id, or fail with what to do. Changes nothing:
 * the default network is found only once something has used it.
 */
export function requireNetwork(engine: Engine, nameOrId: string): Network {
  const name = nameOrId === BRIDGE_MODE ? DEFAULT_NETWORK.name : nameOrId;
  const n = engine.store.networks.find(name);
  if (n) return n;
  if (name === DEFAULT_NETWORK.name) {
    throw new BerthError("NETWORK_NOT_FOUND", `The default network "${name}" does not exist yet`, {
      hint: "It is made by the first container that uses it (`berth run ...` without --network)",
    });
  }
  throw new BerthError("NETWORK_NOT_FOUND", `Network "${nameOrId}" does not exist`, {
    hint: `Create it with \`berth network create ${nameOrId}\`, or list networks with \`berth network ls\``,
  });
}

/** The network a container is about to join: as requireNetwork, but the default network is made on first use. */
export function networkForUse(engine: Engine, nameOrId: string): Network {
  if (nameOrId === BRIDGE_MODE || nameOrId === DEFAULT_NETWORK.name) return ensureDefaultNetwork(engine);
  return requireNetwork(engine, nameOrId);
}

export function resolveRequestedNetworks(engine: Engine, reqs: readonly NetworkRequest[]): Network[] {
  return reqs.map((r) => networkForUse(engine, r.network));
}

export function requireContainer(engine: Engine, nameOrId: string): Container {
  const c = engine.store.containers.find(nameOrId);
  if (!c) {
    throw new BerthError("CONTAINER_NOT_FOUND", `Container "${nameOrId}" does not exist`, {
      hint: "List containers with `berth ps -a`",
    });
  }
  return c;
}

/** The container called (or with the id) `nameOrId`, if there is one. Changes nothing. */
export function findContainer(engine: Engine, nameOrId: string): Container | undefined {
  return engine.store.containers.find(nameOrId);
}

/** The network called (or with the id) `nameOrId`, if there is one. Changes nothing. */
export function findNetwork(engine: Engine, nameOrId: string): Network | undefined {
  return engine.store.networks.find(nameOrId);
}

/** Every network, as `berth network ls` lists them. */
export function listNetworks(engine: Engine): Network[] {
  return engine.store.networks.list();
}

/** Whether the store has a container with exactly this id (of whichever owner). */
export function hasContainerId(engine: Engine, id: string): boolean {
  return engine.store.containers.byId(id) !== undefined;
}
