/**
 * Published versions: the list (newest first), a diff between any two of them or the saved
 * draft, and restore (replaces the draft with a version's graph).
 */
import RestoreIcon from "@mui/icons-material/Restore";
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Divider,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys, type VersionRef as Ref } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { useWorkflowVersions } from "../workflows/useWorkflows";
import { DiffView, refLabel } from "./DiffView";

type Version = Schemas["VersionOut"];

export interface VersionsDialogProps {
  workflowId: string;
  dirty: boolean;
  onClose: () => void;
  onRestored: (detail: Schemas["WorkflowDetail"], number: number) => void;
}

export function VersionsDialog({ workflowId, dirty, onClose, onRestored }: VersionsDialogProps) {
  const versions = useWorkflowVersions(workflowId);
  const [base, setBase] = useState<Ref | null>(null);
  const [target, setTarget] = useState<Ref>("draft");
  const [confirmRestore, setConfirmRestore] = useState<number | null>(null);
  const list = versions.data ?? [];
  const effectiveBase: Ref | null = base ?? list[0]?.number ?? null;

  const diff = useQuery({
    queryKey: queryKeys.workflows.diff(workflowId, effectiveBase, target),
    enabled: effectiveBase !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workflows/{workflow_id}/versions/diff", {
          params: {
            path: { workflow_id: workflowId },
            query: { base: String(effectiveBase), target: String(target) },
          },
        }),
      ),
  });

  const restore = useMutation({
    mutationFn: (number: number) =>
      unwrap(
        api.POST("/api/v1/workflows/{workflow_id}/versions/{number}/restore", {
          params: { path: { workflow_id: workflowId, number } },
        }),
      ),
    onSuccess: (detail, number) => {
      setConfirmRestore(null);
      onRestored(detail, number);
    },
  });

  const refs: Ref[] = ["draft", ...list.map((v) => v.number)];
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md" aria-labelledby="versions-title">
      <DialogTitle id="versions-title">Versions</DialogTitle>
      <DialogContent dividers>
        <ErrorAlert error={versions.error} title="Could not load versions" />
        {versions.isPending ? (
          <CircularProgress aria-label="Loading versions" />
        ) : list.length === 0 && !versions.error ? (
          <Typography color="text.secondary">
            No published versions yet. Publish the draft to create version 1.
          </Typography>
        ) : (
          <Stack direction={{ xs: "column", md: "row" }} spacing={2}>
            <List dense sx={{ width: { md: 300 }, flexShrink: 0, maxHeight: 420, overflow: "auto" }}>
              {list.map((v: Version) => (
                <ListItem
                  key={v.number}
                  data-testid={`version-${v.number}`}
                  divider
                  secondaryAction={
                    <Button
                      size="small"
                      startIcon={<RestoreIcon />}
                      onClick={() => setConfirmRestore(v.number)}
                      aria-label={`Restore v${v.number}`}
                    >
                      Restore
                    </Button>
                  }
                >
                  <ListItemText
                    primary={
                      <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                        <Chip size="small" label={`v${v.number}`} color="primary" variant="outlined" />
                        <Typography variant="body2" noWrap sx={{ maxWidth: 130 }} title={v.note}>
                          {v.note || <em>no note</em>}
                        </Typography>
                      </Stack>
                    }
                    secondary={`${new Date(v.created_at).toLocaleString()}${v.author_email ? ` · ${v.author_email}` : ""}`}
                  />
                </ListItem>
              ))}
            </List>
            <Divider orientation="vertical" flexItem />
            <Box sx={{ flexGrow: 1, minWidth: 0 }}>
              <Stack direction="row" spacing={1} sx={{ mb: 2 }}>
                <RefSelect
                  label="Compare"
                  refs={refs}
                  value={effectiveBase}
                  onChange={setBase}
                />
                <RefSelect label="with" refs={refs} value={target} onChange={setTarget} />
              </Stack>
              {dirty && (target === "draft" || effectiveBase === "draft") ? (
                <Alert severity="info" sx={{ mb: 1 }}>
                  The draft compared is the saved one; save to include your latest changes.
                </Alert>
              ) : null}
              <ErrorAlert error={diff.error} title="Could not compare" />
              {diff.isFetching && !diff.data ? <CircularProgress size={24} aria-label="Comparing" /> : null}
              {diff.data ? <DiffView diff={diff.data} /> : null}
            </Box>
          </Stack>
        )}
        {confirmRestore !== null ? (
          <Alert
            severity="warning"
            sx={{ mt: 2 }}
            action={
              <Stack direction="row" spacing={1}>
                <Button color="inherit" size="small" onClick={() => setConfirmRestore(null)}>
                  Cancel
                </Button>
                <Button
                  color="warning"
                  variant="contained"
                  size="small"
                  disabled={restore.isPending}
                  onClick={() => restore.mutate(confirmRestore)}
                >
                  Yes, restore v{confirmRestore}
                </Button>
              </Stack>
            }
          >
            Replace the draft with version {confirmRestore}?
            {dirty ? " Your unsaved changes will be lost." : " Published versions are kept."}
          </Alert>
        ) : null}
        <ErrorAlert error={restore.error} title="Could not restore" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

/** Picks the draft or a version number. */
function RefSelect({
  label,
  refs,
  value,
  onChange,
}: {
  label: string;
  refs: Ref[];
  value: Ref | null;
  onChange: (ref: Ref) => void;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value === null ? "" : String(value)}
      onChange={(e) => onChange(e.target.value === "draft" ? "draft" : Number(e.target.value))}
      sx={{ minWidth: 130 }}
    >
      {refs.map((r) => (
        <MenuItem key={String(r)} value={String(r)}>
          {refLabel(r)}
        </MenuItem>
      ))}
    </TextField>
  );
}
