/**
 * The builder's canvas state as a reducer: React Flow's nodes and edges, plus the undo
 * history over graph snapshots. Which actions make an undo step is decided here:
 * adding, removing, connecting, a finished drag, config edits (merged per field), layout,
 * import and restore; selection and measuring do not.
 */
import {
  applyEdgeChanges,
  applyNodeChanges,
  type EdgeChange,
  type NodeChange,
  type XYPosition,
} from "@xyflow/react";

import {
  canonicalJson,
  flowToGraph,
  graphToFlow,
  toFlowEdge,
  FLOW_NODE_TYPE,
  type Config,
  type FlowEdge,
  type FlowNode,
  type GraphDoc,
  type GraphEdge,
} from "./graphModel";
import { createHistory, record, redo, undo, type History } from "./history";

export interface BuilderState {
  nodes: FlowNode[];
  edges: FlowEdge[];
  history: History<GraphDoc>;
}

export type BuilderAction =
  | { kind: "nodesChange"; changes: NodeChange<FlowNode>[] }
  | { kind: "edgesChange"; changes: EdgeChange<FlowEdge>[] }
  | { kind: "connect"; edge: GraphEdge }
  | { kind: "addNode"; id: string; componentType: string; position: XYPosition; config: Config }
  | { kind: "setConfig"; id: string; field: string; value: unknown }
  | { kind: "setPolicy"; id: string; field: string; value: unknown }
  | { kind: "removeNode"; id: string }
  | { kind: "setPositions"; positions: Map<string, XYPosition> }
  | { kind: "replaceGraph"; graph: GraphDoc }
  | { kind: "select"; id: string | null }
  | { kind: "undo" }
  | { kind: "redo" };

const sameGraph = (a: GraphDoc, b: GraphDoc) => canonicalJson(a) === canonicalJson(b);

export function initialState(graph: GraphDoc): BuilderState {
  const { nodes, edges } = graphToFlow(graph);
  return { nodes, edges, history: createHistory(graph) };
}

/** Records the canvas as an undo step (unless nothing changed). */
function commit(state: BuilderState, key: string | null = null): BuilderState {
  const graph = flowToGraph(state.nodes, state.edges);
  return { ...state, history: record(state.history, graph, { key, same: sameGraph }) };
}

function fromHistory(state: BuilderState, history: History<GraphDoc>): BuilderState {
  const { nodes, edges } = graphToFlow(history.present, state.nodes);
  return { nodes, edges, history };
}

function updateData(
  state: BuilderState,
  id: string,
  update: (node: FlowNode) => FlowNode["data"],
): BuilderState {
  return {
    ...state,
    nodes: state.nodes.map((n) => (n.id === id ? { ...n, data: update(n) } : n)),
  };
}

export function builderReducer(state: BuilderState, action: BuilderAction): BuilderState {
  switch (action.kind) {
    case "nodesChange": {
      const nodes = applyNodeChanges(action.changes, state.nodes);
      let next: BuilderState = { ...state, nodes };
      const removed = new Set(action.changes.flatMap((c) => (c.type === "remove" ? [c.id] : [])));
      if (removed.size) {
        next = {
          ...next,
          edges: next.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
        };
      }
      const dragEnded = action.changes.some((c) => c.type === "position" && c.dragging === false);
      return removed.size || dragEnded ? commit(next) : next;
    }
    case "edgesChange": {
      const edges = applyEdgeChanges(action.changes, state.edges);
      const next = { ...state, edges };
      return action.changes.some((c) => c.type === "remove") ? commit(next) : next;
    }
    case "connect": {
      const edge = toFlowEdge(action.edge);
      if (state.edges.some((e) => e.id === edge.id)) return state;
      return commit({ ...state, edges: [...state.edges, edge] });
    }
    case "addNode": {
      const node: FlowNode = {
        id: action.id,
        type: FLOW_NODE_TYPE,
        position: action.position,
        data: { componentType: action.componentType, config: action.config, policy: null },
        selected: true,
      };
      const nodes = [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node];
      return commit({ ...state, nodes });
    }
    case "setConfig": {
      const next = updateData(state, action.id, (n) => {
        const config = { ...n.data.config };
        if (action.value === undefined) delete config[action.field];
        else config[action.field] = action.value as Config[string];
        return { ...n.data, config };
      });
      return commit(next, `config:${action.id}:${action.field}`);
    }
    case "setPolicy": {
      const next = updateData(state, action.id, (n) => {
        const policy: Record<string, unknown> = { ...(n.data.policy ?? {}) };
        if (action.value === undefined || action.value === null) delete policy[action.field];
        else policy[action.field] = action.value;
        return { ...n.data, policy: Object.keys(policy).length ? policy : null };
      });
      return commit(next, `policy:${action.id}:${action.field}`);
    }
    case "removeNode":
      return commit({
        ...state,
        nodes: state.nodes.filter((n) => n.id !== action.id),
        edges: state.edges.filter((e) => e.source !== action.id && e.target !== action.id),
      });
    case "setPositions":
      return commit({
        ...state,
        nodes: state.nodes.map((n) => {
          const position = action.positions.get(n.id);
          return position ? { ...n, position } : n;
        }),
      });
    case "replaceGraph": {
      const { nodes, edges } = graphToFlow(action.graph, state.nodes);
      return commit({ ...state, nodes, edges });
    }
    case "select":
      return {
        ...state,
        nodes: state.nodes.map((n) =>
          Boolean(n.selected) === (n.id === action.id) ? n : { ...n, selected: n.id === action.id },
        ),
      };
    case "undo":
      return fromHistory(state, undo(state.history));
    case "redo":
      return fromHistory(state, redo(state.history));
  }
}
