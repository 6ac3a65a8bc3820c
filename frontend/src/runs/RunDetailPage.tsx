/**
 * One run: header, its answer as it is written (while it runs), step timeline, and re-run
 * / replay (members whose role may run) / audit export / compare.
 */
import {
  Alert,
  Box,
  Breadcrumbs,
  Chip,
  CircularProgress,
  Link,
  Paper,
  Stack,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Link as RouterLink, useParams } from "react-router-dom";

import { api, unwrap } from "../api/client";
import { queryKeys } from "../api/queryKeys";
import { ErrorAlert } from "../components/ErrorAlert";
import { StatusChip } from "../components/StatusChip";
import { useWorkflowList } from "../workflows/useWorkflows";
import { useWorkspaceRole } from "../workspaces/useWorkspaces";
import { durationBetween, formatTime, versionLabel } from "./format";
import { LiveAnswer } from "./LiveAnswer";
import { RunActions } from "./RunActions";
import { RunComparisonView } from "./RunComparisonView";
import { RunSummary } from "./RunSummary";
import { RunTimeline } from "./RunTimeline";
import { useLiveRun } from "./useLiveRun";
import { useRunActions } from "./useRunActions";

const POLL_MS = 1500;

export function RunDetailPage() {
  const { runId = "" } = useParams();
  const [replayFrom, setReplayFrom] = useState("");
  const [comparing, setComparing] = useState(false);
  // Another run (say, the re-run just started) starts with the defaults again.
  const [shownRunId, setShownRunId] = useState(runId);
  if (shownRunId !== runId) {
    setShownRunId(runId);
    setReplayFrom("");
    setComparing(false);
  }

  // While the run's events stream is followed, each step and the run's end refresh the
  // queries below (useLiveRun); without it they poll.
  const [indexRunning, setIndexRunning] = useState(false);
  const { live, answer } = useLiveRun(runId, indexRunning);
  const run = useQuery({
    queryKey: queryKeys.runs.detail(runId),
    queryFn: () => unwrap(api.GET("/api/v1/runs/{run_id}", { params: { path: { run_id: runId } } })),
    refetchInterval: (query) => (query.state.data?.status === "running" && !live ? POLL_MS : false),
  });
  const running = run.data?.status === "running";
  if (running !== indexRunning) setIndexRunning(running);
  const timeline = useQuery({
    queryKey: queryKeys.runs.timeline(runId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/runs/{run_id}/timeline", { params: { path: { run_id: runId } } })),
    refetchInterval: (query) =>
      !live && (running || query.state.data?.timeline.status === "running") ? POLL_MS : false,
  });
  const workflows = useWorkflowList();
  const workflowName = workflows.data?.find((w) => w.id === run.data?.workflow_id)?.name;

  const nodes = useMemo(() => timeline.data?.timeline.nodes ?? [], [timeline.data]);
  const defaultReplayNode =
    nodes.find((n) => n.component === "llm_engine")?.node_id ?? nodes[0]?.node_id ?? "";
  const replayNode = replayFrom || defaultReplayNode;

  const actions = useRunActions(runId);
  const access = useWorkspaceRole(run.data?.workspace_id);
  const parentId = run.data?.parent_run_id ?? null;
  const comparison = useQuery({
    queryKey: queryKeys.runs.compare(parentId, runId),
    enabled: comparing && parentId !== null,
    queryFn: () =>
      unwrap(
        api.GET("/api/v1/runs/{run_id}/compare/{other_run_id}", {
          params: { path: { run_id: parentId!, other_run_id: runId } },
        }),
      ),
  });

  if (run.isPending) {
    return (
      <Box sx={{ p: 3 }}>
        <CircularProgress aria-label="Loading the run" />
      </Box>
    );
  }
  if (run.error || !run.data) {
    return (
      <Box sx={{ p: 3, maxWidth: 1200, mx: "auto", width: "100%" }}>
        <BackLink />
        <ErrorAlert error={run.error} title="Could not load the run" />
      </Box>
    );
  }
  const r = run.data;
  const t = timeline.data?.timeline;
  const duration = t?.duration_ms ?? durationBetween(r.started_at, r.finished_at);

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1200, width: "100%", mx: "auto" }}>
      <BackLink />
      <Stack direction="row" sx={{ alignItems: "center", gap: 1.5, flexWrap: "wrap", mb: 2 }}>
        <Typography variant="h6" component="h1" sx={{ fontFamily: "monospace", wordBreak: "break-all" }}>
          {r.id}
        </Typography>
        <Box data-testid="run-status">
          <StatusChip status={r.status} />
        </Box>
        <Chip size="small" variant="outlined" label={r.kind} />
        <Chip size="small" variant="outlined" label={versionLabel(r.version)} />
        {running ? <CircularProgress size={18} aria-label="Run in progress" /> : null}
      </Stack>

      <RunSummary
        run={r}
        workflowName={workflowName}
        running={running}
        duration={duration}
        usage={t?.usage ?? r.usage}
      />

      {answer ? <LiveAnswer answer={answer} /> : null}

      <RunActions
        actions={actions}
        nodes={nodes}
        replayNode={replayNode}
        onReplayNode={setReplayFrom}
        running={running}
        canRun={access.can("run")}
        hasParent={parentId !== null}
        comparing={comparing}
        onToggleCompare={() => setComparing((c) => !c)}
      />

      {comparing && parentId ? (
        <Paper variant="outlined" sx={{ p: 2, my: 2 }}>
          <Typography variant="h6" component="h2" sx={{ mb: 1 }}>
            Compared with the parent run
          </Typography>
          <ErrorAlert error={comparison.error} title="Could not compare" />
          {comparison.isPending ? <CircularProgress size={24} aria-label="Comparing" /> : null}
          {comparison.data ? <RunComparisonView comparison={comparison.data} /> : null}
        </Paper>
      ) : null}

      <Stack direction="row" sx={{ alignItems: "baseline", gap: 1, mt: 3, mb: 1 }}>
        <Typography variant="h6" component="h2">
          Timeline
        </Typography>
        {t ? (
          <Typography variant="body2" color="text.secondary">
            {nodes.length} steps · {t.event_count} history events
          </Typography>
        ) : null}
      </Stack>
      <ErrorAlert error={timeline.error} title="Could not load the timeline" />
      {(t?.events ?? []).map((event, i) => (
        <Alert key={i} severity="warning" sx={{ mb: 1 }}>
          <strong>{formatTime(event.at)}</strong> — {event.message}
          {event.node_id ? ` (step “${event.node_id}”)` : ""}
          {event.detail ? `: ${event.detail}` : ""}
        </Alert>
      ))}
      {t?.error && t.error !== r.error ? (
        <Alert severity="error" sx={{ mb: 1 }}>
          {t.error}
        </Alert>
      ) : null}
      {timeline.isPending ? (
        <CircularProgress size={24} aria-label="Loading the timeline" />
      ) : t ? (
        <RunTimeline
          nodes={nodes}
          startedAt={t.started_at}
          finishedAt={t.finished_at ?? r.finished_at}
          // A running step's bar reaches the time its state was fetched.
          now={timeline.dataUpdatedAt}
        />
      ) : null}
    </Box>
  );
}

function BackLink() {
  return (
    <Breadcrumbs sx={{ mb: 1 }}>
      <Link component={RouterLink} to="/runs" underline="hover" color="inherit">
        Runs
      </Link>
      <Typography color="text.primary" variant="body2">
        Run
      </Typography>
    </Breadcrumbs>
  );
}
