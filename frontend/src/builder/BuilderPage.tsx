/** The Builder screen: loads the workflow and the component catalogue, then the canvas. */
import { Box, Button, CircularProgress, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import { Link as RouterLink, useParams } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { ArchivedWorkflowView } from "../workflows/ArchivedWorkflowView";
import { Builder } from "./Builder";

export function BuilderPage() {
  const { workflowId = "" } = useParams();
  const workflow = useQuery({
    queryKey: queryKeys.workflows.detail(workflowId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/workflows/{workflow_id}", { params: { path: { workflow_id: workflowId } } })),
    // The builder edits its own copy of the graph: fetch it fresh each time the page opens
    // (no cached copy from an earlier visit), and never refetch it behind the editor's back.
    gcTime: 0,
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const components = useQuery({
    queryKey: queryKeys.components.list(),
    queryFn: () => unwrap(api.GET("/api/v1/components")),
    staleTime: Infinity,
  });

  if (workflow.error || components.error) {
    return (
      <Box sx={{ p: 3, maxWidth: 720 }}>
        <ErrorAlert error={workflow.error} title="Could not load the workflow" />
        <ErrorAlert error={components.error} title="Could not load the components" />
        <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
          <Button
            variant="contained"
            onClick={() => {
              if (workflow.error) void workflow.refetch();
              if (components.error) void components.refetch();
            }}
          >
            Try again
          </Button>
          <Button component={RouterLink} to="/">
            Back to workflows
          </Button>
        </Stack>
      </Box>
    );
  }
  if (workflow.isPending || components.isPending) {
    return (
      <Box sx={{ display: "grid", placeItems: "center", flex: 1, p: 4 }}>
        <Stack spacing={2} sx={{ alignItems: "center" }}>
          <CircularProgress aria-label="Loading the builder" />
          <Typography color="text.secondary">Loading the workflow…</Typography>
        </Stack>
      </Box>
    );
  }
  if (workflow.data.is_active === false) {
    // Archived: shown read-only with a banner (the API refuses every change with 409).
    return (
      <ReactFlowProvider key={`archived-${workflowId}`}>
        <ArchivedWorkflowView workflow={workflow.data} components={components.data} />
      </ReactFlowProvider>
    );
  }
  return (
    <ReactFlowProvider key={workflowId}>
      <Builder key={workflowId} workflow={workflow.data} components={components.data} />
    </ReactFlowProvider>
  );
}
