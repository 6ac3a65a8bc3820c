/**
 * The LLM Engine's provider connection (`GET /connections`) and, when that connection
 * allows only some models, the model among them. An empty connection is the environment's
 * connection named like the node's provider (`openai` unless a graph from before
 * connections says otherwise), as the server resolves it.
 */
import { MenuItem, TextField, Typography } from "@mui/material";

import { messageOf } from "../api/client";
import { connectionHints, type Connection } from "../connections/useConnections";
import type { Config } from "./graphModel";

export interface ConnectionOptions {
  data: Connection[] | undefined;
  loading: boolean;
  error: unknown;
}

/** The connection an empty value stands for (the node's legacy provider, else openai). */
export function defaultConnectionName(config: Config): string {
  return typeof config.provider === "string" && config.provider ? config.provider : "openai";
}

/** The connection a node runs on, if the list knows it. */
export function effectiveConnection(config: Config, list: Connection[] | undefined): Connection | undefined {
  const name = typeof config.connection === "string" && config.connection ? config.connection : defaultConnectionName(config);
  return list?.find((c) => c.name === name);
}

function Hints({ connection }: { connection: Connection }) {
  const hints = connectionHints(connection);
  return (
    <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
      {[connection.provider, ...hints].join(" · ")}
    </Typography>
  );
}

export function ConnectionPicker({
  value,
  config,
  options,
  error,
  onChange,
}: {
  value: unknown;
  /** The node's config (its legacy provider names the default connection). */
  config: Config;
  options: ConnectionOptions;
  error?: string;
  onChange: (name: string | undefined) => void;
}) {
  const selected = typeof value === "string" ? value : "";
  const list = options.data ?? [];
  const known = !selected || list.some((c) => c.name === selected);
  const fallback = defaultConnectionName(config);
  const defaultConnection = list.find((c) => c.name === fallback);
  const current = selected ? list.find((c) => c.name === selected) : defaultConnection;
  let helper = error;
  if (!helper) {
    if (options.loading) helper = "Loading connections…";
    else if (options.error) helper = `Could not load connections: ${messageOf(options.error)}`;
    else if (!known) helper = `No connection is named “${selected}”: choose another.`;
    else if (!current && options.data) helper = `No connection is named “${fallback}”: choose one.`;
    else if (current && !current.has_key) helper = `“${current.name}” has no key: calls work only if its server needs none.`;
    else helper = "An administrator sets each connection's URL and key; they stay on the server.";
  }
  return (
    <TextField
      select
      fullWidth
      size="small"
      label="Connection"
      value={selected}
      disabled={options.loading}
      error={Boolean(error || options.error || !known || (!current && options.data))}
      helperText={helper}
      onChange={(e) => onChange(e.target.value || undefined)}
      slotProps={{
        inputLabel: { shrink: true },
        select: {
          // An empty value is a choice too: the default connection.
          displayEmpty: true,
          renderValue: (v) => {
            const name = typeof v === "string" ? v : "";
            if (!name) return `Default (${fallback})`;
            return known ? name : `Unknown connection (${name})`;
          },
        },
      }}
    >
      <MenuItem value="">
        <em>Default ({fallback})</em>
        {defaultConnection ? <Hints connection={defaultConnection} /> : null}
      </MenuItem>
      {!known ? <MenuItem value={selected}>Unknown connection ({selected})</MenuItem> : null}
      {list.map((c) => (
        <MenuItem key={c.name} value={c.name}>
          {c.name}
          <Hints connection={c} />
        </MenuItem>
      ))}
    </TextField>
  );
}

/** The model, among the models the node's connection allows. */
export function ModelSelect({
  value,
  fallback,
  connection,
  error,
  onChange,
}: {
  value: unknown;
  /** The component's default model (what an unset value means). */
  fallback: unknown;
  connection: Connection;
  error?: string;
  onChange: (model: string) => void;
}) {
  const shown = typeof value === "string" ? value : typeof fallback === "string" ? fallback : "";
  const allowed = connection.models.includes(shown);
  const message =
    error ?? (allowed ? `The models “${connection.name}” allows.` : `“${connection.name}” does not allow ${shown ? `“${shown}”` : "this"}: choose one of its models.`);
  return (
    <TextField
      select
      fullWidth
      size="small"
      label="Model"
      value={shown}
      error={Boolean(error) || !allowed}
      helperText={message}
      onChange={(e) => onChange(e.target.value)}
    >
      {!allowed ? (
        <MenuItem value={shown} disabled>
          {shown || "Not set"} (not allowed)
        </MenuItem>
      ) : null}
      {connection.models.map((m) => (
        <MenuItem key={m} value={m}>
          {m}
        </MenuItem>
      ))}
    </TextField>
  );
}
