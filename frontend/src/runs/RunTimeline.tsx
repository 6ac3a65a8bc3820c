/**
 * A run's steps as rows: status, a bar placed and sized by when the step ran, attempts
 * and errors, and — expanded — inputs, outputs, config, model and tokens, passages.
 */
import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import {
  Box,
  Chip,
  Collapse,
  IconButton,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { useState } from "react";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { NODE_COLORS } from "../theme";
import { durationBetween, formatDuration, formatTime } from "./format";
import { JsonView } from "./JsonView";

type NodeTimeline = Schemas["NodeTimeline"];
type Passage = Schemas["Passage"];
type WebResult = Schemas["WebResult"];
type BlobRef = Schemas["BlobRef"];

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
  /** For tests: the current time in ms. */
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

function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === "object" && value !== null && "blob_sha256" in value;
}

function nodeDuration(node: NodeTimeline): number | null {
  return node.duration_ms ?? durationBetween(node.started_at, node.finished_at);
}

function lastError(node: NodeTimeline): string | null {
  if (node.error) return node.error;
  const failed = [...(node.attempts ?? [])].reverse().find((a) => a.error);
  return failed?.error ?? null;
}

export function RunTimeline({ nodes, startedAt, finishedAt, now = Date.now() }: RunTimelineProps) {
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

function NodeDetails({ node }: { node: NodeTimeline }) {
  const attempts = node.attempts ?? [];
  return (
    <>
      {node.error ? (
        <Typography variant="body2" color="error" sx={{ whiteSpace: "pre-wrap" }}>
          {node.error}
        </Typography>
      ) : null}
      {node.model || node.usage ? (
        <Stack direction="row" sx={{ gap: 1, flexWrap: "wrap" }}>
          {node.model ? <Chip size="small" label={`model: ${node.model}`} /> : null}
          {node.usage ? (
            <Chip
              size="small"
              label={`tokens: ${node.usage.prompt_tokens ?? 0} prompt + ${node.usage.completion_tokens ?? 0} completion = ${node.usage.total_tokens ?? 0}`}
            />
          ) : null}
          {node.execution ? <Chip size="small" variant="outlined" label={`${node.execution} activity`} /> : null}
        </Stack>
      ) : null}
      {attempts.length > 0 ? (
        <Box sx={{ overflowX: "auto" }}>
          <Typography variant="caption" color="text.secondary" sx={{ fontWeight: 600 }}>
            Attempts
          </Typography>
          <Table size="small" aria-label={`Attempts of ${node.node_id}`}>
            <TableHead>
              <TableRow>
                <TableCell>#</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>Started</TableCell>
                <TableCell>Duration</TableCell>
                <TableCell>Backoff</TableCell>
                <TableCell>Error</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {attempts.map((a) => (
                <TableRow key={a.attempt}>
                  <TableCell>{a.attempt}</TableCell>
                  <TableCell>
                    <StatusChip status={a.status} />
                  </TableCell>
                  <TableCell>{formatTime(a.started_at)}</TableCell>
                  <TableCell>{formatDuration(durationBetween(a.started_at, a.finished_at))}</TableCell>
                  <TableCell>{a.backoff_ms != null ? formatDuration(a.backoff_ms) : "—"}</TableCell>
                  <TableCell sx={{ color: a.error ? "error.main" : undefined, wordBreak: "break-word" }}>
                    {a.error_type ? <strong>{a.error_type}: </strong> : null}
                    {a.error ?? "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ) : null}
      <Passages value={node.passages} />
      <WebResults value={node.web_results} />
      <Box sx={{ display: "grid", gap: 1.5, gridTemplateColumns: { xs: "1fr", md: "1fr 1fr" } }}>
        <JsonView label="Inputs" value={node.inputs ?? {}} />
        <JsonView label="Outputs" value={node.outputs ?? {}} />
      </Box>
      <JsonView label="Config" value={node.config ?? {}} />
    </>
  );
}

function BlobNote({ blob, what }: { blob: BlobRef; what: string }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {what} stored outside the history ({blob.size_bytes} bytes, sha256 {blob.blob_sha256.slice(0, 12)}…)
    </Typography>
  );
}

function Passages({ value }: { value: NodeTimeline["passages"] }) {
  if (value == null) return null;
  if (isBlobRef(value)) return <BlobNote blob={value} what="Passages" />;
  const passages = value as Passage[];
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" sx={{ fontWeight: 600 }}>
        Passages retrieved
      </Typography>
      {passages.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          None.
        </Typography>
      ) : (
        <Stack spacing={1} component="ol" sx={{ m: 0, pl: 2.5 }}>
          {passages.map((p) => (
            <li key={p.chunk_id} data-testid="passage">
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {p.document}
                {p.page != null ? `, p. ${p.page}` : ""}
                <Typography component="span" variant="caption" color="text.secondary" sx={{ ml: 1 }}>
                  score {p.score.toFixed(3)}
                </Typography>
              </Typography>
              <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: "pre-wrap" }}>
                {p.text.length > 600 ? `${p.text.slice(0, 600)}…` : p.text}
              </Typography>
            </li>
          ))}
        </Stack>
      )}
    </Box>
  );
}

function WebResults({ value }: { value: NodeTimeline["web_results"] }) {
  if (value == null) return null;
  if (isBlobRef(value)) return <BlobNote blob={value} what="Web results" />;
  const results = value as WebResult[];
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" sx={{ fontWeight: 600 }}>
        Web results
      </Typography>
      <Box component="ol" sx={{ m: 0, pl: 2.5 }}>
        {results.map((r) => (
          <li key={r.link}>
            <Link href={/^https?:\/\//.test(r.link) ? r.link : undefined} target="_blank" rel="noopener noreferrer" variant="body2">
              {r.title || r.link}
            </Link>
            {r.snippet ? (
              <Typography variant="body2" color="text.secondary">
                {r.snippet}
              </Typography>
            ) : null}
          </li>
        ))}
      </Box>
    </Box>
  );
}
