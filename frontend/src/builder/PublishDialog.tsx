/** Publishes the draft (saved first if needed) as the next immutable version, with a note. */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField, Typography } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import type { Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";

type Version = Schemas["VersionOut"];

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
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
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
