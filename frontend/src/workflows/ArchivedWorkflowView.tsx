/**
 * An archived workflow, opened from the dashboard: a modest banner, its graph drawn
 * read-only (nothing can be moved, connected or deleted), its versions, and links to its
 * runs. "Restore" makes it active again; the builder then opens it for editing.
 */
import "@xyflow/react/dist/style.css";

import { Alert, Box, Button, Chip, Stack, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Background, Controls, ReactFlow, type Edge, type Node } from "@xyflow/react";
import { useMemo } from "react";
import { Link as RouterLink } from "react-router-dom";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { useWorkflowVersions } from "./useWorkflows";

export interface ArchivedWorkflowViewProps {
  workflow: Schemas["WorkflowDetail"];
  components: Schemas["ComponentOut"][];
}

export function ArchivedWorkflowView({ workflow, components }: ArchivedWorkflowViewProps) {
  const queryClient = useQueryClient();
  const versions = useWorkflowVersions(workflow.id);
  const restore = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workflows/{workflow_id}/unarchive", {
          params: { path: { workflow_id: workflow.id } },
        }),
      ),
    onSuccess: (restored) => {
      // The builder page reads this query: with the workflow active again it opens the editor.
      queryClient.setQueryData(queryKeys.workflows.detail(workflow.id), restored);
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });
    },
  });

  const labels = useMemo(() => new Map(components.map((c) => [c.type, c.label])), [components]);
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
  const archivedAt = workflow.archived_at ? new Date(workflow.archived_at).toLocaleString() : "";

  return (
    <Box sx={{ display: "flex", flexDirection: "column", flex: 1, minHeight: 0, p: 2, gap: 1 }}>
      <Alert
        severity="info"
        data-testid="archived-banner"
        action={
          <Button color="inherit" size="small" onClick={() => restore.mutate()} disabled={restore.isPending}>
            Restore
          </Button>
        }
      >
        “{workflow.name}” was archived {archivedAt}. It is read-only: it cannot be edited or run,
        and its runs, versions and chats stay readable.
      </Alert>
      <ErrorAlert error={restore.error} title="Could not restore" />
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
        <Button component={RouterLink} to="/?view=archived">
          Back to archived workflows
        </Button>
      </Stack>
      <Box sx={{ flex: 1, minHeight: 300, position: "relative" }} data-testid="archived-graph">
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          fitView
          fitViewOptions={{ padding: 0.1, maxZoom: 1 }}
          minZoom={0.2}
          style={{ position: "absolute", inset: 0 }}
        >
          <Background gap={16} />
          <Controls showInteractive={false} />
        </ReactFlow>
      </Box>
    </Box>
  );
}
