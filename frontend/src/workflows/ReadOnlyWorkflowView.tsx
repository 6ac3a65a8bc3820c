/**
 * A workflow shown read-only: a banner saying why, its graph (nothing can be moved,
 * connected or deleted; clicking a node shows its settings), its versions and a link to its
 * runs; optionally something beside the graph (a runner's chat). The archived view and the
 * builder for members whose role cannot edit (viewers, runners) both use it.
 */
import "@xyflow/react/dist/style.css";

import { Box, Button, Chip, Paper, Stack, Typography } from "@mui/material";
import { Background, Controls, ReactFlow, type Edge, type Node } from "@xyflow/react";
import { useMemo, useState, type ReactNode } from "react";
import { Link as RouterLink } from "react-router-dom";

import type { Schemas } from "../api/client";
import { JsonView } from "../runs/JsonView";
import { useWorkflowVersions } from "./useWorkflows";

export interface ReadOnlyWorkflowViewProps {
  workflow: Schemas["WorkflowDetail"];
  components: Schemas["ComponentOut"][];
  /** Why it is read-only, above everything. */
  banner: ReactNode;
  /** Under the banner (an action's error). */
  children?: ReactNode;
  /** Beside the graph (a runner's chat). */
  aside?: ReactNode;
  back: { to: string; label: string };
}

export function ReadOnlyWorkflowView({ workflow, components, banner, children, aside, back }: ReadOnlyWorkflowViewProps) {
  const versions = useWorkflowVersions(workflow.id);
  const [selected, setSelected] = useState<string | null>(null);

  const labels = useMemo(() => new Map(components.map((c) => [c.type, c.label])), [components]);
  const graphNodes = workflow.graph.nodes ?? [];
  const nodes = useMemo<Node[]>(
    () =>
      (workflow.graph.nodes ?? []).map((n) => ({
        id: n.id,
        position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
        data: { label: `${labels.get(n.type) ?? n.type} · ${n.id}` },
      })),
    [workflow.graph.nodes, labels],
  );
  const edges = useMemo<Edge[]>(
    () =>
      (workflow.graph.edges ?? []).map((e) => ({
        id: `${e.source}:${e.source_handle}->${e.target}:${e.target_handle}`,
        source: e.source,
        target: e.target,
        label: `${e.source_handle} → ${e.target_handle}`,
      })),
    [workflow.graph.edges],
  );
  const node = graphNodes.find((n) => n.id === selected);

  return (
    <Box sx={{ display: "flex", flexDirection: "column", flex: 1, minHeight: 0, p: 2, gap: 1 }}>
      {banner}
      {children}
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h6" component="h1" sx={{ mr: 1 }}>
          {workflow.name}
        </Typography>
        {(versions.data ?? []).map((v) => (
          <Chip key={v.number} size="small" label={`v${v.number}`} title={v.note || undefined} />
        ))}
        <Box sx={{ flex: 1 }} />
        <Button component={RouterLink} to={`/runs?workflow=${encodeURIComponent(workflow.id)}`}>
          Runs
        </Button>
        <Button component={RouterLink} to={back.to}>
          {back.label}
        </Button>
      </Stack>
      <Box sx={{ flex: 1, minHeight: 300, display: "flex", gap: 2, flexDirection: { xs: "column", md: "row" } }}>
        <Box sx={{ flex: 1, minHeight: 300, display: "flex", flexDirection: "column", gap: 1, minWidth: 0 }}>
          <Box sx={{ flex: 1, minHeight: 300, position: "relative" }} data-testid="read-only-graph">
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodesDraggable={false}
              nodesConnectable={false}
              elementsSelectable={false}
              deleteKeyCode={null}
              onNodeClick={(_, clicked) => setSelected(clicked.id)}
              onPaneClick={() => setSelected(null)}
              fitView
              fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
              minZoom={0.2}
              style={{ position: "absolute", inset: 0 }}
            >
              <Background gap={16} />
              <Controls showInteractive={false} />
            </ReactFlow>
          </Box>
          {node ? (
            <Paper variant="outlined" sx={{ p: 1.5 }} data-testid="read-only-node">
              <Typography variant="subtitle2" component="h2" sx={{ mb: 0.5 }}>
                {labels.get(node.type) ?? node.type} · {node.id}
              </Typography>
              <JsonView value={node.config ?? {}} label="Settings" />
            </Paper>
          ) : graphNodes.length ? (
            <Typography variant="caption" color="text.secondary">
              Click a node to see its settings.
            </Typography>
          ) : null}
        </Box>
        {aside ? (
          <Paper
            variant="outlined"
            component="aside"
            aria-label="Side panel"
            sx={{ width: { xs: "100%", md: 380 }, flexShrink: 0, minHeight: 360, display: "flex", flexDirection: "column" }}
          >
            {aside}
          </Paper>
        ) : null}
      </Box>
    </Box>
  );
}
