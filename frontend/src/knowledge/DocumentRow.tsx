/**
 * One document: status chip, progress bar with pages, chunks, percentage and ETA; what an
 * unfinished ingestion waits for (no ingestion worker alive); actions (unless read-only).
 */
import { Alert, Box, Button, LinearProgress, Stack, Typography } from "@mui/material";

import { StatusChip } from "../components/StatusChip";
import { isFinished, type Document } from "./documentProgress";
import { formatBytes, formatEta, formatPercentage, stageLabel } from "./format";

const BAR_COLORS = {
  completed: "success",
  failed: "error",
  cancelled: "warning",
  running: "primary",
  queued: "primary",
} as const;

export interface DocumentRowProps {
  document: Document;
  onCancel: () => void;
  onRetry: () => void;
  onDelete: () => void;
  /** An action on this document is being sent. */
  busy?: boolean;
  /** No actions: the user's role cannot change the knowledge base. */
  readOnly?: boolean;
}

export function DocumentRow({ document, onCancel, onRetry, onDelete, busy = false, readOnly = false }: DocumentRowProps) {
  const finished = isFinished(document);
  const retryable = document.status === "failed" || document.status === "cancelled";
  const percentage = Math.max(0, Math.min(100, document.percentage));
  const details = [
    document.pages_extracted === 1 ? "1 page" : `${document.pages_extracted} pages`,
    document.chunks_total > 0
      ? `${document.chunks_embedded} / ${document.chunks_total} chunks`
      : `${document.chunks_embedded} chunks`,
  ];
  if (!finished && document.eta_seconds !== null && document.eta_seconds !== undefined) {
    details.push(`about ${formatEta(document.eta_seconds)} left`);
  }
  return (
    <Box
      component="li"
      data-testid="document-row"
      aria-label={document.filename}
      sx={{
        listStyle: "none",
        p: 1.5,
        borderBottom: 1,
        borderColor: "divider",
        "&:last-of-type": { borderBottom: 0 },
      }}
    >
      <Stack
        direction={{ xs: "column", sm: "row" }}
        spacing={1}
        sx={{ alignItems: { xs: "stretch", sm: "center" } }}
      >
        <Box sx={{ flexGrow: 1, minWidth: 0 }}>
          <Stack direction="row" spacing={1} sx={{ alignItems: "center", minWidth: 0 }}>
            <Typography noWrap title={document.filename} sx={{ fontWeight: 500, minWidth: 0 }}>
              {document.filename}
            </Typography>
            <StatusChip status={document.status} />
          </Stack>
          <Typography variant="caption" color="text.secondary">
            {[
              document.file_type.toUpperCase(),
              formatBytes(document.size_bytes),
              // A failed or cancelled stage would only repeat the chip.
              retryable ? null : stageLabel(document.stage),
            ]
              .filter(Boolean)
              .join(" · ")}
          </Typography>
        </Box>
        {readOnly ? null : (
          <Stack direction="row" spacing={0.5} sx={{ flexShrink: 0, justifyContent: "flex-end" }}>
            {!finished ? (
              <Button size="small" onClick={onCancel} disabled={busy}>
                Cancel
              </Button>
            ) : null}
            {retryable ? (
              <Button size="small" onClick={onRetry} disabled={busy}>
                Retry
              </Button>
            ) : null}
            <Button size="small" color="error" onClick={onDelete} disabled={busy}>
              Delete
            </Button>
          </Stack>
        )}
      </Stack>
      <Stack direction="row" spacing={1} sx={{ alignItems: "center", mt: 1 }}>
        <LinearProgress
          variant="determinate"
          value={percentage}
          color={BAR_COLORS[document.status] ?? "primary"}
          aria-label={`Ingestion of ${document.filename}`}
          sx={{ flexGrow: 1, height: 8, borderRadius: 4 }}
        />
        <Typography
          variant="body2"
          data-testid="document-percentage"
          sx={{ minWidth: 48, textAlign: "right", fontVariantNumeric: "tabular-nums" }}
        >
          {formatPercentage(percentage)}
        </Typography>
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        data-testid="document-details"
        sx={{ fontVariantNumeric: "tabular-nums" }}
      >
        {details.join(" · ")}
      </Typography>
      {!finished && document.notice ? (
        <Alert severity="warning" data-testid="document-notice" sx={{ mt: 1, py: 0 }}>
          {document.notice}
        </Alert>
      ) : null}
      {document.status === "failed" ? (
        <Alert severity="error" sx={{ mt: 1, py: 0 }}>
          {document.error || "The ingestion failed without a reason."}
        </Alert>
      ) : null}
    </Box>
  );
}
