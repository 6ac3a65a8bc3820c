/** Provider connections (`/api/v1/connections`): the list every user may read, for the
 * administrators' page and the builder's connection picker. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export type Connection = Schemas["ConnectionOut"];
export type LlmProvider = Schemas["LlmProvider"];

export const PROVIDERS: readonly LlmProvider[] = ["openai", "gemini", "openai-compatible"];

export function useConnectionList() {
  return useQuery({
    queryKey: queryKeys.connections.list(),
    queryFn: () => unwrap(api.GET("/api/v1/connections")),
  });
}

/** What a user choosing a connection should know: no key, or only some models. */
export function connectionHints(connection: Pick<Connection, "has_key" | "models">): string[] {
  const hints: string[] = [];
  if (!connection.has_key) hints.push("no key");
  const n = connection.models.length;
  if (n) hints.push(n === 1 ? `only ${connection.models[0]}` : `${n} models only`);
  return hints;
}
