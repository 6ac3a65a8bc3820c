/**
 * An archived workflow, opened from the dashboard: a modest banner, its graph drawn
 * read-only (nothing can be moved, connected or deleted), its versions, and links to its
 * runs. "Restore" (for members who may edit) makes it active again; the builder then opens
 * it for editing.
 */
import { Alert, Button } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { ReadOnlyWorkflowView } from "./ReadOnlyWorkflowView";

export interface ArchivedWorkflowViewProps {
  workflow: Schemas["WorkflowDetail"];
  components: Schemas["ComponentOut"][];
  /** Whether the user's role may restore it (editors and owners). */
  canRestore?: boolean;
}

export function ArchivedWorkflowView({ workflow, components, canRestore = true }: ArchivedWorkflowViewProps) {
  const queryClient = useQueryClient();
  const restore = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workflows/{workflow_id}/unarchive", {
          params: { path: { workflow_id: workflow.id } },
        }),
      ),
    onSuccess: (restored) => {
      // The builder page reads this query: with the workflow active again it opens the editor.
      queryClient.setQueryData(queryKeys.workflows.detail(workflow.id), restored);
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows.list() });
    },
  });
  const archivedAt = workflow.archived_at ? new Date(workflow.archived_at).toLocaleString() : "";

  return (
    <ReadOnlyWorkflowView
      workflow={workflow}
      components={components}
      back={{ to: "/?view=archived", label: "Back to archived workflows" }}
      banner={
        <Alert
          severity="info"
          data-testid="archived-banner"
          action={
            canRestore ? (
              <Button color="inherit" size="small" onClick={() => restore.mutate()} disabled={restore.isPending}>
                Restore
              </Button>
            ) : undefined
          }
        >
          “{workflow.name}” was archived {archivedAt}. It is read-only: it cannot be edited or run,
          and its runs, versions and chats stay readable.
        </Alert>
      }
    >
      <ErrorAlert error={restore.error} title="Could not restore" />
    </ReadOnlyWorkflowView>
  );
}
