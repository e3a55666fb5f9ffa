import type { Engine } from "../context.js";
import { buildTopology } from "./build.js";
import type { TopologyGraph } from "./graph.js";
import { readKernel, readStore } from "./snapshot.js";

/**
 * `berth topology`'s model: the live kernel (host links, each container
 * namespace, the nft port maps) read against Berth's store. Read-only.
 */
export function collectTopology(engine: Engine): TopologyGraph {
  const store = readStore(engine);
  const paths = store.containers.flatMap((c) => (c.mode !== "host" && c.netns ? [c.netns] : []));
  return buildTopology(readKernel(engine, paths), store);
}
