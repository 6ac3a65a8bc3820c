/**
 * API keys (`/api/v1/api-keys`): the user's keys (never their secrets), the scopes a key
 * may have and the expiries offered. Managing keys needs a login: a key cannot manage keys.
 */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export type ApiKey = Schemas["ApiKeyOut"];
export type CreatedApiKey = Schemas["ApiKeyCreated"];
export type KeyScope = Schemas["KeyScope"];

export const SCOPES: readonly { value: KeyScope; label: string; help: string }[] = [
  { value: "read", label: "Read", help: "Reads workflows, versions, runs, answers and knowledge bases; changes nothing." },
  { value: "run", label: "Run", help: "Reads, and runs workflows: execute, chat, re-run and replay." },
  {
    value: "full",
    label: "Full",
    help: "Everything your roles allow, building and publishing included (never keys or members).",
  },
];

/** Days until the key expires; null: never. */
export const EXPIRIES: readonly { days: number | null; label: string }[] = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 180, label: "180 days" },
  { days: 365, label: "1 year" },
  { days: null, label: "Never" },
];

export const DEFAULT_EXPIRY_DAYS = 90;

export function useApiKeyList() {
  return useQuery({
    queryKey: queryKeys.apiKeys.list(),
    queryFn: () => unwrap(api.GET("/api/v1/api-keys")),
  });
}

/** The key as the list holds it: the secret of a new key never goes into the cache. */
export function withoutSecret(created: CreatedApiKey): ApiKey {
  return {
    id: created.id,
    name: created.name,
    prefix: created.prefix,
    scope: created.scope,
    created_at: created.created_at,
    expires_at: created.expires_at,
    last_used_at: created.last_used_at,
    last_used_address: created.last_used_address,
    use_count: created.use_count,
    revoked_at: created.revoked_at,
  };
}
