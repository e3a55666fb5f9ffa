import type { Command } from "commander";
import { requireContainer } from "../../engine/index.js";
import { collectTopology, nodeId, renderDot, renderJson, renderText, restrictToBridge, restrictToContainer, type TopologyGraph } from "../../engine/topology/index.js";
import { BerthError } from "../../errors.js";
import { BRIDGE_MODE, DEFAULT_NETWORK } from "../../model/network.js";
import { withEngine } from "../with-engine.js";

const RENDERERS: Record<string, (g: TopologyGraph) => string> = { text: renderText, json: renderJson, dot: renderDot };

/** `berth topology`: the host's container networking as the kernel has it, checked against the store. */
export function registerTopology(program: Command): void {
  program
    .command("topology")
    .description("Draw bridges, veth pairs, container namespaces and published ports from the live kernel, marking what disagrees with Berth's state")
    .argument("[container]", "only this container and the bridges and ports it touches")
    .option("--network <network>", "only this network")
    .option("--format <format>", "text, json or dot (Graphviz)", "text")
    .action(async (name: string | undefined, f: { network?: string; format: string }) => {
      const render = RENDERERS[f.format];
      if (!render) {
        throw new BerthError("INVALID_ARGUMENT", `Unknown topology format "${f.format}"`, { hint: "Use --format text, json or dot" });
      }
      // read-only: no repair of interrupted operations, so what is drawn is what is there
      const graph = await withEngine((e) => {
        let g = collectTopology(e);
        if (name !== undefined) g = restrictToContainer(g, nodeId.container(requireContainer(e, name).name));
        if (f.network !== undefined) {
          const wanted = f.network === BRIDGE_MODE ? DEFAULT_NETWORK.name : f.network;
          const n = e.store.networks.find(wanted);
          if (!n) throw new BerthError("NETWORK_NOT_FOUND", `Network "${f.network}" does not exist`, { hint: "List networks with `berth network ls`" });
          g = restrictToBridge(g, nodeId.bridge(n.bridge));
        }
        return g;
      }, { repair: false });
      process.stdout.write(render(graph));
    });
}
