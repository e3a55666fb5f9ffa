import type { TopologyGraph } from "../graph.js";
import { buildScene, type Detail } from "./scene.js";
import { layoutScene } from "./layout.js";
import { renderSvg } from "./svg.js";
import { picturePage } from "./page.js";

export { LIVE_EVENTS_PATH, picturePage } from "./page.js";
export { buildScene, COMPACT_ABOVE, type Detail, type Scene } from "./scene.js";
export { layoutScene, type Layout } from "./layout.js";

/** The topology as SVG: buses, cards, veth links and port arrows (see layout.ts). */
export function renderSvgPicture(graph: TopologyGraph, detail?: Detail): string {
  return renderSvg(layoutScene(buildScene(graph, detail)));
}

/** The SVG in a self-contained HTML page; `live` adds the script `--serve` pages use. */
export function renderHtmlPicture(graph: TopologyGraph, title: string, live = false): string {
  return picturePage(renderSvgPicture(graph), title, live);
}
