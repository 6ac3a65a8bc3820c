/**
 * Re-indexes a knowledge base with an embedding provider and model
 * (`POST /knowledge-bases/{id}/reindex`): every document is ingested again into a new
 * collection, so the dialog says so before anything happens.
 */
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { EmbeddingFields, type Provider } from "./EmbeddingFields";

export type KnowledgeBaseDetail = Schemas["KnowledgeBaseDetail"];

export function ReindexDialog({
  knowledgeBase,
  onClose,
  onStarted,
}: {
  knowledgeBase: Pick<
    KnowledgeBaseDetail,
    "id" | "name" | "embedding_provider" | "embedding_model" | "documents"
  >;
  onClose: () => void;
  onStarted: (kb: KnowledgeBaseDetail) => void;
}) {
  const [provider, setProvider] = useState<Provider>(knowledgeBase.embedding_provider);
  const [model, setModel] = useState(knowledgeBase.embedding_model);
  const reindex = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/knowledge-bases/{kb_id}/reindex", {
          params: { path: { kb_id: knowledgeBase.id } },
          body: { embedding_provider: provider, embedding_model: model.trim() || null },
        }),
      ),
    onSuccess: onStarted,
  });
  const total = knowledgeBase.documents.total;
  const documents = total === 1 ? "1 document" : `${total} documents`;

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>Re-index “{knowledgeBase.name}”?</DialogTitle>
      <DialogContent>
        <ErrorAlert error={reindex.error} title="Could not re-index" />
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Now embedded with {knowledgeBase.embedding_provider} · {knowledgeBase.embedding_model}.
        </Typography>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={{ xs: 0, sm: 2 }}>
          <EmbeddingFields
            provider={provider}
            model={model}
            inUse={{ provider: knowledgeBase.embedding_provider, model: knowledgeBase.embedding_model }}
            onChange={(nextProvider, nextModel) => {
              setProvider(nextProvider);
              setModel(nextModel);
            }}
          />
        </Stack>
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="reindex-warning">
          {total === 0
            ? "It has no documents yet: documents uploaded from now on use this model. "
            : `Every document is ingested again (${documents}): read, chunked and embedded ` +
              "anew into a new collection; the old collection and its vectors are deleted. "}
          Ingestions still running are stopped. Until the re-ingestion finishes, searches find
          only the documents already done; embedding with a paid provider costs its usual price.
        </Alert>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          variant="contained"
          color="warning"
          disabled={reindex.isPending}
          onClick={() => reindex.mutate()}
        >
          Re-index
        </Button>
      </DialogActions>
    </Dialog>
  );
}
