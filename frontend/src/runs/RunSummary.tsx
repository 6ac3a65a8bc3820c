/**
 * A run's facts: workflow, version, query, times, LLM usage and estimated cost, parent run,
 * Temporal link, trace id, plan hash, error.
 */
import OpenInNewIcon from "@mui/icons-material/OpenInNew";
import { Alert, Box, Link, Paper } from "@mui/material";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router-dom";

import type { Schemas } from "../api/client";
import { formatCost, formatTokens } from "../usage/useUsage";
import { formatDuration, formatTime } from "./format";

export interface RunSummaryProps {
  run: Schemas["RunOut"];
  workflowName: string | undefined;
  running: boolean;
  duration: number | null;
  /** Tokens of every LLM attempt and their estimated cost (the timeline's, else the run's). */
  usage?: Schemas["RunUsage"] | null;
}

export function RunSummary({ run: r, workflowName, running, duration, usage }: RunSummaryProps) {
  const parentId = r.parent_run_id ?? null;
  return (
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
        {usage ? (
          <Field label="Usage">
            <span data-testid="run-usage">
              {`${formatTokens(usage.total_tokens ?? 0)} tokens (${formatTokens(usage.prompt_tokens ?? 0)} prompt, `}
              {`${formatTokens(usage.completion_tokens ?? 0)} completion) · estimated cost ${formatCost(usage.estimated_cost_usd)}`}
              {usage.estimated ? " · partly estimated (failed or interrupted attempts)" : ""}
            </span>
          </Field>
        ) : null}
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
        {r.trace_id ? (
          <Field label="Trace">
            <Box component="span" sx={{ fontFamily: "monospace" }} data-testid="run-trace-id" title="OpenTelemetry trace id: find the run's spans in your trace viewer">
              {r.trace_id}
            </Box>
          </Field>
        ) : null}
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
