/**
 * A run's buttons: re-run, replay from a chosen step (members whose role may run),
 * export the audit record, compare with the parent.
 */
import CompareArrowsIcon from "@mui/icons-material/CompareArrows";
import DownloadIcon from "@mui/icons-material/Download";
import ReplayIcon from "@mui/icons-material/Replay";
import SkipNextIcon from "@mui/icons-material/SkipNext";
import {
  Box,
  Button,
  CircularProgress,
  FormControl,
  InputLabel,
  Link,
  MenuItem,
  Select,
  Stack,
} from "@mui/material";
import { Link as RouterLink } from "react-router-dom";

import { ApiError, type Schemas } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import type { useRunActions } from "./useRunActions";

export interface RunActionsProps {
  actions: ReturnType<typeof useRunActions>;
  nodes: Schemas["NodeTimeline"][];
  replayNode: string;
  onReplayNode: (nodeId: string) => void;
  running: boolean;
  /** Whether the user's role may run workflows in the run's workspace (re-run, replay). */
  canRun: boolean;
  hasParent: boolean;
  comparing: boolean;
  onToggleCompare: () => void;
}

export function RunActions({
  actions: { rerun, replay, audit },
  nodes,
  replayNode,
  onReplayNode,
  running,
  canRun,
  hasParent,
  comparing,
  onToggleCompare,
}: RunActionsProps) {
  const busy = rerun.isPending || replay.isPending;
  return (
    <>
      <Stack direction="row" sx={{ gap: 1, flexWrap: "wrap", alignItems: "center", mb: 1 }}>
        {canRun ? (
          <>
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
                onChange={(e) => onReplayNode(e.target.value)}
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
          </>
        ) : null}
        <Button
          variant="outlined"
          startIcon={audit.isPending ? <CircularProgress size={16} /> : <DownloadIcon />}
          onClick={() => audit.mutate()}
          disabled={running || audit.isPending}
          title={running ? "Available once the run has finished" : undefined}
        >
          Export audit record
        </Button>
        {hasParent ? (
          <Button
            variant={comparing ? "contained" : "outlined"}
            color="secondary"
            startIcon={<CompareArrowsIcon />}
            onClick={onToggleCompare}
          >
            Compare with parent
          </Button>
        ) : null}
      </Stack>
      <ActionError error={rerun.error} title="Could not re-run" />
      <ActionError error={replay.error} title="Could not replay" />
      <ActionError error={audit.error} title="Could not export the audit record" />
    </>
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
