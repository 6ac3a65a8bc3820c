/**
 * The current workspace's workflows as cards: create, rename, duplicate, archive
 * (confirmed), search; the "Archived" view lists archived workflows, which open read-only
 * and can be restored. Viewers and runners only open them (their role cannot change them).
 */
import { Box, Button, CircularProgress, Stack, Tab, Tabs, TextField, Typography } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { can } from "../workspaces/roles";
import { useCurrentWorkspace } from "../workspaces/useWorkspaces";
import { useArchivedWorkflowList, useWorkflowList } from "./useWorkflows";
import { WorkflowCard, type Workflow } from "./WorkflowCard";
import { WorkflowDialog } from "./WorkflowDialog";

type Dialogs =
  | { kind: "create" }
  | { kind: "rename"; workflow: Workflow }
  | { kind: "archive"; workflow: Workflow }
  | null;

type View = "active" | "archived";

export function DashboardPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [params, setParams] = useSearchParams();
  const view: View = params.get("view") === "archived" ? "archived" : "active";
  const current = useCurrentWorkspace();
  const workspaceId = current.workspace?.id ?? null;
  const role = current.workspace?.role ?? null;
  const canEdit = can(role, "edit");
  const active = useWorkflowList(workspaceId);
  const archived = useArchivedWorkflowList(workspaceId);
  const workflows = view === "archived" ? archived : active;
  // Both lists are under `workflows.list()`: one invalidation refreshes the active and archived.
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });

  const duplicate = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/workflows/{workflow_id}/duplicate", { params: { path: { workflow_id: id } } })),
    onSuccess: refresh,
  });
  const restore = useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/workflows/{workflow_id}/unarchive", { params: { path: { workflow_id: id } } })),
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
        {canEdit ? (
          <Button variant="contained" onClick={() => setDialog({ kind: "create" })}>
            New workflow
          </Button>
        ) : null}
      </Stack>
      {role && !canEdit ? (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }} data-testid="role-note">
          You are a {role} in {current.workspace?.name}:{" "}
          {can(role, "run") ? "you can open, run and chat with workflows" : "you can open workflows and read their runs"},
          not change them.
        </Typography>
      ) : null}
      <Tabs
        value={view}
        onChange={(_, next: View) => {
          const nextParams = new URLSearchParams(params);
          if (next === "archived") nextParams.set("view", "archived");
          else nextParams.delete("view");
          setParams(nextParams, { replace: true });
        }}
        sx={{ mb: 2 }}
      >
        <Tab value="active" label="Active" />
        <Tab value="archived" label="Archived" />
      </Tabs>
      <ErrorAlert error={current.error} title="Could not load your workspaces" />
      <ErrorAlert error={workflows.error} title="Could not load workflows" />
      <ErrorAlert error={duplicate.error} title="Could not duplicate" />
      <ErrorAlert error={restore.error} title="Could not restore" />
      {current.error ? null : workflows.isPending ? (
        <CircularProgress aria-label="Loading workflows" />
      ) : shown.length === 0 ? (
        <Typography color="text.secondary" sx={{ mt: 4, textAlign: "center" }}>
          {search
            ? "No workflow matches your search."
            : view === "archived"
              ? "No archived workflows."
              : "No workflows yet — create your first one."}
        </Typography>
      ) : (
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))",
          }}
        >
          {shown.map((w) =>
            !canEdit ? (
              <WorkflowCard key={w.id} workflow={w} onOpen={() => void navigate(`/workflows/${w.id}`)} readOnly />
            ) : view === "archived" ? (
              <WorkflowCard
                key={w.id}
                workflow={w}
                onOpen={() => void navigate(`/workflows/${w.id}`)}
                onRestore={() => restore.mutate(w.id)}
                restoring={restore.isPending && restore.variables === w.id}
              />
            ) : (
              <WorkflowCard
                key={w.id}
                workflow={w}
                onOpen={() => void navigate(`/workflows/${w.id}`)}
                onRename={() => setDialog({ kind: "rename", workflow: w })}
                onDuplicate={() => duplicate.mutate(w.id)}
                onArchive={() => setDialog({ kind: "archive", workflow: w })}
              />
            ),
          )}
        </Box>
      )}
      {dialog?.kind === "create" || dialog?.kind === "rename" ? (
        <WorkflowDialog
          workflow={dialog.kind === "rename" ? dialog.workflow : null}
          workspaceId={workspaceId}
          onClose={() => setDialog(null)}
          onSaved={(id) => {
            void refresh();
            setDialog(null);
            if (dialog.kind === "create") void navigate(`/workflows/${id}`);
          }}
        />
      ) : null}
      {dialog?.kind === "archive" ? (
        <ConfirmDialog
          title={`Archive “${dialog.workflow.name}”?`}
          confirmLabel="Archive"
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
          It leaves this list and can no longer be edited or run. Its runs, versions, chats and
          audit records stay readable, and you can restore it from “Archived”.
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}
