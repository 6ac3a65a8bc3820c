/**
 * The React Flow canvas: nodes as cards, edges in their port type's colour, drops from the
 * palette, Delete/Backspace, zoom controls and (on wide screens) a minimap; a hint while empty.
 */
import { Box, Typography } from "@mui/material";
import { Background, Controls, MiniMap, ReactFlow, type NodeTypes } from "@xyflow/react";
import type { RefObject } from "react";

import type { FlowNode } from "./graphModel";
import { componentColor, NodeCard } from "./NodeCard";
import type { CanvasEditing } from "./useCanvasEditing";

const NODE_TYPES: NodeTypes = { component: NodeCard };

export interface CanvasProps {
  canvasRef: RefObject<HTMLDivElement | null>;
  editing: CanvasEditing;
  /** Fit the view to the graph on first show (an empty canvas keeps its viewport). */
  fitView: boolean;
  narrow: boolean;
  onNodeClick: () => void;
  onNodeDoubleClick: () => void;
}

export function Canvas({ canvasRef, editing, fitView, narrow, onNodeClick, onNodeDoubleClick }: CanvasProps) {
  return (
    <Box
      ref={canvasRef}
      sx={{ flex: 1, minWidth: 0, minHeight: 0, position: "relative" }}
      onDragOver={editing.onDragOver}
      onDrop={editing.onDrop}
      data-testid="canvas"
    >
      <ReactFlow<FlowNode>
        nodes={editing.nodes}
        edges={editing.edges}
        nodeTypes={NODE_TYPES}
        onNodesChange={editing.onNodesChange}
        onEdgesChange={editing.onEdgesChange}
        onConnect={editing.onConnect}
        onConnectEnd={editing.onConnectEnd}
        isValidConnection={editing.isValidConnection}
        onNodeClick={onNodeClick}
        onNodeDoubleClick={onNodeDoubleClick}
        deleteKeyCode={["Delete", "Backspace"]}
        // Fit a loaded graph; an empty canvas keeps its viewport so drops land where they fall.
        fitView={fitView}
        fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
        minZoom={0.2}
        style={{ position: "absolute", inset: 0 }}
      >
        <Background gap={16} />
        <Controls />
        {!narrow ? (
          <MiniMap
            pannable
            zoomable
            style={{ width: 150, height: 100 }}
            nodeColor={(n) => componentColor((n as FlowNode).data.componentType)}
            ariaLabel="Mini map"
          />
        ) : null}
      </ReactFlow>
      {editing.nodes.length === 0 ? (
        <Box
          sx={{
            position: "absolute",
            inset: 0,
            display: "grid",
            placeItems: "center",
            pointerEvents: "none",
            p: 3,
          }}
        >
          <Typography color="text.secondary" sx={{ textAlign: "center", maxWidth: 380 }}>
            This workflow is empty. Drag components here from the palette (or press + on one), then
            connect an output to an input — for example User Query → Knowledge Base → LLM Engine → Output.
          </Typography>
        </Box>
      ) : null}
    </Box>
  );
}
