/**
 * Creates an API key (name, scope, expiry), then shows its secret this once, with a copy
 * button and a warning: the server keeps only a hash, and the secret leaves this dialog's
 * state when it closes (it never enters the query cache).
 */
import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import {
  Alert,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  ListItemText,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { api, unwrap } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { DEFAULT_EXPIRY_DAYS, EXPIRIES, SCOPES, type CreatedApiKey, type KeyScope } from "./useApiKeys";

const NEVER = "never";

export function CreateKeyDialog({
  onCreated,
  onClose,
}: {
  /** The new key (with its secret, which the caller must not keep). */
  onCreated: (created: CreatedApiKey) => void;
  onClose: () => void;
}) {
  const [name, setName] = useState("");
  const [scope, setScope] = useState<KeyScope>("run");
  const [expiry, setExpiry] = useState(String(DEFAULT_EXPIRY_DAYS));
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/api-keys", {
          body: { name: name.trim(), scope, expires_in_days: expiry === NEVER ? null : Number(expiry) },
        }),
      ),
    onSuccess: (key) => {
      setCreated(key);
      onCreated(key);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (name.trim() && !create.isPending) create.mutate();
  };
  const copy = (secret: string) => {
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) {
      setCopied("failed");
      return;
    }
    clipboard.writeText(secret).then(
      () => setCopied("yes"),
      () => setCopied("failed"),
    );
  };

  if (created) {
    return (
      <Dialog open onClose={onClose} fullWidth maxWidth="sm">
        <DialogTitle>Your new API key</DialogTitle>
        <DialogContent>
          <Alert severity="warning" sx={{ mb: 2 }}>
            Copy it now: it will not be shown again. The server keeps only a hash of it; if it is
            lost, revoke it and create another.
          </Alert>
          <Stack direction="row" spacing={1} sx={{ alignItems: "flex-start" }}>
            <TextField
              fullWidth
              size="small"
              label={`Key “${created.name}”`}
              value={created.key}
              slotProps={{
                htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: "monospace" } },
              }}
              onFocus={(e) => e.target.select()}
              data-testid="new-key"
            />
            <Button variant="contained" startIcon={<ContentCopyIcon />} onClick={() => copy(created.key)} sx={{ flexShrink: 0 }}>
              Copy
            </Button>
          </Stack>
          {copied === "yes" ? (
            <Typography variant="caption" color="success.main" role="status">
              Copied to the clipboard.
            </Typography>
          ) : copied === "failed" ? (
            <Typography variant="caption" color="error" role="status">
              The clipboard is not available here: select the key and copy it yourself.
            </Typography>
          ) : null}
          <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
            Programs send it as <code>Authorization: Bearer {created.prefix}…</code>
          </Typography>
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={onClose}>
            Done
          </Button>
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <form onSubmit={submit} noValidate>
        <DialogTitle>Create an API key</DialogTitle>
        <DialogContent>
          <ErrorAlert error={create.error} title="Could not create the key" />
          <Stack spacing={2} sx={{ mt: 1 }}>
            <TextField
              // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
              autoFocus
              size="small"
              label="Name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              helperText="What uses it, e.g. “nightly report job”."
              slotProps={{ htmlInput: { maxLength: 100 } }}
            />
            <TextField
              select
              size="small"
              label="Scope"
              value={scope}
              onChange={(e) => setScope(e.target.value as KeyScope)}
              helperText={SCOPES.find((s) => s.value === scope)?.help}
              slotProps={{ select: { renderValue: (v) => SCOPES.find((s) => s.value === v)?.label ?? String(v) } }}
            >
              {SCOPES.map((s) => (
                <MenuItem key={s.value} value={s.value}>
                  <ListItemText primary={s.label} secondary={s.help} />
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              size="small"
              label="Expires after"
              value={expiry}
              onChange={(e) => setExpiry(e.target.value)}
              helperText={expiry === NEVER ? "It works until you revoke it." : "Requests with it then get 401."}
            >
              {EXPIRIES.map((e) => (
                <MenuItem key={e.label} value={e.days === null ? NEVER : String(e.days)}>
                  {e.label}
                </MenuItem>
              ))}
            </TextField>
            <Typography variant="body2" color="text.secondary">
              A key acts as you, within your roles in each workspace and its scope.
            </Typography>
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!name.trim() || create.isPending}>
            Create
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
