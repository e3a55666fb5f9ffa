import type { Engine } from "../context.js";
import type { Network } from "../../model/network.js";

/** A network of the scope with the number of containers attached to it (live leases). */
export interface NetworkUse {
  readonly network: Network;
  readonly containers: number;
}

/** The networks that have at least one container attached. */
export function networksInUse(engine: Engine, networks: readonly Network[]): NetworkUse[] {
  return networks.map((network) => ({ network, containers: engine.store.attachments.countForNetwork(network.id) })).filter((u) => u.containers > 0);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
