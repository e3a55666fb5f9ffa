import type { Engine } from "./context.js";
import type { Network } from "../model/network.js";
import type { Container, NetworkRequest } from "../model/container.js";
import { DEFAULT_NETWORK, BRIDGE_MODE } from "../model/network.js";
import { BerthError } from "../errors.js";
import { ensureDefaultNetwork } from "./network-create.js";

/** Find a network by name or id, or fail with what to do. */
export function requireNetwork(engine: Engine, nameOrId: string): Network {
  if (nameOrId === BRIDGE_MODE || nameOrId === DEFAULT_NETWORK.name) return ensureDefaultNetwork(engine);
  const n = engine.store.networks.find(nameOrId);
  if (!n) {
    throw new BerthError("NETWORK_NOT_FOUND", `Network "${nameOrId}" does not exist`, {
      hint: `Create it with \`berth network create ${nameOrId}\`, or list networks with \`berth network ls\``,
    });
  }
  return n;
}

export function resolveRequestedNetworks(engine: Engine, reqs: readonly NetworkRequest[]): Network[] {
  return reqs.map((r) => requireNetwork(engine, r.network));
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
