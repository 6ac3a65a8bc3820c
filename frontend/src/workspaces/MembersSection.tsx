/**
 * A workspace's members with their roles. Owners change roles (at once), remove members
 * (after a confirmation) and add existing users by email with a role; the server's refusals
 * (no user with that email, already a member, the last owner) show as they are.
 */
import {
  Box,
  Button,
  Chip,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "../api/client";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { RoleSelect } from "./RoleSelect";
import type { Role } from "./roles";
import type { Member, WorkspaceDetail } from "./useWorkspaces";

export function MembersSection({
  workspace,
  userId,
  canManage,
  onChanged,
  onRemoved,
}: {
  workspace: WorkspaceDetail;
  /** The logged-in user (their row says "you"). */
  userId: string | undefined;
  /** Owners: roles, removal and adding; others only read the list. */
  canManage: boolean;
  /** A change the server answered with the workspace. */
  onChanged: (workspace: WorkspaceDetail) => void;
  /** A member was removed (the server answers 204). */
  onRemoved: (member: Member) => void;
}) {
  const path = { workspace_id: workspace.id };
  const [removing, setRemoving] = useState<Member | null>(null);
  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: Role }) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/members/{user_id}", {
          params: { path: { ...path, user_id: member.user_id } },
          body: { role },
        }),
      ),
    onSuccess: onChanged,
  });

  return (
    <Box component="section" aria-labelledby="members-heading">
      <Typography id="members-heading" variant="h6" component="h2" sx={{ mb: 1 }}>
        Members
      </Typography>
      <ErrorAlert error={changeRole.error} title="Could not change the role" />
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Members">
          <TableHead>
            <TableRow>
              <TableCell>Email</TableCell>
              <TableCell>Role</TableCell>
              <TableCell>Member since</TableCell>
              {canManage ? <TableCell align="right">Actions</TableCell> : null}
            </TableRow>
          </TableHead>
          <TableBody>
            {workspace.members.map((m) => (
              <TableRow key={m.user_id} data-testid={`member-${m.email}`}>
                <TableCell>
                  {m.email}
                  {m.user_id === userId ? <Chip size="small" variant="outlined" label="you" sx={{ ml: 1 }} /> : null}
                </TableCell>
                <TableCell>
                  {canManage ? (
                    <RoleSelect
                      label={`Role of ${m.email}`}
                      value={m.role}
                      disabled={changeRole.isPending}
                      onChange={(role) => {
                        if (role !== m.role) changeRole.mutate({ member: m, role });
                      }}
                    />
                  ) : (
                    m.role
                  )}
                </TableCell>
                <TableCell>{new Date(m.created_at).toLocaleDateString()}</TableCell>
                {canManage ? (
                  <TableCell align="right">
                    <Button size="small" color="error" onClick={() => setRemoving(m)} aria-label={`Remove ${m.email}`}>
                      Remove
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
      {canManage ? <AddMemberForm workspaceId={workspace.id} onAdded={onChanged} /> : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.email}?`}
          confirmLabel="Remove"
          onClose={() => setRemoving(null)}
          onConfirm={async () => {
            await unwrap(
              api.DELETE("/api/v1/workspaces/{workspace_id}/members/{user_id}", {
                params: { path: { ...path, user_id: removing.user_id } },
              }),
            );
            onRemoved(removing);
          }}
        >
          {removing.user_id === userId
            ? `You leave “${workspace.name}”: its workflows, runs and knowledge bases are no longer yours to see.`
            : `${removing.email} loses access to “${workspace.name}”: its workflows, runs and knowledge bases. What they made stays in the workspace.`}
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}

function AddMemberForm({ workspaceId, onAdded }: { workspaceId: string; onAdded: (workspace: WorkspaceDetail) => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/members", {
          params: { path: { workspace_id: workspaceId } },
          body: { email: email.trim(), role },
        }),
      ),
    onSuccess: (workspace) => {
      setEmail("");
      onAdded(workspace);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (email.trim() && !add.isPending) add.mutate();
  };
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Add a member" sx={{ mt: 2 }}>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 600, mb: 1 }}>
        Add a member
      </Typography>
      <ErrorAlert error={add.error} title="Could not add the member" />
      <Stack direction={{ xs: "column", sm: "row" }} spacing={1} sx={{ alignItems: { sm: "flex-start" } }}>
        <TextField
          size="small"
          type="email"
          label="Email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          helperText="Someone with an account here; an administrator creates accounts."
          sx={{ minWidth: 280 }}
          slotProps={{ htmlInput: { maxLength: 254 } }}
        />
        <RoleSelect label="Role" value={role} onChange={setRole} minWidth={160} />
        <Button type="submit" variant="contained" disabled={!email.trim() || add.isPending}>
          Add
        </Button>
      </Stack>
    </Box>
  );
}
