import type { Engine } from "../context.js";
import { buildTopology } from "./build.js";
import type { TopologyGraph } from "./graph.js";
import { readKernel, readStore } from "./snapshot.js";
import { otherNamedNamespaces } from "../views/namespaces.js";

/**
 * `berth topology`'s model: the live kernel (host links, each container
 * namespace, the nft port maps) read against Berth's store, and the named
 * namespaces other tools made (as `berth ns ls` finds them; `others: false`
 * leaves them unread, for a view of one container or network). Read-only.
 */
export function collectTopology(engine: Engine, others = true): TopologyGraph {
  const store = readStore(engine);
  const paths = store.containers.flatMap((c) => (c.mode !== "host" && c.netns ? [c.netns] : []));
  return buildTopology(readKernel(engine, paths, others ? otherNamedNamespaces(engine) : []), store);
}
