import type { Command } from "commander";
import { requireContainer, type Engine } from "../../engine/index.js";
import {
  collectTopology,
  nodeId,
  renderDot,
  renderJson,
  renderText,
  restrictToBridge,
  restrictToContainer,
  type TopologyGraph,
} from "../../engine/topology/index.js";
import { BerthError } from "../../errors.js";
import { BRIDGE_MODE, DEFAULT_NETWORK } from "../../model/network.js";
import { withEngine } from "../with-engine.js";
import { dotToSvg, svgPage } from "../graphviz.js";
import { hostname } from "node:os";

const RENDERERS: Record<string, (g: TopologyGraph) => string | Promise<string>> = {
  text: renderText,
  json: renderJson,
  dot: renderDot,
  // laid out by Graphviz compiled to WebAssembly: no system Graphviz needed
  svg: (g) => dotToSvg(renderDot(g)),
  html: async (g) => svgPage(await dotToSvg(renderDot(g)), `Berth topology of ${hostname()}`),
};

/** `berth topology`: the host's container networking as the kernel has it, checked against the store. */
export function registerTopology(program: Command): void {
  program
    .command("topology")
    .description("Draw bridges, veth pairs, container namespaces and published ports from the live kernel, marking what disagrees with Berth's state")
    .argument("[container]", "only this container and the bridges and ports it touches")
    .option("--network <network>", "only this network")
    .option("--format <format>", "text, json, dot (Graphviz), svg or html (a picture, laid out by Graphviz in WebAssembly)", "text")
    .action(async (name: string | undefined, f: { network?: string; format: string }) => {
      const render = RENDERERS[f.format];
      if (!render) {
        throw new BerthError("INVALID_ARGUMENT", `Unknown topology format "${f.format}"`, { hint: "Use --format text, json, dot, svg or html" });
      }
      // read-only: no repair of interrupted operations, so what is drawn is what is there
      const graph = await withEngine(
        (e) => {
          const container = name === undefined ? undefined : requireContainer(e, name);
          if (container?.status === "exited") {
            throw new BerthError("CONTAINER_NOT_RUNNING", `Container "${container.name}" is not running: it has no network to draw`, {
              hint: `Start a new one, or draw everything with \`berth topology\``,
            });
          }
          const bridge = f.network === undefined ? undefined : networkBridge(e, f.network);
          let g = collectTopology(e);
          if (container) g = restrictToContainer(g, nodeId.container(container.name));
          if (bridge) g = restrictToBridge(g, nodeId.bridge(bridge));
          return g;
        },
        { repair: false },
      );
      process.stdout.write(await render(graph));
    });
}

/** The bridge of network `nameOrId` ("bridge" is the default network), without creating anything. */
function networkBridge(e: Engine, nameOrId: string): string {
  const n = e.store.networks.find(nameOrId === BRIDGE_MODE ? DEFAULT_NETWORK.name : nameOrId);
  if (!n) throw new BerthError("NETWORK_NOT_FOUND", `Network "${nameOrId}" does not exist`, { hint: "List networks with `berth network ls`" });
  return n.bridge;
}
