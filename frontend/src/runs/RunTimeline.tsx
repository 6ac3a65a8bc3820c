/**
 * A run's steps as rows: status, a bar placed and sized by when the step ran, attempts
 * and errors, and — expanded — inputs, outputs, config, model and tokens, passages.
 */
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import { Box, Collapse, IconButton, Paper, Stack, Tooltip, Typography } from "@mui/material";
import { useState } from "react";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { NODE_COLORS } from "../theme";
import { durationBetween, formatDuration, formatTime } from "./format";
import { NodeDetails } from "./NodeDetails";

type NodeTimeline = Schemas["NodeTimeline"];

const BAR_COLORS: Record<string, string> = {
  completed: "#4caf50",
  failed: "#e53935",
  running: "#1e88e5",
  reused: "#9e9e9e",
  pending: "#bdbdbd",
};

export interface RunTimelineProps {
  nodes: NodeTimeline[];
  /** The run's start and end (end null while running: now is used). */
  startedAt: string;
  finishedAt?: string | null;
  /** The time in ms a running step's bar reaches: when its state was fetched (tests: fixed). */
  now?: number;
}

interface Span {
  start: number;
  end: number;
}

function timeOf(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
}

/** The interval the bars are drawn over: the run, widened to every step's times. */
export function runSpan(nodes: NodeTimeline[], startedAt: string, finishedAt: string | null | undefined, now: number): Span {
  const times = nodes.flatMap((n) => [timeOf(n.started_at), timeOf(n.finished_at)]).filter((t): t is number => t !== null);
  const start = Math.min(timeOf(startedAt) ?? now, ...times);
  const end = Math.max(timeOf(finishedAt) ?? now, ...times, start + 1);
  return { start, end };
}

/** The bar's left offset and width in percent of the span (at least a sliver). */
export function barOf(node: NodeTimeline, span: Span, now: number): { left: number; width: number } | null {
  const started = timeOf(node.started_at);
  if (started === null) return null;
  const finished = timeOf(node.finished_at) ?? (node.status === "running" ? now : started + (node.duration_ms ?? 0));
  const total = span.end - span.start;
  const left = ((started - span.start) / total) * 100;
  const width = Math.max(((finished - started) / total) * 100, 0.5);
  return { left: Math.min(Math.max(left, 0), 99.5), width: Math.min(width, 100 - Math.max(left, 0)) };
}

function nodeDuration(node: NodeTimeline): number | null {
  return node.duration_ms ?? durationBetween(node.started_at, node.finished_at);
}

function lastError(node: NodeTimeline): string | null {
  if (node.error) return node.error;
  const failed = [...(node.attempts ?? [])].reverse().find((a) => a.error);
  return failed?.error ?? null;
}

export function RunTimeline({ nodes, startedAt, finishedAt, now: givenNow }: RunTimelineProps) {
  // Without a given time, the time the timeline was first shown (read once, not on every render).
  const [shownAt] = useState(() => Date.now());
  const now = givenNow ?? shownAt;
  const span = runSpan(nodes, startedAt, finishedAt, now);
  if (nodes.length === 0) {
    return <Typography color="text.secondary">No steps recorded yet.</Typography>;
  }
  return (
    <Paper variant="outlined" component="ol" aria-label="Timeline" sx={{ listStyle: "none", m: 0, p: 0 }}>
      {nodes.map((node, i) => (
        <TimelineRow key={node.node_id} node={node} span={span} now={now} divider={i > 0} />
      ))}
    </Paper>
  );
}

function TimelineRow({ node, span, now, divider }: { node: NodeTimeline; span: Span; now: number; divider: boolean }) {
  const [open, setOpen] = useState(false);
  const bar = barOf(node, span, now);
  const duration = nodeDuration(node);
  const error = lastError(node);
  const attempts = node.attempts ?? [];
  const passages = Array.isArray(node.passages) ? node.passages : null;
  const detailsId = `timeline-details-${node.node_id}`;
  return (
    <Box
      component="li"
      data-testid="timeline-node"
      data-node-id={node.node_id}
      data-status={node.status}
      sx={{ borderTop: divider ? 1 : 0, borderColor: "divider" }}
    >
      <Box
        sx={{
          display: "grid",
          gridTemplateColumns: "36px minmax(140px, 220px) 1fr 80px 96px",
          alignItems: "center",
          gap: 1,
          px: 1,
          py: 0.75,
          cursor: "pointer",
          "&:hover": { bgcolor: "action.hover" },
        }}
        onClick={() => setOpen((o) => !o)}
      >
        <IconButton
          size="small"
          aria-label={`${open ? "Hide" : "Show"} details of ${node.node_id}`}
          aria-expanded={open}
          aria-controls={detailsId}
          onClick={(e) => {
            e.stopPropagation();
            setOpen((o) => !o);
          }}
        >
          <ExpandMoreIcon sx={{ transform: open ? "rotate(180deg)" : "none", transition: "transform 150ms" }} />
        </IconButton>
        <Box sx={{ minWidth: 0 }}>
          <Stack direction="row" sx={{ alignItems: "center", gap: 0.75 }}>
            <Box
              sx={{ width: 10, height: 10, borderRadius: "50%", flexShrink: 0, bgcolor: NODE_COLORS[node.component] ?? "grey.500" }}
            />
            <Typography variant="body2" sx={{ fontWeight: 600 }} noWrap>
              {node.node_id}
            </Typography>
          </Stack>
          <Typography variant="caption" color="text.secondary" component="div" noWrap>
            {node.component}
            {node.implicit ? " (added by the compiler)" : ""}
          </Typography>
        </Box>
        <Box sx={{ minWidth: 0 }}>
          <Box sx={{ position: "relative", height: 12, bgcolor: "grey.100", borderRadius: 1 }} aria-hidden>
            {bar ? (
              <Tooltip title={`${formatTime(node.started_at)} → ${node.finished_at ? formatTime(node.finished_at) : "…"}`}>
                <Box
                  data-testid="duration-bar"
                  style={{ left: `${bar.left}%`, width: `${bar.width}%` }}
                  sx={{
                    position: "absolute",
                    top: 0,
                    bottom: 0,
                    borderRadius: 1,
                    minWidth: 3,
                    bgcolor: BAR_COLORS[node.status] ?? "grey.500",
                    opacity: node.status === "reused" ? 0.6 : 1,
                  }}
                />
              </Tooltip>
            ) : null}
          </Box>
          <Stack direction="row" sx={{ gap: 1, mt: 0.25, flexWrap: "wrap", minWidth: 0 }}>
            {attempts.length > 1 ? (
              <Typography variant="caption" color="warning.dark">
                {attempts.length} attempts
              </Typography>
            ) : null}
            {node.model ? (
              <Typography variant="caption" color="text.secondary" data-testid="node-model">
                {node.model}
                {node.usage ? ` · ${node.usage.total_tokens ?? 0} tokens` : ""}
              </Typography>
            ) : null}
            {passages ? (
              <Typography variant="caption" color="text.secondary">
                {passages.length} passage{passages.length === 1 ? "" : "s"}
              </Typography>
            ) : null}
            {error ? (
              <Typography variant="caption" color="error" noWrap sx={{ minWidth: 0 }} title={error}>
                {error}
              </Typography>
            ) : null}
          </Stack>
        </Box>
        <Typography variant="body2" sx={{ textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
          {formatDuration(duration)}
        </Typography>
        <Box sx={{ textAlign: "right" }}>
          <StatusChip status={node.status} />
        </Box>
      </Box>
      <Collapse in={open} unmountOnExit>
        <Box id={detailsId} sx={{ px: 2, pb: 2, pt: 0.5, display: "grid", gap: 1.5 }}>
          <NodeDetails node={node} />
        </Box>
      </Collapse>
    </Box>
  );
}
