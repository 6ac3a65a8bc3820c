/** One run: header, step timeline, and re-run / replay / audit export / compare. */
import CompareArrowsIcon from "@mui/icons-material/CompareArrows";
import DownloadIcon from "@mui/icons-material/Download";
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import ReplayIcon from "@mui/icons-material/Replay";
import SkipNextIcon from "@mui/icons-material/SkipNext";
import {
  Alert,
  Box,
  Breadcrumbs,
  Button,
  Chip,
  CircularProgress,
  FormControl,
  InputLabel,
  Link,
  MenuItem,
  Paper,
  Select,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router-dom";

import { ApiError, api, unwrap } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { StatusChip } from "../components/StatusChip";
import { downloadAudit } from "../runs/audit";
import { durationBetween, formatDuration, formatTime, versionLabel } from "../runs/format";
import { RunComparisonView } from "../runs/RunComparisonView";
import { RunTimeline } from "../runs/RunTimeline";

const POLL_MS = 1500;

export function RunDetailPage() {
  const { runId = "" } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [replayFrom, setReplayFrom] = useState("");
  const [comparing, setComparing] = useState(false);
  useEffect(() => {
    setReplayFrom("");
    setComparing(false);
  }, [runId]);

  const run = useQuery({
    queryKey: ["runs", "detail", runId],
    queryFn: () => unwrap(api.GET("/api/v1/runs/{run_id}", { params: { path: { run_id: runId } } })),
    refetchInterval: (query) => (query.state.data?.status === "running" ? POLL_MS : false),
  });
  const running = run.data?.status === "running";
  const timeline = useQuery({
    queryKey: ["runs", "timeline", runId],
    queryFn: () =>
      unwrap(api.GET("/api/v1/runs/{run_id}/timeline", { params: { path: { run_id: runId } } })),
    refetchInterval: (query) =>
      running || query.state.data?.timeline.status === "running" ? POLL_MS : false,
  });
  const workflows = useQuery({
    queryKey: ["workflows"],
    queryFn: () => unwrap(api.GET("/api/v1/workflows")),
  });
  const workflowName = workflows.data?.find((w) => w.id === run.data?.workflow_id)?.name;

  const nodes = useMemo(() => timeline.data?.timeline.nodes ?? [], [timeline.data]);
  const defaultReplayNode =
    nodes.find((n) => n.component === "llm_engine")?.node_id ?? nodes[0]?.node_id ?? "";
  const replayNode = replayFrom || defaultReplayNode;

  const afterNewRun = (newRunId: string) => {
    void queryClient.invalidateQueries({ queryKey: ["runs"] });
    navigate(`/runs/${newRunId}`);
  };
  const rerun = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/runs/{run_id}/rerun", { params: { path: { run_id: runId } } })),
    onSuccess: (res) => afterNewRun(res.run_id),
  });
  const replay = useMutation({
    mutationFn: (fromNode: string) =>
      unwrap(
        api.POST("/api/v1/runs/{run_id}/replay", {
          params: { path: { run_id: runId } },
          body: { from_node: fromNode },
        }),
      ),
    onSuccess: (res) => afterNewRun(res.run_id),
  });
  const audit = useMutation({ mutationFn: () => downloadAudit(runId) });
  const parentId = run.data?.parent_run_id ?? null;
  const comparison = useQuery({
    queryKey: ["runs", "compare", parentId, runId],
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
  const busy = rerun.isPending || replay.isPending;
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

      <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
        <Box
          component="dl"
          sx={{
            m: 0,
            display: "grid",
            gridTemplateColumns: { xs: "1fr", sm: "140px 1fr" },
            columnGap: 2,
            rowGap: 0.75,
            "& dt": { color: "text.secondary", typography: "body2" },
            "& dd": { m: 0, typography: "body2", minWidth: 0, wordBreak: "break-word" },
          }}
        >
          <Field label="Workflow">
            <Link component={RouterLink} to={`/workflows/${r.workflow_id}`}>
              {workflowName ?? r.workflow_id}
            </Link>
          </Field>
          <Field label="Version">{r.version == null ? "draft (test mode)" : `v${r.version}`}</Field>
          <Field label="Query">
            <Box component="span" sx={{ whiteSpace: "pre-wrap" }} data-testid="run-query">
              {r.query}
            </Box>
          </Field>
          <Field label="Started">{formatTime(r.started_at)}</Field>
          <Field label="Finished">{r.finished_at ? formatTime(r.finished_at) : running ? "running…" : "—"}</Field>
          <Field label="Duration">{formatDuration(duration)}</Field>
          {parentId ? (
            <Field label={r.kind === "replay" ? "Replay of" : "Re-run of"}>
              <Link component={RouterLink} to={`/runs/${parentId}`} sx={{ fontFamily: "monospace" }} data-testid="parent-run-link">
                {parentId}
              </Link>
              {r.replay_from_node ? ` (from step “${r.replay_from_node}”)` : ""}
            </Field>
          ) : null}
          <Field label="Temporal">
            <Link href={r.temporal_ui_url} target="_blank" rel="noopener noreferrer">
              Open in Temporal UI <OpenInNewIcon sx={{ fontSize: 14, verticalAlign: "middle" }} />
            </Link>
          </Field>
          <Field label="Plan hash">
            <Box component="span" sx={{ fontFamily: "monospace" }} title={r.plan_hash}>
              {r.plan_hash.slice(0, 16)}…
            </Box>
          </Field>
        </Box>
        {r.error ? (
          <Alert severity="error" sx={{ mt: 1.5, wordBreak: "break-word" }}>
            {r.error}
          </Alert>
        ) : null}
      </Paper>

      <Stack direction="row" sx={{ gap: 1, flexWrap: "wrap", alignItems: "center", mb: 1 }}>
        <Button
          variant="contained"
          startIcon={rerun.isPending ? <CircularProgress size={16} color="inherit" /> : <ReplayIcon />}
          onClick={() => rerun.mutate()}
          disabled={busy}
        >
          {rerun.isPending ? "Re-running…" : "Re-run"}
        </Button>
        <FormControl size="small" sx={{ minWidth: 160 }} disabled={nodes.length === 0 || busy}>
          <InputLabel id="replay-node-label">Replay from</InputLabel>
          <Select
            labelId="replay-node-label"
            label="Replay from"
            value={nodes.some((n) => n.node_id === replayNode) ? replayNode : ""}
            onChange={(e) => setReplayFrom(e.target.value)}
            inputProps={{ "aria-label": "Step to replay from" }}
          >
            {nodes.map((n) => (
              <MenuItem key={n.node_id} value={n.node_id}>
                {n.node_id} ({n.component})
              </MenuItem>
            ))}
          </Select>
        </FormControl>
        <Button
          variant="outlined"
          startIcon={replay.isPending ? <CircularProgress size={16} /> : <SkipNextIcon />}
          onClick={() => replay.mutate(replayNode)}
          disabled={!replayNode || busy}
        >
          {replay.isPending ? "Replaying…" : "Replay from step"}
        </Button>
        <Button
          variant="outlined"
          startIcon={audit.isPending ? <CircularProgress size={16} /> : <DownloadIcon />}
          onClick={() => audit.mutate()}
          disabled={running || audit.isPending}
          title={running ? "Available once the run has finished" : undefined}
        >
          Export audit record
        </Button>
        {parentId ? (
          <Button
            variant={comparing ? "contained" : "outlined"}
            color="secondary"
            startIcon={<CompareArrowsIcon />}
            onClick={() => setComparing((c) => !c)}
          >
            Compare with parent
          </Button>
        ) : null}
      </Stack>
      <ActionError error={rerun.error} title="Could not re-run" />
      <ActionError error={replay.error} title="Could not replay" />
      <ActionError error={audit.error} title="Could not export the audit record" />

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
        <RunTimeline nodes={nodes} startedAt={t.started_at} finishedAt={t.finished_at ?? r.finished_at} />
      ) : null}
    </Box>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
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

/** An action's error; a failed new run links to itself (`details.run_id`). */
function ActionError({ error, title }: { error: unknown; title: string }) {
  if (!error) return null;
  const runId = error instanceof ApiError && typeof error.details.run_id === "string" ? error.details.run_id : null;
  return (
    <Box>
      <ErrorAlert error={error} title={title} />
      {runId ? (
        <Link component={RouterLink} to={`/runs/${runId}`} variant="body2">
          Open the failed run
        </Link>
      ) : null}
    </Box>
  );
}
