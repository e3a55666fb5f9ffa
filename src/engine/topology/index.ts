export { collectTopology } from "./collect.js";
export { buildTopology } from "./build.js";
export { restrictToBridge, restrictToContainer } from "./filter.js";
export { renderText } from "./render-text.js";
export { renderJson, parseJson } from "./render-json.js";
export { renderDot } from "./render-dot.js";
export { nodeId, type TopologyGraph, type TopoNode, type TopoEdge, type NodeKind, type EdgeKind } from "./graph.js";
