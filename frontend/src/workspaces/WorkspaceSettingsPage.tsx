/**
 * The current workspace's settings: its name (owners rename it), its members and their
 * roles (owners manage them), and "Leave workspace" for the other members.
 */
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { useAuth } from "../auth/useAuth";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { MembersSection } from "./MembersSection";
import { can, ROLE_HELP } from "./roles";
import { useCurrentWorkspace, useWorkspaceDetail, type Member, type WorkspaceDetail } from "./useWorkspaces";

export function WorkspaceSettingsPage() {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const current = useCurrentWorkspace();
  const workspaceId = current.workspace?.id ?? null;
  const detail = useWorkspaceDetail(workspaceId);
  const [leaving, setLeaving] = useState(false);

  const changed = (workspace: WorkspaceDetail) => {
    queryClient.setQueryData(queryKeys.workspaces.detail(workspace.id), workspace);
    // Names and the user's own role show in the switcher.
    void queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.list() });
  };
  const left = () => {
    if (workspaceId) queryClient.removeQueries({ queryKey: queryKeys.workspaces.detail(workspaceId) });
    // The current workspace is gone from the list: the first one is shown instead.
    void queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.all() });
    void navigate("/");
  };
  const removed = (member: Member) => {
    if (member.user_id === user?.id) left();
    else if (workspaceId) void queryClient.invalidateQueries({ queryKey: queryKeys.workspaces.detail(workspaceId) });
  };

  const ws = detail.data;
  const role = ws?.role ?? current.workspace?.role ?? null;
  const canManage = can(role, "manage");

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 960, width: "100%", mx: "auto" }}>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Workspace settings
      </Typography>
      <ErrorAlert error={current.error} title="Could not load your workspaces" />
      <ErrorAlert error={detail.error} title="Could not load the workspace" />
      {!ws ? (
        current.error || detail.error ? null : <CircularProgress aria-label="Loading the workspace" />
      ) : (
        <Stack spacing={3}>
          <Paper variant="outlined" sx={{ p: 2 }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: "center", mb: canManage ? 2 : 0 }}>
              <Typography variant="h6" component="h2" sx={{ flexGrow: 1, wordBreak: "break-word" }}>
                {ws.name}
              </Typography>
              <Chip size="small" label={`your role: ${ws.role}`} title={ROLE_HELP[ws.role]} />
            </Stack>
            {canManage ? <RenameForm key={ws.id} workspace={ws} onRenamed={changed} /> : null}
          </Paper>
          <MembersSection
            workspace={ws}
            userId={user?.id}
            canManage={canManage}
            onChanged={changed}
            onRemoved={removed}
          />
          {!canManage ? (
            <Box>
              <Alert
                severity="info"
                action={
                  <Button color="error" onClick={() => setLeaving(true)}>
                    Leave workspace
                  </Button>
                }
              >
                You are a {ws.role} here: {ROLE_HELP[ws.role].toLowerCase()}. Owners manage members and roles.
              </Alert>
            </Box>
          ) : null}
        </Stack>
      )}
      {leaving && ws && user ? (
        <ConfirmDialog
          title={`Leave “${ws.name}”?`}
          confirmLabel="Leave"
          onClose={() => setLeaving(false)}
          onConfirm={async () => {
            await unwrap(
              api.DELETE("/api/v1/workspaces/{workspace_id}/members/{user_id}", {
                params: { path: { workspace_id: ws.id, user_id: user.id } },
              }),
            );
            left();
          }}
        >
          Its workflows, runs and knowledge bases are no longer yours to see; an owner can add you
          again.
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}

function RenameForm({ workspace, onRenamed }: { workspace: WorkspaceDetail; onRenamed: (w: WorkspaceDetail) => void }) {
  const [name, setName] = useState(workspace.name);
  const rename = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}", {
          params: { path: { workspace_id: workspace.id } },
          body: { name: name.trim() },
        }),
      ),
    onSuccess: onRenamed,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && name.trim() !== workspace.name && !rename.isPending) rename.mutate();
  };
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Rename the workspace">
      <ErrorAlert error={rename.error} title="Could not rename" />
      <Stack direction="row" spacing={1} sx={{ alignItems: "flex-start" }}>
        <TextField
          size="small"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          sx={{ minWidth: 280 }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <Button type="submit" variant="outlined" disabled={!name.trim() || name.trim() === workspace.name || rename.isPending}>
          Rename
        </Button>
      </Stack>
    </Box>
  );
}
