/** Creates a knowledge base: name, description, embedding provider and model, chunking. */
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
} from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { EmbeddingFields, PROVIDERS, type Provider } from "./EmbeddingFields";

export type KnowledgeBase = Schemas["KnowledgeBaseOut"];


export const DEFAULT_CHUNK_SIZE = 1000;
export const DEFAULT_CHUNK_OVERLAP = 150;

/** What is wrong with the chunk settings, per field (empty when they are fine). */
export function chunkProblems(size: string, overlap: string): { size?: string; overlap?: string } {
  const problems: { size?: string; overlap?: string } = {};
  const s = Number(size);
  const o = Number(overlap);
  if (size.trim() === "" || !Number.isInteger(s) || s < 100 || s > 8000) {
    problems.size = "A whole number from 100 to 8000";
  }
  if (overlap.trim() === "" || !Number.isInteger(o) || o < 0 || o > 2000) {
    problems.overlap = "A whole number from 0 to 2000";
  } else if (!problems.size && o >= s) {
    problems.overlap = "Must be less than the chunk size";
  }
  return problems;
}

export function KnowledgeBaseDialog({
  workspaceId = null,
  onClose,
  onCreated,
}: {
  /** Where it goes (the current workspace); none: the user's own. */
  workspaceId?: string | null;
  onClose: () => void;
  onCreated: (kb: KnowledgeBase) => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [provider, setProvider] = useState<Provider>("local");
  const [model, setModel] = useState(PROVIDERS[0].model);
  const [chunkSize, setChunkSize] = useState(String(DEFAULT_CHUNK_SIZE));
  const [chunkOverlap, setChunkOverlap] = useState(String(DEFAULT_CHUNK_OVERLAP));
  const problems = chunkProblems(chunkSize, chunkOverlap);

  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/knowledge-bases", {
          body: {
            name: name.trim(),
            description,
            embedding_provider: provider,
            embedding_model: model.trim() || null,
            chunk_size: Number(chunkSize),
            chunk_overlap: Number(chunkOverlap),
            workspace_id: workspaceId ?? undefined,
          },
        }),
      ),
    onSuccess: onCreated,
  });
  const valid = name.trim() !== "" && !problems.size && !problems.overlap;

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>New knowledge base</DialogTitle>
      <DialogContent>
        <ErrorAlert error={create.error} title="Could not create" />
        <TextField
          // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
          autoFocus
          fullWidth
          margin="dense"
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          slotProps={{ htmlInput: { maxLength: 200 } }}
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
        <Stack direction={{ xs: "column", sm: "row" }} spacing={{ xs: 0, sm: 2 }}>
          <EmbeddingFields
            provider={provider}
            model={model}
            onChange={(nextProvider, nextModel) => {
              setProvider(nextProvider);
              setModel(nextModel);
            }}
          />
        </Stack>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={{ xs: 0, sm: 2 }}>
          <TextField
            fullWidth
            margin="dense"
            type="number"
            label="Chunk size (characters)"
            value={chunkSize}
            onChange={(e) => setChunkSize(e.target.value)}
            error={Boolean(problems.size)}
            helperText={problems.size ?? "100–8000; 1000 suits most documents"}
            slotProps={{ htmlInput: { min: 100, max: 8000, step: 50 } }}
          />
          <TextField
            fullWidth
            margin="dense"
            type="number"
            label="Chunk overlap (characters)"
            value={chunkOverlap}
            onChange={(e) => setChunkOverlap(e.target.value)}
            error={Boolean(problems.overlap)}
            helperText={problems.overlap ?? "Shared by neighbouring chunks"}
            slotProps={{ htmlInput: { min: 0, max: 2000, step: 10 } }}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={!valid || create.isPending} onClick={() => create.mutate()}>
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
