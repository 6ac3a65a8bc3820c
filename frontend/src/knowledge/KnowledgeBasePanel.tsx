/** One knowledge base: its settings, the drop zone, uploads in flight and its documents. */
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  LinearProgress,
  Paper,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";

import { api, messageOf, unwrap } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DocumentRow } from "./DocumentRow";
import type { Document } from "./documentProgress";
import { DropZone } from "./DropZone";
import { EditKnowledgeBaseDialog } from "./EditKnowledgeBaseDialog";
import type { KnowledgeBase } from "./KnowledgeBaseDialog";
import { ReindexDialog } from "./ReindexDialog";
import { uploadDocument, uploadPercentage, type UploadProgress } from "./upload";
import { useDocumentProgress } from "./useDocumentProgress";

interface Upload {
  key: number;
  filename: string;
  /** Set once its bytes start going (uploads wait their turn). */
  progress?: UploadProgress;
  error?: string;
}

type Confirming =
  | { kind: "kb" }
  | { kind: "edit" }
  | { kind: "reindex" }
  | { kind: "document"; document: Document }
  | null;

/** Every knowledge base of the current user (the page's list). */
export const knowledgeBasesKey = ["knowledge-bases", "list"] as const;

export const documentsKey = (kbId: string) => ["knowledge-bases", kbId, "documents"] as const;
export const detailKey = (kbId: string) => ["knowledge-bases", kbId, "detail"] as const;

export function KnowledgeBasePanel({ kbId, onDeleted }: { kbId: string; onDeleted: () => void }) {
  const queryClient = useQueryClient();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [confirming, setConfirming] = useState<Confirming>(null);
  const queue = useRef<Promise<void>>(Promise.resolve());
  const nextKey = useRef(0);

  const detail = useQuery({
    queryKey: detailKey(kbId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/knowledge-bases/{kb_id}", { params: { path: { kb_id: kbId } } })),
  });
  const documents = useQuery({
    queryKey: documentsKey(kbId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/knowledge-bases/{kb_id}/documents", { params: { path: { kb_id: kbId } } }),
      ),
  });
  const refresh = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: documentsKey(kbId) });
    void queryClient.invalidateQueries({ queryKey: detailKey(kbId) });
  }, [queryClient, kbId]);

  const setProgress = (key: number, progress: UploadProgress) =>
    setUploads((now) => now.map((u) => (u.key === key ? { ...u, progress } : u)));

  const onFiles = (files: File[]) => {
    for (const file of files) {
      const key = nextKey.current++;
      setUploads((now) => [...now, { key, filename: file.name }]);
      // One upload at a time: progress streams hold connections too.
      queue.current = queue.current.then(async () => {
        try {
          setProgress(key, { loaded: 0, total: file.size || null });
          const document = await uploadDocument(kbId, file, {
            onProgress: (progress) => setProgress(key, progress),
          });
          queryClient.setQueryData<Document[]>(documentsKey(kbId), (now) => [
            document,
            ...(now ?? []).filter((d) => d.id !== document.id),
          ]);
          setUploads((now) => now.filter((u) => u.key !== key));
          refresh();
        } catch (err) {
          setUploads((now) => now.map((u) => (u.key === key ? { ...u, error: messageOf(err) } : u)));
        }
      });
    }
  };

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
  const inFlight = uploads.filter((u) => !u.error);
  const failedUploads = uploads.filter((u) => u.error);

  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, sm: 2 }, minWidth: 0 }}>
      <ErrorAlert error={detail.error} title="Could not load the knowledge base" />
      {kb ? (
        <Stack
          direction={{ xs: "column", sm: "row" }}
          spacing={1}
          sx={{ alignItems: { xs: "flex-start", sm: "flex-start" }, mb: 2 }}
        >
          <Box sx={{ flexGrow: 1, minWidth: 0 }}>
            <Typography variant="h6" component="h2" sx={{ wordBreak: "break-word" }}>
              {kb.name}
            </Typography>
            {kb.description ? (
              <Typography variant="body2" color="text.secondary" sx={{ wordBreak: "break-word" }}>
                {kb.description}
              </Typography>
            ) : null}
            <Stack direction="row" sx={{ mt: 1, flexWrap: "wrap", gap: 0.75 }}>
              <Chip size="small" label={`${kb.embedding_provider} · ${kb.embedding_model}`} />
              <Chip
                size="small"
                variant="outlined"
                label={`chunks ${kb.chunk_size} / overlap ${kb.chunk_overlap}`}
              />
              <Chip
                size="small"
                variant="outlined"
                data-testid="kb-counts"
                label={countsLabel(kb.documents)}
              />
            </Stack>
          </Box>
          <Stack direction="row" sx={{ flexShrink: 0, flexWrap: "wrap", gap: 0.5 }}>
            <Button onClick={() => setConfirming({ kind: "edit" })}>Edit</Button>
            <Button onClick={() => setConfirming({ kind: "reindex" })}>Re-index</Button>
            <Button color="error" onClick={() => setConfirming({ kind: "kb" })}>
              Delete knowledge base
            </Button>
          </Stack>
        </Stack>
      ) : detail.isPending ? (
        <LinearProgress aria-label="Loading the knowledge base" sx={{ mb: 2 }} />
      ) : null}

      <DropZone onFiles={onFiles} disabled={!kb} />

      {inFlight.map((u) => (
        <UploadRow key={u.key} upload={u} />
      ))}
      {failedUploads.map((u) => (
        <Alert
          key={u.key}
          severity="error"
          role="alert"
          data-testid="upload-error"
          sx={{ mt: 1 }}
          onClose={() => setUploads((now) => now.filter((x) => x.key !== u.key))}
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
          No documents yet — drop files above to ingest them.
        </Typography>
      ) : (
        <Box component="ul" sx={{ p: 0, m: 0 }} aria-label="Documents">
          {(documents.data ?? []).map((d) => (
            <LiveDocumentRow
              key={d.id}
              document={d}
              onFinished={refresh}
              busy={action.isPending && action.variables?.id === d.id}
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
            queryClient.setQueryData(detailKey(kbId), { ...kb, ...saved });
            queryClient.setQueryData<KnowledgeBase[]>(knowledgeBasesKey, (now) =>
              now?.map((k) => (k.id === saved.id ? saved : k)),
            );
            void queryClient.invalidateQueries({ queryKey: knowledgeBasesKey });
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
            queryClient.setQueryData(detailKey(kbId), started);
            void queryClient.invalidateQueries({ queryKey: knowledgeBasesKey });
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
            queryClient.setQueryData<Document[]>(documentsKey(kbId), (now) =>
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

/** A file on its way: "Uploading notes.pdf… 42%" with a bar of the bytes sent. */
function UploadRow({ upload }: { upload: Upload }) {
  const percentage = uploadPercentage(upload.progress);
  const label = !upload.progress
    ? `Waiting to upload ${upload.filename}…`
    : percentage === 100
      ? `Uploaded ${upload.filename}; waiting for the server…`
      : `Uploading ${upload.filename}…${percentage === null ? "" : ` ${percentage}%`}`;
  return (
    <Box sx={{ mt: 1 }} data-testid="upload-pending">
      <Typography variant="body2" sx={{ fontVariantNumeric: "tabular-nums", wordBreak: "break-word" }}>
        {label}
      </Typography>
      <LinearProgress
        aria-label={`Uploading ${upload.filename}`}
        variant={percentage === null || percentage === 100 ? "indeterminate" : "determinate"}
        value={percentage ?? undefined}
      />
    </Box>
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
  onCancel: () => void;
  onRetry: () => void;
  onDelete: () => void;
}) {
  const live = useDocumentProgress(document, onFinished);
  return <DocumentRow document={live} {...actions} />;
}

function countsLabel(counts: {
  total: number;
  completed: number;
  running: number;
  queued: number;
  failed: number;
}): string {
  const parts = [`${counts.total} ${counts.total === 1 ? "document" : "documents"}`];
  const open = counts.running + counts.queued;
  if (open) parts.push(`${open} ingesting`);
  if (counts.failed) parts.push(`${counts.failed} failed`);
  return parts.join(" · ");
}
