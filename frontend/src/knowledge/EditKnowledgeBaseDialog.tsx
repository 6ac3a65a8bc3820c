/** Renames a knowledge base or changes its description (`PUT /knowledge-bases/{id}`). */
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, TextField } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import type { KnowledgeBase } from "./KnowledgeBaseDialog";

export function EditKnowledgeBaseDialog({
  knowledgeBase,
  onClose,
  onSaved,
}: {
  knowledgeBase: Pick<KnowledgeBase, "id" | "name" | "description">;
  onClose: () => void;
  onSaved: (kb: KnowledgeBase) => void;
}) {
  const [name, setName] = useState(knowledgeBase.name);
  const [description, setDescription] = useState(knowledgeBase.description);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/knowledge-bases/{kb_id}", {
          params: { path: { kb_id: knowledgeBase.id } },
          body: { name: name.trim(), description },
        }),
      ),
    onSuccess: onSaved,
  });
  const blank = name.trim() === "";
  const unchanged = name.trim() === knowledgeBase.name && description === knowledgeBase.description;

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Edit knowledge base</DialogTitle>
      <DialogContent>
        <ErrorAlert error={save.error} title="Could not save" />
        <TextField
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
          autoFocus
          fullWidth
          margin="dense"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={blank}
          helperText={blank ? "A name is required" : " "}
          slotProps={{ htmlInput: { maxLength: 200 } }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !blank && !unchanged && !save.isPending) save.mutate();
          }}
        />
        <TextField
          fullWidth
          margin="dense"
          label="Description"
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          multiline
          minRows={2}
          slotProps={{ htmlInput: { maxLength: 2000 } }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          disabled={blank || unchanged || save.isPending}
          onClick={() => save.mutate()}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
