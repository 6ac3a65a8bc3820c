/** The run history as a table; a row opens its run. */
import {
  Chip,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";
import { Link as RouterLink, useNavigate } from "react-router-dom";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { durationBetween, formatDuration, formatTime, shortId, versionLabel } from "./format";

export type Run = Schemas["RunOut"];

export function RunsTable({ runs, names }: { runs: Run[]; names: Map<string, string> }) {
  const navigate = useNavigate();
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Runs">
        <TableHead>
          <TableRow>
            <TableCell>Run</TableCell>
            <TableCell>Workflow</TableCell>
            <TableCell>Kind</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Started</TableCell>
            <TableCell align="right">Duration</TableCell>
            <TableCell>Query</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {runs.map((run) => (
            <TableRow
              key={run.id}
              hover
              data-testid="run-row"
              data-run-id={run.id}
              sx={{ cursor: "pointer" }}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest("a")) return;
                void navigate(`/runs/${run.id}`);
              }}
            >
              <TableCell sx={{ fontFamily: "monospace", whiteSpace: "nowrap" }}>
                <Link component={RouterLink} to={`/runs/${run.id}`} title={run.id}>
                  {shortId(run.id)}
                </Link>
              </TableCell>
              <TableCell sx={{ maxWidth: 200 }}>
                <Typography variant="body2" noWrap title={names.get(run.workflow_id) ?? run.workflow_id}>
                  {names.get(run.workflow_id) ?? shortId(run.workflow_id)}
                </Typography>
              </TableCell>
              <TableCell>
                {run.kind === "run" ? (
                  <Typography variant="body2">run</Typography>
                ) : (
                  <Tooltip title={run.replay_from_node ? `from ${run.replay_from_node}` : ""}>
                    <Chip size="small" variant="outlined" label={run.kind} />
                  </Tooltip>
                )}
              </TableCell>
              <TableCell>{versionLabel(run.version)}</TableCell>
              <TableCell>
                <StatusChip status={run.status} />
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{formatTime(run.started_at)}</TableCell>
              <TableCell align="right" sx={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}>
                {run.status === "running" && !run.finished_at
                  ? "running…"
                  : formatDuration(durationBetween(run.started_at, run.finished_at))}
              </TableCell>
              <TableCell sx={{ maxWidth: 360 }}>
                <Typography variant="body2" noWrap title={run.query}>
                  {run.query}
                </Typography>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
