/** The embedding provider and model of a knowledge base, as creating and re-indexing ask. */
import { MenuItem, TextField } from "@mui/material";

import type { Schemas } from "../api/client";

export type Provider = Schemas["EmbeddingProvider"];

export const PROVIDERS: { value: Provider; label: string; model: string; help: string }[] = [
  {
    value: "local",
    label: "Local (sentence-transformers)",
    model: "all-MiniLM-L6-v2",
    help: "Runs on the worker's CPU; no API key, nothing leaves the server.",
  },
  { value: "openai", label: "OpenAI", model: "text-embedding-3-small", help: "Needs the OpenAI key." },
  { value: "gemini", label: "Google Gemini", model: "text-embedding-004", help: "Needs the Gemini key." },
];

/**
 * Switching provider keeps a model the person typed and replaces one they did not: empty,
 * the previous provider's default, or the model ``inUse``. The model offered for a
 * provider is its default, or ``inUse.model`` for the provider in use.
 */
export function EmbeddingFields({
  provider,
  model,
  onChange,
  inUse,
}: {
  provider: Provider;
  model: string;
  onChange: (provider: Provider, model: string) => void;
  inUse?: { provider: Provider; model: string };
}) {
  const chosen = PROVIDERS.find((p) => p.value === provider) ?? PROVIDERS[0];
  return (
    <>
      <TextField
        select
        fullWidth
        margin="dense"
        label="Embedding provider"
        value={provider}
        onChange={(e) => {
          const next = PROVIDERS.find((p) => p.value === e.target.value) ?? PROVIDERS[0];
          const untyped = !model.trim() || model === chosen.model || model === inUse?.model;
          const offered = next.value === inUse?.provider ? inUse.model : next.model;
          onChange(next.value, untyped ? offered : model);
        }}
        helperText={chosen.help}
      >
        {PROVIDERS.map((p) => (
          <MenuItem key={p.value} value={p.value}>
            {p.label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        fullWidth
        margin="dense"
        label="Embedding model"
        value={model}
        onChange={(e) => onChange(provider, e.target.value)}
        helperText={`Default: ${chosen.model}`}
        slotProps={{ htmlInput: { maxLength: 100 } }}
      />
    </>
  );
}
