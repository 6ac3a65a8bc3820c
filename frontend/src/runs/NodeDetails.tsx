/** What an expanded timeline row shows: error, model and tokens, attempts, passages, web results, inputs, outputs, config. */
import {
  Box,
  Chip,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { durationBetween, formatDuration, formatTime } from "./format";
import { JsonView } from "./JsonView";

type NodeTimeline = Schemas["NodeTimeline"];
type BlobRef = Schemas["BlobRef"];

function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === "object" && value !== null && "blob_sha256" in value;
}

export function NodeDetails({ node }: { node: NodeTimeline }) {
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
      <StreamedAnswers node={node} />
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

const OUTCOME: Record<Schemas["StreamedAnswer"]["outcome"], string> = {
  completed: "completed",
  failed: "failed",
  interrupted: "interrupted: its worker stopped mid-answer, and the step ran again",
  streaming: "streaming",
};

/** Every answer the LLM step streamed, including one cut short by a worker that died
 * (the history of a local step never shows it); its tokens were paid for. */
function StreamedAnswers({ node }: { node: NodeTimeline }) {
  const streams = node.streams ?? [];
  if (streams.length === 0) return null;
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Typography variant="caption" color="text.secondary" sx={{ fontWeight: 600 }}>
        Streamed answers
      </Typography>
      <Table size="small" aria-label={`Streamed answers of ${node.node_id}`}>
        <TableHead>
          <TableRow>
            <TableCell>#</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell>Tokens streamed</TableCell>
            <TableCell>Characters</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {streams.map((s) => (
            <TableRow key={s.attempt} data-testid="streamed-answer" data-outcome={s.outcome}>
              <TableCell>{s.attempt}</TableCell>
              <TableCell sx={{ color: s.outcome === "interrupted" ? "warning.main" : undefined }}>
                {OUTCOME[s.outcome]}
              </TableCell>
              <TableCell>{s.tokens}</TableCell>
              <TableCell>{s.chars}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
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
  const passages = value;
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
  const results = value;
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
