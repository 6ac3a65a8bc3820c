/** The knowledge base list, shared by the knowledge bases page and the builder's picker. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";

export function useKnowledgeBaseList() {
  return useQuery({
    queryKey: queryKeys.knowledgeBases.list(),
    queryFn: () => unwrap(api.GET("/api/v1/knowledge-bases")),
  });
}
