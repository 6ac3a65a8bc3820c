/** Usage rows (a workflow, a user or a model each) with their tokens, cost and runs. */
import { Paper, Table, TableBody, TableCell, TableContainer, TableHead, TableRow, Tooltip } from "@mui/material";

import { formatCost, formatTokens, type UsageGroup } from "./useUsage";

export function UsageTable({ caption, rows, totals }: { caption: string; rows: UsageGroup[]; totals: UsageGroup }) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label={caption}>
        <TableHead>
          <TableRow>
            <TableCell>{caption}</TableCell>
            <TableCell align="right">Runs</TableCell>
            <TableCell align="right">Prompt tokens</TableCell>
            <TableCell align="right">Completion tokens</TableCell>
            <TableCell align="right">Total tokens</TableCell>
            <TableCell align="right">Estimated cost</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <UsageRow key={row.key} row={row} />
          ))}
          <UsageRow row={totals} label="Total" />
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function UsageRow({ row, label }: { row: UsageGroup; label?: string }) {
  const strong = label ? { fontWeight: 700 } : undefined;
  return (
    <TableRow data-testid={`usage-row-${label ?? row.label}`}>
      <TableCell sx={strong}>{label ?? row.label}</TableCell>
      <TableCell align="right">{row.runs}</TableCell>
      <TableCell align="right">{formatTokens(row.prompt_tokens ?? 0)}</TableCell>
      <TableCell align="right">{formatTokens(row.completion_tokens ?? 0)}</TableCell>
      <TableCell align="right" sx={strong}>
        {formatTokens(row.total_tokens ?? 0)}
        {row.estimated ? " *" : ""}
      </TableCell>
      <TableCell align="right" sx={strong}>
        {row.unpriced_tokens ? (
          <Tooltip title={`${formatTokens(row.unpriced_tokens)} tokens of models without a price are not counted`}>
            <span>{formatCost(row.estimated_cost_usd)} †</span>
          </Tooltip>
        ) : (
          formatCost(row.estimated_cost_usd)
        )}
      </TableCell>
    </TableRow>
  );
}
