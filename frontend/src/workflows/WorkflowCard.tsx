/** A workflow on the dashboard: opens the builder; rename, duplicate, delete. */
import {
  Button,
  Card,
  CardActionArea,
  CardActions,
  CardContent,
  Chip,
  Stack,
  Typography,
} from "@mui/material";

import type { Schemas } from "../api/client";
import { StatusChip } from "../components/StatusChip";

export type Workflow = Schemas["WorkflowOut"];

export interface WorkflowCardProps {
  workflow: Workflow;
  onOpen: () => void;
  onRename: () => void;
  onDuplicate: () => void;
  onDelete: () => void;
}

export function WorkflowCard({ workflow: w, onOpen, onRename, onDuplicate, onDelete }: WorkflowCardProps) {
  return (
    <Card variant="outlined" data-testid="workflow-card">
      <CardActionArea onClick={onOpen}>
        <CardContent>
          <Typography variant="h6" noWrap>
            {w.name}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ minHeight: 20 }} noWrap>
            {w.description || "No description"}
          </Typography>
          <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: "center" }}>
            <StatusChip status={w.last_run_status ?? null} emptyLabel="never run" />
            {w.latest_version ? <Chip size="small" label={`v${w.latest_version}`} /> : null}
          </Stack>
          <Typography variant="caption" color="text.secondary">
            Edited {new Date(w.updated_at).toLocaleString()}
          </Typography>
        </CardContent>
      </CardActionArea>
      <CardActions>
        <Button size="small" onClick={onRename}>
          Rename
        </Button>
        <Button size="small" onClick={onDuplicate}>
          Duplicate
        </Button>
        <Button size="small" color="error" onClick={onDelete}>
          Delete
        </Button>
      </CardActions>
    </Card>
  );
}
