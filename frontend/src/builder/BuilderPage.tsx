/**
 * The Builder screen: loads the workflow, the component catalogue and the user's role in
 * the workflow's workspace, then the canvas. Members whose role cannot edit see the
 * workflow read-only (runners with the chat beside it); an archived one is read-only too.
 */
import { Alert, Box, Button, CircularProgress, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { ReactFlowProvider } from "@xyflow/react";
import { Link as RouterLink, useParams } from "react-router-dom";

import { api, messageOf, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ChatPanel } from "../chat/ChatPanel";
import { ErrorAlert } from "../components/ErrorAlert";
import { ArchivedWorkflowView } from "../workflows/ArchivedWorkflowView";
import { ReadOnlyWorkflowView } from "../workflows/ReadOnlyWorkflowView";
import { useWorkspaceRole, type WorkspaceRole } from "../workspaces/useWorkspaces";
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
  const access = useWorkspaceRole(workflow.data?.workspace_id);

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
  if (workflow.isPending || components.isPending || access.loading) {
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
        <ArchivedWorkflowView workflow={workflow.data} components={components.data} canRestore={access.can("edit")} />
      </ReactFlowProvider>
    );
  }
  if (!access.can("edit")) {
    // The API refuses every change regardless (403); runners still run it through the chat.
    return (
      <ReactFlowProvider key={`read-only-${workflowId}`}>
        <ReadOnlyWorkflowView
          workflow={workflow.data}
          components={components.data}
          back={{ to: "/", label: "Back to workflows" }}
          banner={<RoleBanner access={access} />}
          aside={access.can("run") ? <ChatPanel workflowId={workflowId} /> : undefined}
        />
      </ReactFlowProvider>
    );
  }
  return (
    <ReactFlowProvider key={workflowId}>
      <Builder key={workflowId} workflow={workflow.data} components={components.data} />
    </ReactFlowProvider>
  );
}

/** Why the workflow is read-only: the user's role in its workspace. */
function RoleBanner({ access }: { access: WorkspaceRole }) {
  const { role, workspace, error } = access;
  if (!role) {
    return (
      <Alert severity="warning" data-testid="read-only-banner">
        Your role in this workflow's workspace is not known
        {error ? ` (your workspaces could not be loaded: ${messageOf(error)})` : ""}
        , so it is shown read-only.
      </Alert>
    );
  }
  return (
    <Alert severity="info" data-testid="read-only-banner">
      You are a {role} in “{workspace?.name}”: this workflow is read-only
      {access.can("run") ? "; run it by chatting with it beside the graph, and re-run its runs." : "; you can read it, its versions and its runs."}
    </Alert>
  );
}
