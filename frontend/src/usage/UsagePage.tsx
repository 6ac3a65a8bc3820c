/**
 * Usage: the tokens and estimated cost of the current workspace's runs, per day as a chart
 * and grouped by workflow, user or model as a table, over a chosen range.
 */
import {
  Box,
  CircularProgress,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { useState } from "react";

import { ErrorAlert } from "../components/ErrorAlert";
import { useCurrentWorkspace } from "../workspaces/useWorkspaces";
import { UsageBarChart } from "./UsageBarChart";
import { UsageTable } from "./UsageTable";
import { formatCost, formatTokens, RANGES, useUsageReport, type UsageGrouping } from "./useUsage";

type TableGrouping = Exclude<UsageGrouping, "day">;
const GROUPINGS: readonly { value: TableGrouping; label: string }[] = [
  { value: "workflow", label: "Workflow" },
  { value: "user", label: "User" },
  { value: "model", label: "Model" },
];

export function UsagePage() {
  const { workspace, loading } = useCurrentWorkspace();
  const [days, setDays] = useState(30);
  const [measure, setMeasure] = useState<"tokens" | "cost">("tokens");
  const [groupBy, setGroupBy] = useState<TableGrouping>("workflow");
  const workspaceId = workspace?.id ?? null;
  const perDay = useUsageReport({ days, groupBy: "day", workspaceId, enabled: !loading });
  const grouped = useUsageReport({ days, groupBy, workspaceId, enabled: !loading });
  const totals = perDay.data?.totals;
  const caption = GROUPINGS.find((g) => g.value === groupBy)?.label ?? "";
  const bars = (perDay.data?.rows ?? []).map((row) => ({
    key: row.key,
    label: row.label,
    value: measure === "tokens" ? (row.total_tokens ?? 0) : (row.estimated_cost_usd ?? 0),
  }));

  return (
    <Box sx={{ p: { xs: 2, md: 3 }, maxWidth: 1300, width: "100%", mx: "auto" }}>
      <Stack direction="row" spacing={2} sx={{ mb: 1, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="h5" component="h1" sx={{ flexGrow: 1 }}>
          Usage
        </Typography>
        <FormControl size="small" sx={{ minWidth: 170 }}>
          <InputLabel id="usage-range">Range</InputLabel>
          <Select labelId="usage-range" label="Range" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {RANGES.map((range) => (
              <MenuItem key={range.days} value={range.days}>
                {range.label}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2, maxWidth: 860 }}>
        LLM tokens of the runs of {workspace ? <b>{workspace.name}</b> : "your workspaces"}, every attempt counted
        (failed and interrupted ones too), by the day a run started (UTC). Costs are estimates from the price table,
        not invoices. * some tokens are estimated; † some models have no price.
      </Typography>
      <ErrorAlert error={perDay.error ?? grouped.error} title="Could not load the usage" />
      {perDay.isPending ? (
        <CircularProgress aria-label="Loading usage" />
      ) : totals ? (
        <Stack spacing={3}>
          <Stack direction="row" spacing={4} sx={{ flexWrap: "wrap" }} data-testid="usage-totals">
            <Figure label="Total tokens" value={formatTokens(totals.total_tokens ?? 0)} />
            <Figure label="Estimated cost" value={formatCost(totals.estimated_cost_usd)} />
            <Figure label="Runs" value={String(totals.runs)} />
          </Stack>
          <Box>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={measure}
              onChange={(_e, next: "tokens" | "cost" | null) => next && setMeasure(next)}
              aria-label="Chart shows"
              sx={{ mb: 1 }}
            >
              <ToggleButton value="tokens">Tokens</ToggleButton>
              <ToggleButton value="cost">Cost</ToggleButton>
            </ToggleButtonGroup>
            <UsageBarChart
              title={measure === "tokens" ? "Tokens per day" : "Estimated cost per day"}
              bars={bars}
              format={measure === "tokens" ? formatTokens : formatCost}
            />
          </Box>
          <Box>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={groupBy}
              onChange={(_e, next: TableGrouping | null) => next && setGroupBy(next)}
              aria-label="Group by"
              sx={{ mb: 1 }}
            >
              {GROUPINGS.map((g) => (
                <ToggleButton key={g.value} value={g.value}>
                  {g.label}
                </ToggleButton>
              ))}
            </ToggleButtonGroup>
            {grouped.data ? (
              <UsageTable caption={caption} rows={grouped.data.rows} totals={grouped.data.totals} />
            ) : (
              <CircularProgress aria-label={`Loading usage by ${caption.toLowerCase()}`} />
            )}
          </Box>
        </Stack>
      ) : null}
    </Box>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h6">{value}</Typography>
    </Box>
  );
}
