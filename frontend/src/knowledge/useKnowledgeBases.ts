/** The knowledge base lists, shared by the knowledge bases page and the builder's picker. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";

/**
 * Knowledge bases: of one workspace (the page, a workflow's picker: a graph may only name
 * its own workspace's), or of every workspace of the user when none is named. `null` names
 * a workspace not known yet: nothing is fetched.
 */
export function useKnowledgeBaseList(workspaceId?: string | null) {
  return useQuery({
    queryKey: workspaceId ? queryKeys.knowledgeBases.inWorkspace(workspaceId) : queryKeys.knowledgeBases.list(),
    enabled: workspaceId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/knowledge-bases", { params: { query: workspaceId ? { workspace_id: workspaceId } : {} } }),
      ),
  });
}
