/** The workflow queries shared by several screens. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";

/**
 * Active workflows: of one workspace (the dashboard, the runs' workflow filter), or, with
 * no workspace named, of every workspace of the user (names of runs). `null` names a
 * workspace not known yet (the list of workspaces is loading): nothing is fetched.
 */
export function useWorkflowList(workspaceId?: string | null) {
  return useQuery({
    queryKey: workspaceId ? queryKeys.workflows.inWorkspace(workspaceId) : queryKeys.workflows.list(),
    enabled: workspaceId !== null,
    queryFn: () =>
      unwrap(api.GET("/api/v1/workflows", { params: { query: workspaceId ? { workspace_id: workspaceId } : {} } })),
  });
}

/** A workspace's archived (deleted) workflows, most recently archived first. */
export function useArchivedWorkflowList(workspaceId: string | null) {
  return useQuery({
    queryKey: queryKeys.workflows.archived(workspaceId ?? ""),
    enabled: workspaceId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workflows", {
          params: { query: { archived: true, workspace_id: workspaceId ?? undefined } },
        }),
      ),
  });
}

/** A workflow's published versions, newest first (versions dialog, chat version select). */
export function useWorkflowVersions(workflowId: string) {
  return useQuery({
    queryKey: queryKeys.workflows.versions(workflowId),
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/workflows/{workflow_id}/versions", {
          params: { path: { workflow_id: workflowId } },
        }),
      ),
  });
}
