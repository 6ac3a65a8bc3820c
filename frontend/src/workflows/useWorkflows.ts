/** The workflow queries shared by several screens. */
import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";

/** Every active workflow of the user (dashboard cards, the runs' workflow filter and names). */
export function useWorkflowList() {
  return useQuery({
    queryKey: queryKeys.workflows.list(),
    queryFn: () => unwrap(api.GET("/api/v1/workflows")),
  });
}

/** The user's archived (deleted) workflows, most recently archived first. */
export function useArchivedWorkflowList() {
  return useQuery({
    queryKey: queryKeys.workflows.archived(),
    queryFn: () => unwrap(api.GET("/api/v1/workflows", { params: { query: { archived: true } } })),
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
