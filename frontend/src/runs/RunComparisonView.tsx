/** Two runs side by side, node by node: status, duration, and whether outputs match. */
import { Alert, Box, Chip, Link, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router-dom";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";
import { formatDuration, shortId } from "./format";

type Comparison = Schemas["RunComparison"];
type NodeTimeline = Schemas["NodeTimeline"];

function Side({ node }: { node: NodeTimeline | null | undefined }) {
  if (!node) return <Typography variant="body2" color="text.secondary">not in this run</Typography>;
  return (
    <Stack direction="row" sx={{ gap: 1, alignItems: "center" }}>
      <StatusChip status={node.status} />
      <Typography variant="body2">{formatDuration(node.duration_ms)}</Typography>
      {node.usage ? (
        <Typography variant="caption" color="text.secondary">
          {node.usage.total_tokens} tokens
        </Typography>
      ) : null}
    </Stack>
  );
}

export function RunComparisonView({ comparison }: { comparison: Comparison }) {
  const { left, right } = comparison;
  return (
    <Box data-testid="run-comparison">
      <Stack direction="row" sx={{ gap: 1, mb: 1, flexWrap: "wrap" }}>
        <Chip
          size="small"
          color={comparison.same_plan ? "success" : "warning"}
          label={comparison.same_plan ? "same plan" : "different plans"}
        />
        <Chip
          size="small"
          color={comparison.same_outputs ? "success" : "warning"}
          label={comparison.same_outputs ? "same outputs" : "outputs differ"}
        />
      </Stack>
      {!comparison.same_plan ? (
        <Alert severity="info" sx={{ mb: 1 }}>
          The runs executed different plans (another version or an edited draft).
        </Alert>
      ) : null}
      <Table size="small" aria-label="Comparison">
        <TableHead>
          <TableRow>
            <TableCell>Step</TableCell>
            <TableCell>
              <Link component={RouterLink} to={`/runs/${left.id}`}>
                {shortId(left.id)}
              </Link>{" "}
              ({left.kind})
            </TableCell>
            <TableCell>
              <Link component={RouterLink} to={`/runs/${right.id}`}>
                {shortId(right.id)}
              </Link>{" "}
              ({right.kind})
            </TableCell>
            <TableCell>Outputs</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {comparison.nodes.map((n) => (
            <TableRow key={n.node_id}>
              <TableCell sx={{ fontWeight: 600 }}>{n.node_id}</TableCell>
              <TableCell>
                <Side node={n.left} />
              </TableCell>
              <TableCell>
                <Side node={n.right} />
              </TableCell>
              <TableCell>
                <Chip
                  size="small"
                  variant="outlined"
                  color={n.same_outputs ? "success" : "warning"}
                  label={n.same_outputs ? "same" : "differ"}
                />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}
