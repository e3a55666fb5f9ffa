import type { Command } from "commander";
import {
  findNetwork,
  requireContainer,
  type Engine,
  collectTopology,
  nodeId,
  renderDot,
  renderJson,
  picturePage,
  renderHtmlPicture,
  renderSvgPicture,
  renderText,
  restrictToBridge,
  restrictToContainer,
  TEXT_WIDTH,
  TopologyFeed,
  type TopologyGraph,
} from "../../engine/index.js";
import { BerthError, isBerthError } from "../../errors.js";
import { BRIDGE_MODE, DEFAULT_NETWORK } from "../../model/network.js";
import { withEngine } from "../with-engine.js";
import { hostname } from "node:os";
import { DEFAULT_SERVE_ADDRESS, formatListenAddress, parseListenAddress } from "../listen-address.js";
import { watchFrames } from "../topology-watch.js";
import { serveTopology } from "../topology-serve.js";

const RENDERERS: Record<string, (g: TopologyGraph) => string | Promise<string>> = {
  text: renderText,
  json: renderJson,
  dot: renderDot,
  // laid out by Berth itself (picture/layout.ts): buses, cards, veth links, port arrows
  svg: (g) => renderSvgPicture(g),
  html: (g) => renderHtmlPicture(g, `Berth topology of ${hostname()}`),
};

interface TopologyFlags {
  network?: string;
  format: string;
  watch?: boolean;
  serve?: string | true;
  allowRemote?: boolean;
  interval: string;
}

/** `berth topology`: the host's container networking as the kernel has it, checked against the store. */
export function registerTopology(program: Command): void {
  program
    .command("topology")
    .description("Draw bridges, veth pairs, container namespaces and published ports from the live kernel, marking what disagrees with Berth's state")
    .argument("[container]", "only this container and the bridges and ports it touches")
    .option("--network <network>", "only this network")
    .option("--format <format>", "text, json, dot (Graphviz), svg or html (a picture: buses, container cards, veth links, published ports)", "text")
    .option("--watch", "redraw the text view in the terminal whenever containers or networks change (Ctrl-C quits)")
    .option(
      "--serve [address]",
      `serve a page whose picture updates itself, on ${DEFAULT_SERVE_ADDRESS} or [ADDRESS:]PORT (loopback only unless --allow-remote)`,
    )
    .option("--allow-remote", "let --serve listen on an address other hosts can reach (anyone who reaches it sees your containers)")
    .option("--interval <seconds>", "with --watch or --serve: how often to look for changes", "1")
    .action(async (name: string | undefined, f: TopologyFlags) => {
      const select = (e: Engine) => selectGraph(e, name, f.network);
      if (f.watch || f.serve !== undefined) return live(select, f);
      const render = RENDERERS[f.format];
      if (!render) {
        throw new BerthError("INVALID_ARGUMENT", `Unknown topology format "${f.format}"`, { hint: "Use --format text, json, dot, svg or html" });
      }
      // read-only: no repair of interrupted operations, so what is drawn is what is there
      const graph = await withEngine(select, { repair: false });
      process.stdout.write(await render(graph));
    });
}

/** The whole topology, or the part one container or one network touches. */
function selectGraph(e: Engine, name: string | undefined, network: string | undefined): TopologyGraph {
  const container = name === undefined ? undefined : requireContainer(e, name);
  if (container?.status === "exited") {
    throw new BerthError("CONTAINER_NOT_RUNNING", `Container "${container.name}" is not running: it has no network to draw`, {
      hint: `Start a new one, or draw everything with \`berth topology\``,
    });
  }
  const bridge = network === undefined ? undefined : networkBridge(e, network);
  // what other tools made is drawn only in the whole picture
  let g = collectTopology(e, !container && !bridge);
  if (container) g = restrictToContainer(g, nodeId.container(container.name));
  if (bridge) g = restrictToBridge(g, nodeId.bridge(bridge));
  return g;
}

/** --watch and --serve: the first read fails as a plain `topology` would; later failures are shown, not fatal. */
async function live(select: (e: Engine) => TopologyGraph, f: TopologyFlags): Promise<void> {
  if (f.watch && f.serve !== undefined) throw new BerthError("INVALID_ARGUMENT", "--watch and --serve do not go together", { hint: "Use one of them" });
  if (f.watch && f.format !== "text") {
    throw new BerthError("INVALID_ARGUMENT", `--watch draws the text view, not --format ${f.format}`, {
      hint: "Leave out --format, or use --serve for the picture",
    });
  }
  const seconds = Number(f.interval);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) {
    throw new BerthError("INVALID_ARGUMENT", `Invalid --interval "${f.interval}"`, { hint: "Give seconds between 0.1 and 3600, e.g. --interval 2" });
  }
  const address = f.serve === undefined ? undefined : parseListenAddress(f.serve === true ? DEFAULT_SERVE_ADDRESS : f.serve);
  if (address && !address.loopback) {
    const where = formatListenAddress(address.host, address.port);
    if (!f.allowRemote) {
      throw new BerthError("INVALID_ARGUMENT", `Refusing to serve the topology on ${where}: not a loopback address`, {
        hint: "Anyone who can reach that address would see your containers, addresses and ports. Use 127.0.0.1:PORT, or add --allow-remote if you mean it",
      });
    }
    process.stderr.write(
      `Warning: serving the topology on ${where}: anyone who can reach it sees your containers, their addresses and published ports (read-only)\n`,
    );
  }
  await withEngine(
    async (e) => {
      const feed = new TopologyFeed(e, select);
      const first = feed.poll() ?? select(e);
      let shown: TopologyGraph | undefined = first;
      const next = (): TopologyGraph | undefined => {
        const g = shown ?? pollShown(feed);
        shown = undefined;
        return g;
      };
      if (!address) {
        const width = process.stdout.isTTY && process.stdout.columns >= 60 ? Math.min(process.stdout.columns, 160) : TEXT_WIDTH;
        let last = "";
        await watchFrames(() => {
          const g = next();
          const text = g && renderText(g, width);
          if (text === undefined || text === last) return undefined;
          last = text;
          return text;
        }, seconds * 1000);
        return;
      }
      const title = `Berth topology of ${hostname()}`;
      await serveTopology({
        address,
        page: (svg) => picturePage(svg, title, true),
        next: () => {
          const g = next();
          return g && { svg: renderSvgPicture(g), json: renderJson(g) };
        },
        intervalMs: seconds * 1000,
        listening: (url) => process.stdout.write(`Serving the topology at ${url} (read-only; Ctrl-C stops)\n`),
      });
    },
    { repair: false },
  );
}

/** A poll whose failure (the container was removed, say) is said on stderr and keeps the last picture. */
function pollShown(feed: TopologyFeed): TopologyGraph | undefined {
  try {
    return feed.poll();
  } catch (e) {
    if (!isBerthError(e)) throw e;
    process.stderr.write(`Warning: ${e.message}\n`);
    return undefined;
  }
}

/** The bridge of network `nameOrId` ("bridge" is the default network), without creating anything. */
function networkBridge(e: Engine, nameOrId: string): string {
  const n = findNetwork(e, nameOrId === BRIDGE_MODE ? DEFAULT_NETWORK.name : nameOrId);
  if (!n) throw new BerthError("NETWORK_NOT_FOUND", `Network "${nameOrId}" does not exist`, { hint: "List networks with `berth network ls`" });
  return n.bridge;
}
