/** Workflows as cards: create, rename, duplicate, delete (confirmed), search. */
import { Box, Button, CircularProgress, Stack, TextField, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { useWorkflowList } from "./useWorkflows";
import { WorkflowCard, type Workflow } from "./WorkflowCard";
import { WorkflowDialog } from "./WorkflowDialog";

type Dialogs =
  | { kind: "create" }
  | { kind: "rename"; workflow: Workflow }
  | { kind: "delete"; workflow: Workflow }
  | null;

export function DashboardPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const [dialog, setDialog] = useState<Dialogs>(null);
  const workflows = useWorkflowList();
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });

  const duplicate = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/workflows/{workflow_id}/duplicate", { params: { path: { workflow_id: id } } })),
    onSuccess: refresh,
  });

  const shown = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (workflows.data ?? []).filter(
      (w) =>
        !needle ||
        w.name.toLowerCase().includes(needle) ||
        w.description.toLowerCase().includes(needle),
    );
  }, [workflows.data, search]);

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1200, width: "100%", mx: "auto" }}>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mb: 2, alignItems: "center" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Workflows
        </Typography>
        <TextField
          size="small"
          label="Search"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <Button variant="contained" onClick={() => setDialog({ kind: "create" })}>
          New workflow
        </Button>
      </Stack>
      <ErrorAlert error={workflows.error} title="Could not load workflows" />
      <ErrorAlert error={duplicate.error} title="Could not duplicate" />
      {workflows.isPending ? (
        <CircularProgress aria-label="Loading workflows" />
      ) : shown.length === 0 ? (
        <Typography color="text.secondary" sx={{ mt: 4, textAlign: "center" }}>
          {search ? "No workflow matches your search." : "No workflows yet — create your first one."}
        </Typography>
      ) : (
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))",
          }}
        >
          {shown.map((w) => (
            <WorkflowCard
              key={w.id}
              workflow={w}
              onOpen={() => void navigate(`/workflows/${w.id}`)}
              onRename={() => setDialog({ kind: "rename", workflow: w })}
              onDuplicate={() => duplicate.mutate(w.id)}
              onDelete={() => setDialog({ kind: "delete", workflow: w })}
            />
          ))}
        </Box>
      )}
      {dialog?.kind === "create" || dialog?.kind === "rename" ? (
        <WorkflowDialog
          workflow={dialog.kind === "rename" ? dialog.workflow : null}
          onClose={() => setDialog(null)}
          onSaved={(id) => {
            void refresh();
            setDialog(null);
            if (dialog.kind === "create") void navigate(`/workflows/${id}`);
          }}
        />
      ) : null}
      {dialog?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete “${dialog.workflow.name}”?`}
          onClose={() => setDialog(null)}
          onConfirm={async () => {
            await unwrap(
              api.DELETE("/api/v1/workflows/{workflow_id}", {
                params: { path: { workflow_id: dialog.workflow.id } },
              }),
            );
            await refresh();
          }}
        >
          Its graph, versions, chat sessions and run history are deleted too.
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}
