/**
 * The saved Graph (the API's `{nodes, edges}`) ⇄ React Flow's nodes and edges.
 *
 * React Flow nodes carry the graph node's component type, config and policy in `data`;
 * edges carry the port names as handle ids. Converting a graph to the canvas and back gives
 * the same graph, so the canonical JSON of both can be compared to tell unsaved changes.
 */
import type { Edge as FlowEdgeBase, Node as FlowNodeBase, XYPosition } from "@xyflow/react";

import type { Schemas } from "../api/client";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Config = Record<string, JsonValue>;
export type Policy = Schemas["StepPolicyOverride"];

/** A graph node with every field present (the API's `Node` has defaults). */
export interface GraphNode {
  id: string;
  type: string;
  position: { x: number; y: number };
  config: Config;
  policy: Policy | null;
}

export type GraphEdge = Schemas["Edge"];

export interface GraphDoc {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface NodeData extends Record<string, unknown> {
  componentType: string;
  config: Config;
  policy: Policy | null;
}

/** Every canvas node is drawn by `NodeCard` (registered as "component"). */
export const FLOW_NODE_TYPE = "component";

export type FlowNode = FlowNodeBase<NodeData, typeof FLOW_NODE_TYPE>;
export type FlowEdge = FlowEdgeBase;

export const NODE_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** A stable id for an edge: its four ends. */
export function edgeId(edge: GraphEdge): string {
  return `${edge.source}:${edge.source_handle}->${edge.target}:${edge.target_handle}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Any API graph (optional fields) as a GraphDoc with every field present. */
export function normalizeGraph(graph: Schemas["Graph"] | GraphDoc | null | undefined): GraphDoc {
  return {
    nodes: (graph?.nodes ?? []).map((node) => ({
      id: node.id,
      type: node.type,
      position: { x: node.position?.x ?? 0, y: node.position?.y ?? 0 },
      config: { ...((node.config ?? {}) as Config) },
      policy: compactPolicy(node.policy ?? null),
    })),
    edges: (graph?.edges ?? []).map((edge) => ({
      source: edge.source,
      source_handle: edge.source_handle,
      target: edge.target,
      target_handle: edge.target_handle,
    })),
  };
}

/**
 * Config fields a saved graph may no longer carry, by component type: a server URL chosen by
 * the graph (an LLM node names a provider connection instead) and a raw Chroma collection (a
 * knowledge base node names a knowledge base by id). The API refuses a graph holding them
 * (422 `invalid_graph`); drafts and files from before connections may still hold them.
 */
export const LEGACY_CONFIG_FIELDS: Readonly<Record<string, readonly string[]>> = {
  llm_engine: ["base_url"],
  knowledge_base: ["collection"],
};

/** The graph without legacy config fields (the same object when it has none). */
export function withoutLegacyFields(graph: GraphDoc): GraphDoc {
  let changed = false;
  const nodes = graph.nodes.map((node) => {
    const legacy = (LEGACY_CONFIG_FIELDS[node.type] ?? []).filter((field) => field in node.config);
    if (!legacy.length) return node;
    changed = true;
    const config = { ...node.config };
    for (const field of legacy) delete config[field];
    return { ...node, config };
  });
  return changed ? { ...graph, nodes } : graph;
}

/** A policy without its unset fields; null when nothing is overridden. */
export function compactPolicy(policy: Policy | null | undefined): Policy | null {
  if (!policy) return null;
  const kept = Object.fromEntries(
    Object.entries(policy).filter(([, value]) => value !== null && value !== undefined && value !== ""),
  ) as Policy;
  return Object.keys(kept).length ? kept : null;
}

/**
 * The canvas for a graph. `previous` nodes lend their measured size and selection to the
 * nodes with the same id, so React Flow does not have to measure them again (undo, restore).
 */
export function graphToFlow(
  graph: GraphDoc,
  previous: FlowNode[] = [],
): { nodes: FlowNode[]; edges: FlowEdge[] } {
  const before = new Map(previous.map((n) => [n.id, n]));
  const nodes = graph.nodes.map((node): FlowNode => {
    const old = before.get(node.id);
    const flowNode: FlowNode = {
      id: node.id,
      type: FLOW_NODE_TYPE,
      position: { x: node.position.x, y: node.position.y },
      data: { componentType: node.type, config: node.config, policy: node.policy },
    };
    if (old && old.data.componentType === node.type) {
      if (old.measured) flowNode.measured = old.measured;
      if (old.selected) flowNode.selected = true;
    }
    return flowNode;
  });
  const edges = graph.edges.map(toFlowEdge);
  return { nodes, edges };
}

export function toFlowEdge(edge: GraphEdge): FlowEdge {
  return {
    id: edgeId(edge),
    source: edge.source,
    sourceHandle: edge.source_handle,
    target: edge.target,
    targetHandle: edge.target_handle,
  };
}

/** The graph the canvas shows, as the API saves it. */
export function flowToGraph(nodes: FlowNode[], edges: FlowEdge[]): GraphDoc {
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      type: node.data.componentType,
      position: { x: node.position.x, y: node.position.y },
      config: node.data.config,
      policy: compactPolicy(node.data.policy),
    })),
    edges: edges.map((edge) => ({
      source: edge.source,
      source_handle: edge.sourceHandle ?? "",
      target: edge.target,
      target_handle: edge.targetHandle ?? "",
    })),
  };
}

/** JSON with object keys sorted, so equal graphs give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => value[key] !== undefined)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/** The next free id for a component type: `llm_engine_1`, `llm_engine_2`, … (as the API does). */
export function nextNodeId(componentType: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const stem = componentType.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 50) || "node";
  let n = 1;
  while (used.has(`${stem}_${n}`)) n += 1;
  return `${stem}_${n}`;
}

/**
 * A graph read from an imported file: `{nodes, edges}` or a workflow with its `graph`.
 * Returns a readable reason when it is not one.
 */
export function parseGraphJson(text: string): { graph: GraphDoc } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `The file is not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (isRecord(raw) && isRecord(raw.graph)) raw = raw.graph;
  if (!isRecord(raw) || !Array.isArray(raw.nodes)) {
    return { error: "The file is not a workflow graph: it needs a \"nodes\" list" };
  }
  if (raw.edges !== undefined && !Array.isArray(raw.edges)) {
    return { error: "\"edges\" must be a list" };
  }
  const ids = new Set<string>();
  for (const [i, node] of raw.nodes.entries()) {
    if (!isRecord(node) || typeof node.id !== "string" || typeof node.type !== "string") {
      return { error: `nodes[${i}] needs a string "id" and "type"` };
    }
    if (!NODE_ID_PATTERN.test(node.id)) return { error: `nodes[${i}]: "${node.id}" is not a valid node id` };
    if (ids.has(node.id)) return { error: `nodes[${i}]: the id "${node.id}" repeats` };
    ids.add(node.id);
    if (node.config !== undefined && !isRecord(node.config)) {
      return { error: `nodes[${i}].config must be an object` };
    }
    if (node.policy !== undefined && node.policy !== null && !isRecord(node.policy)) {
      return { error: `nodes[${i}].policy must be an object` };
    }
    const position = node.position;
    if (
      position !== undefined &&
      (!isRecord(position) || typeof position.x !== "number" || typeof position.y !== "number")
    ) {
      return { error: `nodes[${i}].position must be {x, y} numbers` };
    }
  }
  const edges = (raw.edges ?? []) as unknown[];
  const seen = new Set<string>();
  for (const [i, edge] of edges.entries()) {
    if (
      !isRecord(edge) ||
      !["source", "source_handle", "target", "target_handle"].every((k) => typeof edge[k] === "string")
    ) {
      return { error: `edges[${i}] needs string "source", "source_handle", "target" and "target_handle"` };
    }
    for (const end of [edge.source, edge.target] as string[]) {
      if (!ids.has(end)) return { error: `edges[${i}] names the unknown node "${end}"` };
    }
    const key = edgeId(edge as unknown as GraphEdge);
    if (seen.has(key)) return { error: `edges[${i}] repeats an edge` };
    seen.add(key);
  }
  return { graph: withoutLegacyFields(normalizeGraph(raw)) };
}

/** Where a node dropped at `point` goes (rounded, so saved positions stay readable). */
export function roundPosition(point: XYPosition): XYPosition {
  return { x: Math.round(point.x), y: Math.round(point.y) };
}
