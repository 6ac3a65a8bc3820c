/** Run history: filter by workflow, status, kind and start time; pages by cursor. */
import {
  Box,
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
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Tooltip,
  Typography,
} from "@mui/material";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link as RouterLink, useNavigate, useSearchParams } from "react-router-dom";

import { api, unwrap, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import { StatusChip } from "../components/StatusChip";
import { durationBetween, formatDuration, formatTime, localInputToIso, shortId, versionLabel } from "../runs/format";

type Run = Schemas["RunOut"];

const STATUSES = ["running", "completed", "failed"];
const KINDS = ["run", "rerun", "replay"];
const PAGE_SIZE = 50;

export function RunsPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filters = {
    workflow: params.get("workflow") ?? "",
    status: params.get("status") ?? "",
    kind: params.get("kind") ?? "",
    after: params.get("after") ?? "",
    before: params.get("before") ?? "",
  };
  const setFilter = (name: keyof typeof filters, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const anyFilter = Object.values(filters).some(Boolean);

  const workflows = useQuery({
    queryKey: ["workflows"],
    queryFn: () => unwrap(api.GET("/api/v1/workflows")),
  });
  const names = useMemo(
    () => new Map((workflows.data ?? []).map((w) => [w.id, w.name])),
    [workflows.data],
  );

  const runs = useInfiniteQuery({
    queryKey: ["runs", "list", filters],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/runs", {
          params: {
            query: {
              workflow_id: filters.workflow || undefined,
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
      <Paper variant="outlined" sx={{ p: 1.5, mb: 2 }}>
        <Stack direction="row" sx={{ gap: 1.5, flexWrap: "wrap", alignItems: "center" }}>
          <FormControl size="small" sx={{ minWidth: 220 }}>
            <InputLabel id="runs-workflow-label">Workflow</InputLabel>
            <Select
              labelId="runs-workflow-label"
              label="Workflow"
              value={filters.workflow}
              onChange={(e) => setFilter("workflow", e.target.value)}
              inputProps={{ "aria-label": "Workflow filter" }}
            >
              <MenuItem value="">
                <em>All workflows</em>
              </MenuItem>
              {filters.workflow && !names.has(filters.workflow) ? (
                <MenuItem value={filters.workflow}>{shortId(filters.workflow)}</MenuItem>
              ) : null}
              {(workflows.data ?? []).map((w) => (
                <MenuItem key={w.id} value={w.id}>
                  {w.name}
                </MenuItem>
              ))}
            </Select>
          </FormControl>
          <OptionFilter
            name="Status"
            anyLabel="Any status"
            options={STATUSES}
            value={filters.status}
            onChange={(value) => setFilter("status", value)}
            minWidth={140}
          />
          <OptionFilter
            name="Kind"
            anyLabel="Any kind"
            options={KINDS}
            value={filters.kind}
            onChange={(value) => setFilter("kind", value)}
            minWidth={120}
          />
          <TextField
            size="small"
            type="datetime-local"
            label="Started after"
            value={filters.after}
            onChange={(e) => setFilter("after", e.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            size="small"
            type="datetime-local"
            label="Started before"
            value={filters.before}
            onChange={(e) => setFilter("before", e.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          {anyFilter ? (
            <Button size="small" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              Clear filters
            </Button>
          ) : null}
        </Stack>
      </Paper>
      <ErrorAlert error={workflows.error} title="Could not load workflows" />
      <ErrorAlert error={runs.error} title="Could not load runs" />
      {runs.isPending ? (
        <CircularProgress aria-label="Loading runs" />
      ) : items.length === 0 && !runs.error ? (
        <Typography color="text.secondary" sx={{ mt: 4, textAlign: "center" }}>
          {anyFilter ? "No run matches these filters." : "No runs yet — chat with a workflow to start one."}
        </Typography>
      ) : (
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
              {items.map((run) => (
                <TableRow
                  key={run.id}
                  hover
                  data-testid="run-row"
                  data-run-id={run.id}
                  sx={{ cursor: "pointer" }}
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a")) return;
                    navigate(`/runs/${run.id}`);
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
      )}
      {runs.hasNextPage ? (
        <Box sx={{ textAlign: "center", mt: 2 }}>
          <Button variant="outlined" onClick={() => runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
            {runs.isFetchingNextPage ? "Loading…" : "Load more"}
          </Button>
        </Box>
      ) : null}
    </Box>
  );
}

/** A filter that picks one of a few fixed values, or none. */
function OptionFilter({
  name,
  anyLabel,
  options,
  value,
  onChange,
  minWidth,
}: {
  name: string;
  anyLabel: string;
  options: string[];
  value: string;
  onChange: (value: string) => void;
  minWidth: number;
}) {
  const labelId = `runs-${name.toLowerCase()}-label`;
  return (
    <FormControl size="small" sx={{ minWidth }}>
      <InputLabel id={labelId}>{name}</InputLabel>
      <Select
        labelId={labelId}
        label={name}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        inputProps={{ "aria-label": `${name} filter` }}
      >
        <MenuItem value="">
          <em>{anyLabel}</em>
        </MenuItem>
        {options.map((option) => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}
