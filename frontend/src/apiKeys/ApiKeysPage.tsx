/**
 * The user's API keys, for programs (`Authorization: Bearer gsk_…`): name, prefix, scope,
 * when created, when it expires, when and from where it was last used, how often, and
 * whether it is revoked. Create (the secret shown once), revoke after a confirmation.
 */
import {
  Box,
  Button,
  Chip,
  CircularProgress,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { CreateKeyDialog } from "./CreateKeyDialog";
import { SCOPES, useApiKeyList, withoutSecret, type ApiKey } from "./useApiKeys";

const when = (at: string | null | undefined) => (at ? new Date(at).toLocaleString() : null);

export function ApiKeysPage() {
  const queryClient = useQueryClient();
  const list = useApiKeyList();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = list.data ?? [];
  const put = (key: ApiKey) =>
    queryClient.setQueryData<ApiKey[]>(queryKeys.apiKeys.list(), (now) =>
      now?.some((k) => k.id === key.id) ? now.map((k) => (k.id === key.id ? key : k)) : [key, ...(now ?? [])],
    );

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1300, width: "100%", mx: "auto" }}>
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: "center" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          API keys
        </Typography>
        <Button variant="contained" onClick={() => setCreating(true)}>
          Create key
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2, maxWidth: 820 }}>
        Programs call the API with a key: <code>Authorization: Bearer gsk_…</code>. A key acts as
        you, within your role in each workspace, limited by its scope; its use is recorded. Keys
        cannot manage keys or members, and a revoked or expired key gets 401.
      </Typography>
      <ErrorAlert error={list.error} title="Could not load your API keys" />
      {list.isPending ? (
        <CircularProgress aria-label="Loading API keys" />
      ) : keys.length === 0 ? (
        list.error ? null : (
          <Typography color="text.secondary" sx={{ mt: 4, textAlign: "center" }}>
            No API keys yet.
          </Typography>
        )
      ) : (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="API keys">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Prefix</TableCell>
                <TableCell>Scope</TableCell>
                <TableCell>Created</TableCell>
                <TableCell>Expires</TableCell>
                <TableCell>Last used</TableCell>
                <TableCell align="right">Uses</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {keys.map((k) => (
                <KeyRow key={k.id} apiKey={k} fetchedAt={list.dataUpdatedAt} onRevoke={() => setRevoking(k)} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {creating ? (
        <CreateKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(created) => {
            put(withoutSecret(created));
            void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.list() });
          }}
        />
      ) : null}
      {revoking ? (
        <ConfirmDialog
          title={`Revoke key “${revoking.name}”?`}
          confirmLabel="Revoke"
          onClose={() => setRevoking(null)}
          onConfirm={async () => {
            const revoked = await unwrap(
              api.DELETE("/api/v1/api-keys/{key_id}", { params: { path: { key_id: revoking.id } } }),
            );
            put(revoked);
            void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys.list() });
          }}
        >
          Programs using it get 401 from now on. This cannot be undone; create another key if
          one is needed again.
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}

function KeyRow({ apiKey: k, fetchedAt, onRevoke }: { apiKey: ApiKey; fetchedAt: number; onRevoke: () => void }) {
  const scope = SCOPES.find((s) => s.value === k.scope);
  // Expired when the list was fetched (the page refetches it when it is shown again).
  const expired = k.expires_at !== null && new Date(k.expires_at).getTime() <= fetchedAt;
  return (
    <TableRow data-testid={`api-key-${k.name}`}>
      <TableCell sx={{ fontWeight: 600, wordBreak: "break-word" }}>{k.name}</TableCell>
      <TableCell sx={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>{k.prefix}…</TableCell>
      <TableCell>
        <Tooltip title={scope?.help ?? ""}>
          <Chip size="small" variant="outlined" label={scope?.label ?? k.scope} />
        </Tooltip>
      </TableCell>
      <TableCell>{when(k.created_at)}</TableCell>
      <TableCell>{when(k.expires_at) ?? "never"}</TableCell>
      <TableCell>
        {k.last_used_at ? (
          <>
            {when(k.last_used_at)}
            {k.last_used_address ? (
              <Typography variant="caption" color="text.secondary" component="div">
                from {k.last_used_address}
              </Typography>
            ) : null}
          </>
        ) : (
          "never"
        )}
      </TableCell>
      <TableCell align="right">{k.use_count}</TableCell>
      <TableCell>
        {k.revoked_at ? (
          <Chip size="small" color="error" variant="outlined" label={`revoked ${when(k.revoked_at)}`} />
        ) : expired ? (
          <Chip size="small" color="warning" variant="outlined" label="expired" />
        ) : (
          <Chip size="small" color="success" variant="outlined" label="active" />
        )}
      </TableCell>
      <TableCell align="right">
        {k.revoked_at ? null : (
          <Button size="small" color="error" onClick={onRevoke} aria-label={`Revoke ${k.name}`}>
            Revoke
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}
