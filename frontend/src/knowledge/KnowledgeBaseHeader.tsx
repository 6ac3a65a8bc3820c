/** A knowledge base's name, description, settings and document counts, with its actions. */
import { Box, Button, Chip, Stack, Typography } from "@mui/material";

import type { KnowledgeBaseDetail } from "./ReindexDialog";

export interface KnowledgeBaseHeaderProps {
  knowledgeBase: KnowledgeBaseDetail;
  /** Whether the user's role may change it (editors and owners); otherwise no actions. */
  canEdit?: boolean;
  onEdit: () => void;
  onReindex: () => void;
  onDelete: () => void;
}

export function KnowledgeBaseHeader({
  knowledgeBase: kb,
  canEdit = true,
  onEdit,
  onReindex,
  onDelete,
}: KnowledgeBaseHeaderProps) {
  return (
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
      {canEdit ? (
        <Stack direction="row" sx={{ flexShrink: 0, flexWrap: "wrap", gap: 0.5 }}>
          <Button onClick={onEdit}>Edit</Button>
          <Button onClick={onReindex}>Re-index</Button>
          <Button color="error" onClick={onDelete}>
            Delete knowledge base
          </Button>
        </Stack>
      ) : null}
    </Stack>
  );
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
