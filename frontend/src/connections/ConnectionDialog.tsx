/**
 * Adds a provider connection or changes one (administrators): name and provider (fixed
 * once created), base URL, the API key (write-only: "key stored", replace or remove; never
 * a value), allowed models as chips, whether private addresses are allowed, a description.
 * The server's refusal (a URL the SSRF guard refuses, a taken name) shows in the form.
 */
import {
  Alert,
  Autocomplete,
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormHelperText,
  MenuItem,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { api, ApiError, messageOf, unwrap } from "../api/client";
import {
  baseUrlError,
  createBody,
  nameError,
  refusedField,
  splitModels,
  uniqueModels,
  updateBody,
  type ConnectionFormState,
  type KeyAction,
} from "./connectionForm";
import { PROVIDERS, type Connection, type LlmProvider } from "./useConnections";

const URL_HELP: Record<LlmProvider, string> = {
  openai: "Optional: leave empty for https://api.openai.com/v1.",
  gemini: "Optional: leave empty for Google's endpoint.",
  "openai-compatible": "Required, e.g. http://127.0.0.1:11434/v1 (Ollama) or http://vllm:8000/v1.",
};

function initialState(connection: Connection | undefined): ConnectionFormState {
  return {
    name: connection?.name ?? "",
    provider: connection?.provider ?? "openai",
    baseUrl: connection?.base_url ?? "",
    apiKey: "", // never pre-filled: the API does not return keys
    keyAction: "keep",
    models: connection?.models ?? [],
    allowPrivateNetwork: connection?.allow_private_network ?? false,
    description: connection?.description ?? "",
  };
}

export function ConnectionDialog({
  connection,
  onClose,
  onSaved,
}: {
  /** The connection to change; none to add one. */
  connection?: Connection;
  onClose: () => void;
  onSaved: (saved: Connection) => void;
}) {
  const editing = connection !== undefined;
  const [form, setForm] = useState<ConnectionFormState>(() => initialState(connection));
  const [modelText, setModelText] = useState("");
  const [touched, setTouched] = useState(false);
  const set = <K extends keyof ConnectionFormState>(key: K, value: ConnectionFormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));

  // Model names typed but not yet turned into a chip count too.
  const withPending = (f: ConnectionFormState) => ({ ...f, models: uniqueModels([...f.models, ...splitModels(modelText)]) });
  const save = useMutation({
    mutationFn: () =>
      editing
        ? unwrap(
            api.PATCH("/api/v1/connections/{name}", {
              params: { path: { name: connection.name } },
              body: updateBody(withPending(form)),
            }),
          )
        : unwrap(api.POST("/api/v1/connections", { body: createBody(withPending(form)) })),
    onSuccess: (saved) => onSaved(saved),
  });

  const localName = editing ? null : nameError(form.name);
  const localUrl = baseUrlError(form.provider, form.baseUrl);
  const keyMissing = form.keyAction === "replace" && !form.apiKey;
  const invalid = Boolean(localName || localUrl || keyMissing);
  // A taken or reserved name (409) belongs to the name field.
  const conflict = save.error instanceof ApiError && save.error.status === 409 && !editing;
  const refused = save.error ? (refusedField(save.error) ?? (conflict ? "name" : null)) : null;
  const serverError = (field: string) => (refused === field ? messageOf(save.error) : null);
  const submit = () => {
    setTouched(true);
    if (!invalid && !save.isPending) save.mutate();
  };
  const shown = (local: string | null) => (touched ? local : null);

  const nameMessage = serverError("name") ?? shown(localName);
  const urlMessage = serverError("base_url") ?? shown(localUrl);
  const keyMessage = serverError("api_key") ?? (touched && keyMissing ? "Type the new key, or cancel" : null);
  const modelsMessage = serverError("models");
  const chooseKey = (action: KeyAction) => setForm((f) => ({ ...f, keyAction: action, apiKey: "" }));

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{editing ? `Edit connection ${connection.name}` : "Add a connection"}</DialogTitle>
      <DialogContent>
        {save.error ? (
          <Alert severity="error" role="alert" sx={{ my: 1 }} data-testid="connection-error">
            <strong>Could not save: </strong>
            {messageOf(save.error)}
          </Alert>
        ) : null}
        <Stack spacing={2} sx={{ mt: 1 }}>
          <TextField
            // eslint-disable-next-line jsx-a11y/no-autofocus -- a modal dialog moves focus to its first field (WAI-ARIA dialog pattern)
            autoFocus={!editing}
            fullWidth
            size="small"
            label="Name"
            value={form.name}
            disabled={editing}
            onChange={(e) => set("name", e.target.value)}
            error={Boolean(nameMessage)}
            helperText={nameMessage ?? (editing ? "A connection keeps its name: graphs name it." : "How graphs name it: lower-case letters, digits and dashes.")}
            slotProps={{ htmlInput: { maxLength: 63 } }}
          />
          <TextField
            select
            fullWidth
            size="small"
            label="Provider"
            value={form.provider}
            disabled={editing}
            onChange={(e) => set("provider", e.target.value as LlmProvider)}
            helperText={editing ? "Fixed once created: add another connection for another provider." : "openai-compatible covers Ollama, vLLM, OpenRouter and the like."}
          >
            {PROVIDERS.map((p) => (
              <MenuItem key={p} value={p}>
                {p}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            fullWidth
            size="small"
            label="Base URL"
            value={form.baseUrl}
            onChange={(e) => set("baseUrl", e.target.value)}
            error={Boolean(urlMessage)}
            helperText={urlMessage ?? URL_HELP[form.provider]}
            slotProps={{ htmlInput: { maxLength: 500, spellCheck: false } }}
          />
          <KeyField
            hasKey={Boolean(connection?.has_key)}
            editing={editing}
            action={form.keyAction}
            value={form.apiKey}
            error={keyMessage}
            onAction={chooseKey}
            onChange={(key) => set("apiKey", key)}
          />
          <Autocomplete
            multiple
            freeSolo
            size="small"
            options={[]}
            value={form.models}
            inputValue={modelText}
            onChange={(_, value) => set("models", uniqueModels(value))}
            onInputChange={(_, text, reason) => {
              if (reason === "input" && /[,\s]/.test(text)) {
                const parts = text.split(/[,\s]+/);
                const rest = parts.pop() ?? "";
                setForm((f) => ({ ...f, models: uniqueModels([...f.models, ...parts]) }));
                setModelText(rest);
              } else {
                setModelText(text);
              }
            }}
            renderInput={(params) => (
              <TextField
                {...params}
                label="Allowed models"
                placeholder={form.models.length ? "" : "any model"}
                error={Boolean(modelsMessage)}
                helperText={
                  modelsMessage ??
                  "Enter or a comma after each model. Empty: graphs may use any model; otherwise only these."
                }
              />
            )}
          />
          <Box>
            <FormControlLabel
              control={
                <Switch
                  checked={form.allowPrivateNetwork}
                  onChange={(e) => set("allowPrivateNetwork", e.target.checked)}
                />
              }
              label="Allow private network (local Ollama/vLLM)"
            />
            <FormHelperText sx={{ mt: 0 }}>
              The URL may then resolve to loopback or private addresses, such as a model server on
              this machine or your network. Leave it off for internet providers: the server then
              refuses any address inside the network, so a connection cannot reach internal
              services. Metadata addresses are refused either way.
            </FormHelperText>
          </Box>
          <TextField
            fullWidth
            size="small"
            label="Description"
            value={form.description}
            onChange={(e) => set("description", e.target.value)}
            multiline
            minRows={2}
            slotProps={{ htmlInput: { maxLength: 1000 } }}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button variant="contained" disabled={save.isPending || (touched && invalid)} onClick={submit}>
          {editing ? "Save" : "Add"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The API key, write-only. Creating: an optional password field. Editing: "key stored"
 * with Replace and Remove (or "no key stored" with Add), never the key itself.
 */
function KeyField({
  hasKey,
  editing,
  action,
  value,
  error,
  onAction,
  onChange,
}: {
  hasKey: boolean;
  editing: boolean;
  action: KeyAction;
  value: string;
  error: string | null;
  onAction: (action: KeyAction) => void;
  onChange: (key: string) => void;
}) {
  const input = (label: string, help: string) => (
    <TextField
      fullWidth
      size="small"
      type="password"
      label={label}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={Boolean(error)}
      helperText={error ?? help}
      autoComplete="new-password"
      slotProps={{ htmlInput: { maxLength: 4096, spellCheck: false } }}
    />
  );
  if (!editing) {
    return input("API key", "Optional (a local server may need none). Stored encrypted; never shown again.");
  }
  if (action === "replace") {
    return (
      <Stack direction="row" spacing={1} sx={{ alignItems: "flex-start" }}>
        {input(hasKey ? "New API key" : "API key", "Stored encrypted; never shown again.")}
        <Button onClick={() => onAction("keep")} sx={{ mt: 0.25, flexShrink: 0 }}>
          {hasKey ? "Keep the stored key" : "Don't add a key"}
        </Button>
      </Stack>
    );
  }
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }} data-testid="key-state">
      {action === "remove" ? (
        <>
          <Typography variant="body2" color="warning.main" sx={{ flexGrow: 1 }}>
            The key will be removed when you save.
          </Typography>
          <Button size="small" onClick={() => onAction("keep")}>
            Keep the stored key
          </Button>
        </>
      ) : hasKey ? (
        <>
          <Chip size="small" color="success" variant="outlined" label="Key stored" />
          <Typography variant="caption" color="text.secondary" sx={{ flexGrow: 1 }}>
            Encrypted on the server; it is never shown.
          </Typography>
          <Button size="small" onClick={() => onAction("replace")}>
            Replace
          </Button>
          <Button size="small" color="error" onClick={() => onAction("remove")}>
            Remove
          </Button>
        </>
      ) : (
        <>
          <Typography variant="body2" color="text.secondary" sx={{ flexGrow: 1 }}>
            No key stored.
          </Typography>
          <Button size="small" onClick={() => onAction("replace")}>
            Add a key
          </Button>
        </>
      )}
    </Stack>
  );
}
