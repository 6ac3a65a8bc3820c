/**
 * One knowledge base: its settings, the drop zone, uploads in flight and its documents.
 * Without `canEdit` (a viewer or runner) it is read-only: no actions, no drop zone.
 */
import { Alert, Box, CircularProgress, LinearProgress, Paper, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { DocumentRow } from "./DocumentRow";
import type { Document } from "./documentProgress";
import { DropZone } from "./DropZone";
import { EditKnowledgeBaseDialog } from "./EditKnowledgeBaseDialog";
import { KnowledgeBaseHeader } from "./KnowledgeBaseHeader";
import type { KnowledgeBase } from "./KnowledgeBaseDialog";
import { ReindexDialog } from "./ReindexDialog";
import { UploadRow } from "./UploadRow";
import { useDocumentProgress } from "./useDocumentProgress";
import { useUploads } from "./useUploads";

type Confirming =
  | { kind: "kb" }
  | { kind: "edit" }
  | { kind: "reindex" }
  | { kind: "document"; document: Document }
  | null;

export function KnowledgeBasePanel({
  kbId,
  canEdit = true,
  onDeleted,
}: {
  kbId: string;
  canEdit?: boolean;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState<Confirming>(null);

  const detail = useQuery({
    queryKey: queryKeys.knowledgeBases.detail(kbId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/knowledge-bases/{kb_id}", { params: { path: { kb_id: kbId } } })),
  });
  const documents = useQuery({
    queryKey: queryKeys.knowledgeBases.documents(kbId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/knowledge-bases/{kb_id}/documents", { params: { path: { kb_id: kbId } } }),
      ),
  });
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.documents(kbId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.detail(kbId) });
  }, [queryClient, kbId]);
  const uploads = useUploads(kbId, refresh);

  const action = useMutation({
    mutationFn: ({ kind, id }: { kind: "cancel" | "retry"; id: string }) => {
      const params = { params: { path: { document_id: id } } };
      return kind === "cancel"
        ? unwrap(api.POST("/api/v1/documents/{document_id}/cancel", params))
        : unwrap(api.POST("/api/v1/documents/{document_id}/retry", params));
    },
    onSettled: refresh,
  });

  const kb = detail.data;

  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, sm: 2 }, minWidth: 0 }}>
      <ErrorAlert error={detail.error} title="Could not load the knowledge base" />
      {kb ? (
        <KnowledgeBaseHeader
          knowledgeBase={kb}
          canEdit={canEdit}
          onEdit={() => setConfirming({ kind: "edit" })}
          onReindex={() => setConfirming({ kind: "reindex" })}
          onDelete={() => setConfirming({ kind: "kb" })}
        />
      ) : detail.isPending ? (
        <LinearProgress aria-label="Loading the knowledge base" sx={{ mb: 2 }} />
      ) : null}

      {canEdit ? <DropZone onFiles={uploads.add} disabled={!kb} /> : null}

      {uploads.inFlight.map((u) => (
        <UploadRow key={u.key} upload={u} />
      ))}
      {uploads.failed.map((u) => (
        <Alert
          key={u.key}
          severity="error"
          role="alert"
          data-testid="upload-error"
          sx={{ mt: 1 }}
          onClose={() => uploads.dismiss(u.key)}
        >
          {u.error}
        </Alert>
      ))}

      <Typography variant="subtitle1" component="h3" sx={{ mt: 2, fontWeight: 600 }}>
        Documents
      </Typography>
      <ErrorAlert error={documents.error} title="Could not load the documents" />
      <ErrorAlert error={action.error} />
      {documents.isPending ? (
        <CircularProgress size={24} aria-label="Loading documents" sx={{ m: 2 }} />
      ) : (documents.data ?? []).length === 0 ? (
        <Typography color="text.secondary" sx={{ py: 3, textAlign: "center" }}>
          {canEdit ? "No documents yet — drop files above to ingest them." : "No documents yet."}
        </Typography>
      ) : (
        <Box component="ul" sx={{ p: 0, m: 0 }} aria-label="Documents">
          {(documents.data ?? []).map((d) => (
            <LiveDocumentRow
              key={d.id}
              document={d}
              onFinished={refresh}
              busy={action.isPending && action.variables?.id === d.id}
              readOnly={!canEdit}
              onCancel={() => action.mutate({ kind: "cancel", id: d.id })}
              onRetry={() => action.mutate({ kind: "retry", id: d.id })}
              onDelete={() => setConfirming({ kind: "document", document: d })}
            />
          ))}
        </Box>
      )}

      {confirming?.kind === "kb" && kb ? (
        <ConfirmDialog
          title={`Delete “${kb.name}”?`}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            await unwrap(
              api.DELETE("/api/v1/knowledge-bases/{kb_id}", { params: { path: { kb_id: kbId } } }),
            );
            onDeleted();
          }}
        >
          {kb.documents.total === 1 ? "Its document" : `Its ${kb.documents.total} documents`}, their
          vectors and stored files are deleted, and running ingestions are stopped. Workflows
          that search it will fail until they point at another knowledge base.
        </ConfirmDialog>
      ) : null}
      {confirming?.kind === "edit" && kb ? (
        <EditKnowledgeBaseDialog
          knowledgeBase={kb}
          onClose={() => setConfirming(null)}
          onSaved={(saved: KnowledgeBase) => {
            setConfirming(null);
            queryClient.setQueryData(queryKeys.knowledgeBases.detail(kbId), { ...kb, ...saved });
            queryClient.setQueryData<KnowledgeBase[]>(queryKeys.knowledgeBases.list(), (now) =>
              now?.map((k) => (k.id === saved.id ? saved : k)),
            );
            void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.list() });
            refresh();
          }}
        />
      ) : null}
      {confirming?.kind === "reindex" && kb ? (
        <ReindexDialog
          knowledgeBase={kb}
          onClose={() => setConfirming(null)}
          onStarted={(started) => {
            setConfirming(null);
            queryClient.setQueryData(queryKeys.knowledgeBases.detail(kbId), started);
            void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.list() });
            refresh();
          }}
        />
      ) : null}
      {confirming?.kind === "document" ? (
        <ConfirmDialog
          title={`Delete “${confirming.document.filename}”?`}
          onClose={() => setConfirming(null)}
          onConfirm={async () => {
            await unwrap(
              api.DELETE("/api/v1/documents/{document_id}", {
                params: { path: { document_id: confirming.document.id } },
              }),
            );
            queryClient.setQueryData<Document[]>(queryKeys.knowledgeBases.documents(kbId), (now) =>
              (now ?? []).filter((d) => d.id !== confirming.document.id),
            );
            refresh();
          }}
        >
          Its ingestion is stopped and its chunks are removed from the knowledge base.
        </ConfirmDialog>
      ) : null}
    </Paper>
  );
}

function LiveDocumentRow({
  document,
  onFinished,
  ...actions
}: {
  document: Document;
  onFinished: () => void;
  busy: boolean;
  readOnly: boolean;
  onCancel: () => void;
  onRetry: () => void;
  onDelete: () => void;
}) {
  const live = useDocumentProgress(document, onFinished);
  return <DocumentRow document={live} {...actions} />;
}
