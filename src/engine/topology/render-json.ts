import { BerthError } from "../../errors.js";
import { EDGE_KINDS, NODE_KINDS, type AttributeValue, type EdgeKind, type NodeKind, type TopoEdge, type TopoNode, type TopologyGraph } from "./graph.js";

/** The graph as JSON: `{ "nodes": [...], "edges": [...] }`, in the graph's (sorted) order. */
export function renderJson(graph: TopologyGraph): string {
  return `${JSON.stringify({ nodes: graph.nodes, edges: graph.edges }, null, 2)}\n`;
}

/** Read renderJson() output back, checking its shape (for tools and tests). */
export function parseJson(text: string): TopologyGraph {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(v) || !Array.isArray(v["nodes"]) || !Array.isArray(v["edges"])) throw bad("expected an object with nodes and edges arrays");
  return { nodes: (v["nodes"] as unknown[]).map(toNode), edges: (v["edges"] as unknown[]).map(toEdge) };
}

function toNode(v: unknown, i: number): TopoNode {
  if (!isRecord(v)) throw bad(`node ${i} is not an object`);
  const { id, kind, label, attributes, problem } = v;
  if (typeof id !== "string" || typeof label !== "string") throw bad(`node ${i} needs a string id and label`);
  if (typeof kind !== "string" || !(NODE_KINDS as readonly string[]).includes(kind)) throw bad(`node ${id} has unknown kind ${String(kind)}`);
  if (!isRecord(attributes)) throw bad(`node ${id} has no attributes object`);
  const attrs: Record<string, AttributeValue> = {};
  for (const [k, a] of Object.entries(attributes)) {
    if (typeof a === "string" || typeof a === "number" || typeof a === "boolean") attrs[k] = a;
    else if (Array.isArray(a) && a.every((x) => typeof x === "string")) attrs[k] = a as string[];
    else throw bad(`node ${id}: attribute ${k} is not a string, number, boolean or list of strings`);
  }
  if (problem !== undefined && typeof problem !== "string") throw bad(`node ${id}: problem is not a string`);
  return { id, kind: kind as NodeKind, label, attributes: attrs, ...(problem === undefined ? {} : { problem }) };
}

function toEdge(v: unknown, i: number): TopoEdge {
  if (!isRecord(v)) throw bad(`edge ${i} is not an object`);
  const { from, to, kind } = v;
  if (typeof from !== "string" || typeof to !== "string") throw bad(`edge ${i} needs string from and to`);
  if (typeof kind !== "string" || !(EDGE_KINDS as readonly string[]).includes(kind)) throw bad(`edge ${i} has unknown kind ${String(kind)}`);
  return { from, to, kind: kind as EdgeKind };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(why: string): BerthError {
  return new BerthError("INVALID_ARGUMENT", `Invalid topology JSON: ${why}`, { hint: "Pass the output of `berth topology --format json`" });
}
