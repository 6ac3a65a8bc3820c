/**
 * Provider connections, for administrators: the environment's (read-only, from the
 * server's settings) and the administrators' own, which can be added, changed and deleted.
 * Graphs name a connection; its URL and key stay on the server. Other users are told the
 * page is for administrators (the API refuses them regardless).
 */
import {
  Alert,
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
import { useAuth } from "../auth/useAuth";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorAlert } from "../components/ErrorAlert";
import { ConnectionDialog } from "./ConnectionDialog";
import { useConnectionList, type Connection } from "./useConnections";

export function ConnectionsPage() {
  const { user } = useAuth();
  if (!user?.is_admin) {
    return (
      <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 720 }}>
        <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
          Connections
        </Typography>
        <Alert severity="info">
          Only administrators manage provider connections. Choose one in a workflow's LLM
          Engine node; ask an administrator to add or change one.
        </Alert>
      </Box>
    );
  }
  return <ConnectionsAdmin />;
}

type Editing = { kind: "add" } | { kind: "edit"; connection: Connection } | null;

function ConnectionsAdmin() {
  const queryClient = useQueryClient();
  const list = useConnectionList();
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<Connection | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: queryKeys.connections.list() });
  const connections = list.data ?? [];

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1200, width: "100%", mx: "auto" }}>
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: "center" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Connections
        </Typography>
        <Button variant="contained" onClick={() => setEditing({ kind: "add" })}>
          Add connection
        </Button>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2, maxWidth: 820 }}>
        A connection is a model provider with its URL, key and allowed models. Workflows name a
        connection in their LLM Engine nodes; the URL and key never leave the server. The
        environment's connections come from the server's settings and are changed there.
      </Typography>
      <ErrorAlert error={list.error} title="Could not load connections" />
      {list.isPending ? (
        <CircularProgress aria-label="Loading connections" />
      ) : connections.length ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Connections">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Provider</TableCell>
                <TableCell>Base URL</TableCell>
                <TableCell>Key</TableCell>
                <TableCell>Allowed models</TableCell>
                <TableCell>Private network</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {connections.map((c) => (
                <ConnectionRow
                  key={c.name}
                  connection={c}
                  onEdit={() => setEditing({ kind: "edit", connection: c })}
                  onDelete={() => setDeleting(c)}
                />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
      {editing ? (
        <ConnectionDialog
          connection={editing.kind === "edit" ? editing.connection : undefined}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete connection ${deleting.name}?`}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await unwrap(api.DELETE("/api/v1/connections/{name}", { params: { path: { name: deleting.name } } }));
            refresh();
          }}
        >
          Its key is deleted with it. Workflows whose LLM Engine names it stop validating until
          they choose another connection.
        </ConfirmDialog>
      ) : null}
    </Box>
  );
}

function ConnectionRow({
  connection: c,
  onEdit,
  onDelete,
}: {
  connection: Connection;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const environment = c.source === "environment";
  return (
    <TableRow data-testid={`connection-${c.name}`}>
      <TableCell>
        <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            {c.name}
          </Typography>
          {environment ? (
            <Tooltip title="Defined by the server's settings: change it there">
              <Chip size="small" variant="outlined" label="environment · read-only" />
            </Tooltip>
          ) : null}
        </Stack>
        {c.description ? (
          <Typography variant="caption" color="text.secondary">
            {c.description}
          </Typography>
        ) : null}
      </TableCell>
      <TableCell>{c.provider}</TableCell>
      <TableCell sx={{ wordBreak: "break-all" }}>
        {c.base_url ?? (
          <Typography variant="body2" component="span" color="text.secondary">
            provider's default
          </Typography>
        )}
      </TableCell>
      <TableCell>
        {c.has_key ? (
          <Chip size="small" color="success" variant="outlined" label="key stored" />
        ) : (
          <Chip size="small" variant="outlined" label="no key" />
        )}
      </TableCell>
      <TableCell>
        {c.models.length ? (
          <Stack direction="row" sx={{ flexWrap: "wrap", gap: 0.5 }}>
            {c.models.map((m) => (
              <Chip key={m} size="small" label={m} />
            ))}
          </Stack>
        ) : (
          <Typography variant="body2" component="span" color="text.secondary">
            any
          </Typography>
        )}
      </TableCell>
      <TableCell>{environment ? "—" : c.allow_private_network ? "allowed" : "refused"}</TableCell>
      <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
        {environment ? null : (
          <>
            <Button size="small" onClick={onEdit} aria-label={`Edit ${c.name}`}>
              Edit
            </Button>
            <Button size="small" color="error" onClick={onDelete} aria-label={`Delete ${c.name}`}>
              Delete
            </Button>
          </>
        )}
      </TableCell>
    </TableRow>
  );
}
