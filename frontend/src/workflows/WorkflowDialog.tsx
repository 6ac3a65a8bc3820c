/** Creates a workflow in a workspace, or renames one (name and description). */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import type { Workflow } from "./WorkflowCard";

export function WorkflowDialog({
  workflow,
  workspaceId = null,
  onClose,
  onSaved,
}: {
  workflow: Workflow | null;
  /** Where a new workflow goes (the current workspace); none: the user's own. */
  workspaceId?: string | null;
  onClose: () => void;
  onSaved: (id: string) => void;
}) {
  const [name, setName] = useState(workflow?.name ?? "");
  const [description, setDescription] = useState(workflow?.description ?? "");
  const save = useMutation({
    mutationFn: async () => {
      if (workflow) {
        return unwrap(
          api.PUT("/api/v1/workflows/{workflow_id}", {
            params: { path: { workflow_id: workflow.id } },
            body: { name, description },
          }),
        );
      }
      return unwrap(
        api.POST("/api/v1/workflows", { body: { name, description, workspace_id: workspaceId ?? undefined } }),
      );
    },
    onSuccess: (saved) => onSaved(saved.id),
  });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>{workflow ? "Rename workflow" : "New workflow"}</DialogTitle>
      <DialogContent>
        <ErrorAlert error={save.error} />
        <TextField
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
          autoFocus
          fullWidth
          margin="dense"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <TextField
          fullWidth
          margin="dense"
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          multiline
          minRows={2}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!name.trim() || save.isPending} onClick={() => save.mutate()}>
          {workflow ? "Save" : "Create"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
