/**
 * Run history of the current workspace: filter by workflow, status, kind and start time;
 * pages by cursor. A workflow named in the URL (a link from a workflow of another
 * workspace) shows its runs whatever the current workspace is.
 */
import { Box, Button, CircularProgress, Typography } from "@mui/material";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { useWorkflowList } from "../workflows/useWorkflows";
import { useCurrentWorkspace } from "../workspaces/useWorkspaces";
import { localInputToIso } from "./format";
import { RunFilters, type RunFilterValues } from "./RunFilters";
import { RunsTable, type Run } from "./RunsTable";

const PAGE_SIZE = 50;

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const filters: RunFilterValues = {
    workflow: params.get("workflow") ?? "",
    status: params.get("status") ?? "",
    kind: params.get("kind") ?? "",
    after: params.get("after") ?? "",
    before: params.get("before") ?? "",
  };
  const setFilter = (name: keyof RunFilterValues, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const anyFilter = Object.values(filters).some(Boolean);

  const current = useCurrentWorkspace();
  const workspaceId = current.workspace?.id ?? null;
  const workflows = useWorkflowList(workspaceId);
  const names = useMemo(
    () => new Map((workflows.data ?? []).map((w) => [w.id, w.name])),
    [workflows.data],
  );
  // A workflow filter names its workspace already; otherwise the current workspace's runs.
  const workspaceFilter = filters.workflow ? "" : (workspaceId ?? "");

  const runs = useInfiniteQuery({
    queryKey: queryKeys.runs.list({ ...filters, workspace: workspaceFilter }),
    enabled: Boolean(filters.workflow) || workspaceId !== null,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/runs", {
          params: {
            query: {
              workflow_id: filters.workflow || undefined,
              workspace_id: workspaceFilter || undefined,
              status: filters.status || undefined,
              kind: filters.kind || undefined,
              started_after: localInputToIso(filters.after),
              started_before: localInputToIso(filters.before),
              cursor: pageParam ?? undefined,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: (query) =>
      query.state.data?.pages.some((p) => p.items.some((r) => r.status === "running")) ? 3000 : false,
  });
  const items: Run[] = runs.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1400, width: "100%", mx: "auto" }}>
      <Typography variant="h5" component="h1" sx={{ mb: 2 }}>
        Runs
      </Typography>
      <RunFilters
        filters={filters}
        workflows={workflows.data}
        names={names}
        anyFilter={anyFilter}
        onChange={setFilter}
        onClear={() => setParams(new URLSearchParams(), { replace: true })}
      />
      <ErrorAlert error={current.error} title="Could not load your workspaces" />
      <ErrorAlert error={workflows.error} title="Could not load workflows" />
      <ErrorAlert error={runs.error} title="Could not load runs" />
      {runs.isPending && !current.error ? (
        <CircularProgress aria-label="Loading runs" />
      ) : items.length === 0 && !runs.error ? (
        <Typography color="text.secondary" sx={{ mt: 4, textAlign: "center" }}>
          {anyFilter ? "No run matches these filters." : "No runs yet — chat with a workflow to start one."}
        </Typography>
      ) : (
        <RunsTable runs={items} names={names} />
      )}
      {runs.hasNextPage ? (
        <Box sx={{ textAlign: "center", mt: 2 }}>
          <Button variant="outlined" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </Box>
      ) : null}
    </Box>
  );
}
