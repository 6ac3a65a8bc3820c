/**
 * Published versions: the list (newest first), a diff between any two of them or the saved
 * draft, and restore (replaces the draft with a version's graph). Also the publish dialog.
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
import { ErrorAlert } from "../components/ErrorAlert";

type Version = Schemas["VersionOut"];
type Diff = Schemas["VersionDiff"];
type Ref = number | "draft";

/** The versions list's query key (shared with the chat panel's version select). */
export function versionsKey(workflowId: string) {
  return ["workflow-versions", workflowId] as const;
}

function refLabel(ref: Ref): string {
  return ref === "draft" ? "saved draft" : `v${ref}`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value.length > 80 ? `“${value.slice(0, 80)}…”` : `“${value}”`;
  return JSON.stringify(value);
}

/** What changed between two graphs, as lists. */
export function DiffView({ diff }: { diff: Diff }) {
  if (diff.unchanged) {
    return (
      <Typography variant="body2" color="text.secondary" data-testid="diff-view">
        No differences between {refLabel(diff.base)} and {refLabel(diff.target)}.
      </Typography>
    );
  }
  const added = diff.nodes_added ?? [];
  const removed = diff.nodes_removed ?? [];
  const changed = diff.nodes_changed ?? [];
  const edgesAdded = diff.edges_added ?? [];
  const edgesRemoved = diff.edges_removed ?? [];
  const edge = (e: Schemas["Edge"]) => `${e.source}.${e.source_handle} → ${e.target}.${e.target_handle}`;
  return (
    <Box data-testid="diff-view" sx={{ fontSize: 14 }}>
      <Typography variant="subtitle2" sx={{ mb: 1 }}>
        From {refLabel(diff.base)} to {refLabel(diff.target)}
      </Typography>
      {added.map((n) => (
        <Typography key={`a-${n.id}`} variant="body2" sx={{ color: "success.dark" }}>
          + node {n.id} ({n.type})
        </Typography>
      ))}
      {removed.map((n) => (
        <Typography key={`r-${n.id}`} variant="body2" sx={{ color: "error.dark" }}>
          − node {n.id} ({n.type})
        </Typography>
      ))}
      {changed.map((n) => (
        <Box key={`c-${n.id}`} sx={{ my: 0.5 }}>
          <Typography variant="body2" sx={{ color: "warning.dark" }}>
            ~ node {n.id} ({n.type}){n.moved_only ? " moved" : ""}
          </Typography>
          {n.moved_only
            ? null
            : n.changes
                .filter((c) => c.path !== "position")
                .map((c) => (
                  <Typography key={c.path} variant="body2" sx={{ pl: 2, fontFamily: "monospace", fontSize: 13 }}>
                    {c.path}: {show(c.before)} → {show(c.after)}
                  </Typography>
                ))}
        </Box>
      ))}
      {edgesAdded.map((e) => (
        <Typography key={`ea-${edge(e)}`} variant="body2" sx={{ color: "success.dark" }}>
          + edge {edge(e)}
        </Typography>
      ))}
      {edgesRemoved.map((e) => (
        <Typography key={`er-${edge(e)}`} variant="body2" sx={{ color: "error.dark" }}>
          − edge {edge(e)}
        </Typography>
      ))}
    </Box>
  );
}

export interface VersionsDialogProps {
  workflowId: string;
  dirty: boolean;
  onClose: () => void;
  onRestored: (detail: Schemas["WorkflowDetail"], number: number) => void;
}

export function VersionsDialog({ workflowId, dirty, onClose, onRestored }: VersionsDialogProps) {
  const versions = useQuery({
    queryKey: versionsKey(workflowId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/workflows/{workflow_id}/versions", { params: { path: { workflow_id: workflowId } } })),
  });
  const [base, setBase] = useState<Ref | null>(null);
  const [target, setTarget] = useState<Ref>("draft");
  const [confirmRestore, setConfirmRestore] = useState<number | null>(null);
  const list = versions.data ?? [];
  const effectiveBase: Ref | null = base ?? list[0]?.number ?? null;

  const diff = useQuery({
    queryKey: ["workflow", workflowId, "diff", effectiveBase, target],
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

export interface PublishDialogProps {
  onClose: () => void;
  /** Saves the draft if needed and publishes it. */
  onPublish: (note: string) => Promise<Version>;
  dirty: boolean;
}

export function PublishDialog({ onClose, onPublish, dirty }: PublishDialogProps) {
  const [note, setNote] = useState("");
  const publish = useMutation({ mutationFn: () => onPublish(note), onSuccess: onClose });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="publish-title">
      <DialogTitle id="publish-title">Publish a version</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {dirty ? "The draft is saved first, then " : "The saved draft is "}checked and published as the
          next immutable version. Runs and chats use the latest version unless told otherwise.
        </Typography>
        <TextField
          autoFocus
          fullWidth
          multiline
          minRows={2}
          label="Note"
          placeholder="What changed?"
          value={note}
          onChange={(e) => setNote(e.target.value)}
          slotProps={{ htmlInput: { maxLength: 2000 } }}
        />
        <ErrorAlert error={publish.error} title="Could not publish" />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" onClick={() => publish.mutate()} disabled={publish.isPending}>
          {publish.isPending ? "Publishing…" : "Publish"}
        </Button>
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
