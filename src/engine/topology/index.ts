export { collectTopology } from "./collect.js";
export { buildTopology } from "./build.js";
export { restrictToBridge, restrictToContainer } from "./filter.js";
export { renderText, TEXT_WIDTH } from "./render-text.js";
export { renderJson, parseJson } from "./render-json.js";
export { renderDot } from "./render-dot.js";
export { nodeId, type TopologyGraph, type TopoNode, type TopoEdge, type NodeKind, type EdgeKind } from "./graph.js";
export { renderSvgPicture, renderHtmlPicture, picturePage, LIVE_EVENTS_PATH } from "./picture/index.js";
export { TopologyFeed, FULL_READ_EVERY_MS } from "./feed.js";
