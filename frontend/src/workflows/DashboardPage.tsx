/** Workflows as cards: create, rename, duplicate, delete (confirmed), search. */
import {
  Box,
  Button,
  Card,
  CardActionArea,
  CardActions,
  CardContent,
  Chip,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useNavigate } from "react-router-dom";

import { api, unwrap, type Schemas } from "../api/client";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { StatusChip } from "../components/StatusChip";

type Workflow = Schemas["WorkflowOut"];

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
  const workflows = useQuery({
    queryKey: ["workflows"],
    queryFn: () => unwrap(api.GET("/api/v1/workflows")),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["workflows"] });

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
            <Card key={w.id} variant="outlined" data-testid="workflow-card">
              <CardActionArea onClick={() => navigate(`/workflows/${w.id}`)}>
                <CardContent>
                  <Typography variant="h6" noWrap>
                    {w.name}
                  </Typography>
                  <Typography variant="body2" color="text.secondary" sx={{ minHeight: 20 }} noWrap>
                    {w.description || "No description"}
                  </Typography>
                  <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: "center" }}>
                    <StatusChip status={w.last_run_status ?? null} emptyLabel="never run" />
                    {w.latest_version ? <Chip size="small" label={`v${w.latest_version}`} /> : null}
                  </Stack>
                  <Typography variant="caption" color="text.secondary">
                    Edited {new Date(w.updated_at).toLocaleString()}
                  </Typography>
                </CardContent>
              </CardActionArea>
              <CardActions>
                <Button size="small" onClick={() => setDialog({ kind: "rename", workflow: w })}>
                  Rename
                </Button>
                <Button size="small" onClick={() => duplicate.mutate(w.id)}>
                  Duplicate
                </Button>
                <Button
                  size="small"
                  color="error"
                  onClick={() => setDialog({ kind: "delete", workflow: w })}
                >
                  Delete
                </Button>
              </CardActions>
            </Card>
          ))}
        </Box>
      )}
      {dialog?.kind === "create" || dialog?.kind === "rename" ? (
        <WorkflowDialog
          workflow={dialog.kind === "rename" ? dialog.workflow : null}
          onClose={() => setDialog(null)}
          onSaved={(id) => {
            refresh();
            setDialog(null);
            if (dialog.kind === "create") navigate(`/workflows/${id}`);
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

function WorkflowDialog({
  workflow,
  onClose,
  onSaved,
}: {
  workflow: Workflow | null;
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
      return unwrap(api.POST("/api/v1/workflows", { body: { name, description } }));
    },
    onSuccess: (saved) => onSaved(saved.id),
  });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="xs">
      <DialogTitle>{workflow ? "Rename workflow" : "New workflow"}</DialogTitle>
      <DialogContent>
        <ErrorAlert error={save.error} />
        <TextField
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
