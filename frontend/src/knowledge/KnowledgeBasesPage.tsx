/**
 * The current workspace's knowledge bases: list and create; the chosen one's documents,
 * uploads and live progress. Viewers and runners read them; editors and owners change them.
 */
import {
  Box,
  Button,
  CircularProgress,
  List,
  ListItemButton,
  ListItemText,
  Paper,
  Stack,
  Typography,
} from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";

import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { can } from "../workspaces/roles";
import { useCurrentWorkspace } from "../workspaces/useWorkspaces";
import { KnowledgeBaseDialog } from "./KnowledgeBaseDialog";
import { KnowledgeBasePanel } from "./KnowledgeBasePanel";
import { useKnowledgeBaseList } from "./useKnowledgeBases";

export function KnowledgeBasesPage() {
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(false);
  const current = useCurrentWorkspace();
  const workspaceId = current.workspace?.id ?? null;
  const canEdit = can(current.workspace?.role, "edit");
  const list = useKnowledgeBaseList(workspaceId);
  const listKey = queryKeys.knowledgeBases.inWorkspace(workspaceId ?? "");
  const kbs = list.data ?? [];
  const wanted = params.get("kb");
  const selected = kbs.find((kb) => kb.id === wanted) ?? kbs[0] ?? null;
  const select = (id: string | null) =>
    setParams(id ? { kb: id } : {}, { replace: false });

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1200, width: "100%", mx: "auto" }}>
      <Stack direction="row" spacing={2} sx={{ mb: 2, alignItems: "center" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Knowledge bases
        </Typography>
        {canEdit ? (
          <Button variant="contained" onClick={() => setCreating(true)}>
            New knowledge base
          </Button>
        ) : null}
      </Stack>
      <ErrorAlert error={current.error} title="Could not load your workspaces" />
      <ErrorAlert error={list.error} title="Could not load knowledge bases" />
      {current.error ? null : list.isPending ? (
        <CircularProgress aria-label="Loading knowledge bases" />
      ) : kbs.length === 0 ? (
        list.error ? null : (
          <Box sx={{ mt: 6, textAlign: "center" }}>
            {canEdit ? (
              <>
                <Typography color="text.secondary" sx={{ mb: 2 }}>
                  No knowledge bases yet — create one, then drop PDF, DOCX, text or Markdown files
                  into it. Workflows search them with the Knowledge base component.
                </Typography>
                <Button variant="outlined" onClick={() => setCreating(true)}>
                  Create a knowledge base
                </Button>
              </>
            ) : (
              <Typography color="text.secondary">No knowledge bases in this workspace yet.</Typography>
            )}
          </Box>
        )
      ) : (
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "280px minmax(0, 1fr)" },
            alignItems: "start",
          }}
        >
          <Paper variant="outlined" component="nav" aria-label="Knowledge bases">
            <List dense disablePadding sx={{ maxHeight: { xs: 220, md: "none" }, overflow: "auto" }}>
              {kbs.map((kb) => (
                <ListItemButton
                  key={kb.id}
                  data-testid="kb-item"
                  selected={kb.id === selected?.id}
                  onClick={() => select(kb.id)}
                >
                  <ListItemText
                    primary={kb.name}
                    secondary={`${kb.embedding_provider} · ${kb.embedding_model}`}
                    slotProps={{ primary: { noWrap: true }, secondary: { noWrap: true } }}
                  />
                </ListItemButton>
              ))}
            </List>
          </Paper>
          {selected ? (
            <KnowledgeBasePanel
              key={selected.id}
              kbId={selected.id}
              canEdit={canEdit}
              onDeleted={() => {
                queryClient.setQueryData(listKey, kbs.filter((kb) => kb.id !== selected.id));
                void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.list() });
                select(null);
              }}
            />
          ) : null}
        </Box>
      )}
      {creating ? (
        <KnowledgeBaseDialog
          workspaceId={workspaceId}
          onClose={() => setCreating(false)}
          onCreated={(kb) => {
            setCreating(false);
            queryClient.setQueryData(listKey, [kb, ...kbs.filter((k) => k.id !== kb.id)]);
            void queryClient.invalidateQueries({ queryKey: queryKeys.knowledgeBases.list() });
            select(kb.id);
          }}
        />
      ) : null}
    </Box>
  );
}
