/**
 * The connection form's state as request bodies (`POST /connections`,
 * `PATCH /connections/{name}`), and where the server's refusal belongs in the form.
 *
 * The API key is write-only: the form never holds a stored key (the API never returns
 * one). Creating sends a key only when one was typed; editing sends `api_key` only to
 * replace the stored key (the new value) or to remove it (`null`); otherwise the stored
 * key stays as it is.
 */
import { ApiError, type Schemas } from "../api/client";
import type { LlmProvider } from "./useConnections";

/** As the API checks it: lower-case letters, digits and dashes. */
export const CONNECTION_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What happens to a stored key when an edit is saved. */
export type KeyAction = "keep" | "replace" | "remove";

export interface ConnectionFormState {
  name: string;
  provider: LlmProvider;
  baseUrl: string;
  /** A key typed into the form (write-only); empty when none was typed. */
  apiKey: string;
  keyAction: KeyAction;
  models: string[];
  allowPrivateNetwork: boolean;
  description: string;
}

/** Model names from text typed as a comma (or whitespace) separated list. */
export function splitModels(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((m) => m.trim())
    .filter(Boolean);
}

/** The list without repeats, in first-seen order. */
export function uniqueModels(models: string[]): string[] {
  return [...new Set(models.map((m) => m.trim()).filter(Boolean))];
}

export function nameError(name: string): string | null {
  if (!name) return "A name is required";
  if (!CONNECTION_NAME_PATTERN.test(name)) return "Lower-case letters, digits and dashes, starting with a letter or digit";
  return null;
}

export function baseUrlError(provider: LlmProvider, baseUrl: string): string | null {
  const url = baseUrl.trim();
  if (!url) return provider === "openai-compatible" ? "Required for an OpenAI-compatible server" : null;
  if (!/^https?:\/\/\S+$/.test(url)) return "A URL like http://host:port/v1";
  return null;
}

export function createBody(form: ConnectionFormState): Schemas["ConnectionCreate"] {
  const body: Schemas["ConnectionCreate"] = {
    name: form.name,
    provider: form.provider,
    models: uniqueModels(form.models),
    allow_private_network: form.allowPrivateNetwork,
    description: form.description.trim(),
  };
  const url = form.baseUrl.trim();
  if (url) body.base_url = url;
  if (form.apiKey) body.api_key = form.apiKey;
  return body;
}

export function updateBody(form: ConnectionFormState): Schemas["ConnectionUpdate"] {
  const body: Schemas["ConnectionUpdate"] = {
    base_url: form.baseUrl.trim() || null,
    models: uniqueModels(form.models),
    allow_private_network: form.allowPrivateNetwork,
    description: form.description.trim(),
  };
  if (form.keyAction === "replace" && form.apiKey) body.api_key = form.apiKey;
  else if (form.keyAction === "remove") body.api_key = null;
  return body;
}

/**
 * The form field a refusal names, if any: `details.field` (a refused URL, a missing one)
 * or the first of `details.problems` (the request's own validation).
 */
export function refusedField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const { field, problems } = error.details;
  if (typeof field === "string") return field.split(".")[0];
  if (Array.isArray(problems)) {
    for (const p of problems as unknown[]) {
      const named = (p as { field?: unknown } | null)?.field;
      if (typeof named === "string" && named) return named.split(".")[0];
    }
  }
  return null;
}
