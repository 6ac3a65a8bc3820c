/**
 * Editing the canvas: its nodes and edges (a reducer with undo history), connecting ports
 * (a refused connection says why), adding components from the palette (pressed or dropped),
 * deleting, configuring, selecting, auto-layout, and replacing the whole graph.
 */
import {
  useReactFlow,
  type Connection,
  type Edge,
  type EdgeChange,
  type FinalConnectionState,
  type NodeChange,
  type OnConnectEnd,
} from "@xyflow/react";
import { useCallback, useMemo, useReducer, type DragEvent, type RefObject } from "react";

import { builderReducer, initialState } from "./builderState";
import { flowToGraph, nextNodeId, roundPosition, type FlowEdge, type FlowNode, type GraphDoc } from "./graphModel";
import { canRedo, canUndo } from "./history";
import { layoutPositions } from "./layout";
import { NODE_WIDTH } from "./NodeCard";
import type { Notice } from "./Notice";
import { DRAG_TYPE } from "./Palette";
import { connectionProblem, findPort, portColor, sameSideProblem, type Catalogue } from "./ports";
import { defaultConfig } from "./schemaFields";

export interface CanvasEditingOptions {
  initialGraph: GraphDoc;
  catalogue: Catalogue;
  /** The canvas element: a component pressed in the palette lands in its middle. */
  canvasRef: RefObject<HTMLDivElement | null>;
  notify: (notice: Notice) => void;
  /** A node was added (and selected). */
  onNodeAdded: () => void;
}

export function useCanvasEditing({ initialGraph, catalogue, canvasRef, notify, onNodeAdded }: CanvasEditingOptions) {
  const { screenToFlowPosition, fitView } = useReactFlow();
  const [state, dispatch] = useReducer(builderReducer, initialGraph, initialState);
  const graph = useMemo(() => flowToGraph(state.nodes, state.edges), [state.nodes, state.edges]);

  // ---- connecting ports ---------------------------------------------------------------

  const nodeRefs = useMemo(
    () => state.nodes.map((n) => ({ id: n.id, type: n.data.componentType })),
    [state.nodes],
  );
  const refuse = useCallback((message: string) => notify({ severity: "warning", message }), [notify]);

  const isValidConnection = useCallback(
    (c: Connection | Edge) => connectionProblem(catalogue, nodeRefs, graph.edges, c) === null,
    [catalogue, nodeRefs, graph.edges],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      const problem = connectionProblem(catalogue, nodeRefs, graph.edges, c);
      if (problem) return refuse(problem);
      dispatch({
        kind: "connect",
        edge: { source: c.source, source_handle: c.sourceHandle ?? "", target: c.target, target_handle: c.targetHandle ?? "" },
      });
    },
    [catalogue, nodeRefs, graph.edges, refuse],
  );

  /** A connection dropped on a handle it may not reach: say why. */
  const onConnectEnd: OnConnectEnd = useCallback(
    (_event, end: FinalConnectionState) => {
      if (end.isValid !== false || !end.fromHandle || !end.toHandle) return;
      const from = end.fromHandle;
      const to = end.toHandle;
      if (from.nodeId === to.nodeId && from.id === to.id) return;
      if (from.type === to.type) return refuse(sameSideProblem(from.type));
      const [src, dst] = from.type === "source" ? [from, to] : [to, from];
      const problem = connectionProblem(catalogue, nodeRefs, graph.edges, {
        source: src.nodeId,
        sourceHandle: src.id ?? null,
        target: dst.nodeId,
        targetHandle: dst.id ?? null,
      });
      refuse(problem ?? "That connection is not allowed");
    },
    [catalogue, nodeRefs, graph.edges, refuse],
  );

  /** Edges drawn in the colour of the type their source port carries. */
  const styledEdges = useMemo(
    () =>
      state.edges.map((e) => {
        const sourceType = nodeRefs.find((n) => n.id === e.source)?.type;
        const port = findPort(catalogue, sourceType, "output", e.sourceHandle);
        const color = portColor(port?.type);
        return { ...e, style: { stroke: color, strokeWidth: e.selected ? 3 : 2 } };
      }),
    [state.edges, nodeRefs, catalogue],
  );

  // ---- adding components ----------------------------------------------------------------

  const addNode = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const component = catalogue.get(type);
      if (!component) return refuse(`Unknown component “${type}”`);
      let position = at;
      if (!position) {
        const rect = canvasRef.current?.getBoundingClientRect();
        const centre = rect
          ? screenToFlowPosition({ x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 })
          : { x: 0, y: 0 };
        let free = { x: centre.x - NODE_WIDTH / 2, y: centre.y - 60 };
        const taken = (p: { x: number; y: number }) =>
          state.nodes.some((n) => Math.abs(n.position.x - p.x) < 10 && Math.abs(n.position.y - p.y) < 10);
        // Do not stack new nodes exactly on top of each other.
        while (taken(free)) free = { x: free.x + 30, y: free.y + 30 };
        position = free;
      }
      dispatch({
        kind: "addNode",
        id: nextNodeId(type, state.nodes.map((n) => n.id)),
        componentType: type,
        position: roundPosition(position),
        config: defaultConfig(component.config_schema),
      });
      onNodeAdded();
    },
    [catalogue, refuse, canvasRef, screenToFlowPosition, state.nodes, onNodeAdded],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      addNode(type, { x: point.x - 40, y: point.y - 20 });
    },
    [addNode, screenToFlowPosition],
  );

  // ---- changing, undoing, arranging -------------------------------------------------------

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => dispatch({ kind: "nodesChange", changes }), []);
  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => dispatch({ kind: "edgesChange", changes }), []);
  const setConfig = useCallback(
    (id: string, field: string, value: unknown) => dispatch({ kind: "setConfig", id, field, value }),
    [],
  );
  const setPolicy = useCallback(
    (id: string, field: string, value: unknown) => dispatch({ kind: "setPolicy", id, field, value }),
    [],
  );
  const removeNode = useCallback((id: string) => dispatch({ kind: "removeNode", id }), []);
  const select = useCallback((id: string) => dispatch({ kind: "select", id }), []);
  const undo = useCallback(() => dispatch({ kind: "undo" }), []);
  const redo = useCallback(() => dispatch({ kind: "redo" }), []);
  /** Replaces the whole graph (import, restore) as one undoable step. */
  const replaceGraph = useCallback((next: GraphDoc) => dispatch({ kind: "replaceGraph", graph: next }), []);

  const autoLayout = useCallback(() => {
    if (!state.nodes.length) return;
    const positions = layoutPositions(
      state.nodes.map((n) => ({ id: n.id, width: n.measured?.width, height: n.measured?.height })),
      state.edges,
    );
    dispatch({ kind: "setPositions", positions });
    requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1, duration: 300 }));
  }, [state.nodes, state.edges, fitView]);

  const selected = state.nodes.filter((n) => n.selected);
  const selectedNode: FlowNode | null = selected.length === 1 ? selected[0] : null;

  return {
    nodes: state.nodes,
    edges: styledEdges,
    graph,
    selectedNode,
    selectedCount: selected.length,
    canUndo: canUndo(state.history),
    canRedo: canRedo(state.history),
    onNodesChange,
    onEdgesChange,
    onConnect,
    onConnectEnd,
    isValidConnection,
    onDragOver,
    onDrop,
    addNode,
    setConfig,
    setPolicy,
    removeNode,
    select,
    undo,
    redo,
    replaceGraph,
    autoLayout,
  };
}

export type CanvasEditing = ReturnType<typeof useCanvasEditing>;
