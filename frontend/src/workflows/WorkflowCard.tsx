/**
 * A workflow on the dashboard: opens the builder; rename, duplicate, archive. An archived
 * workflow opens read-only and offers "Restore" instead. A read-only card (the user's role
 * cannot change workflows) only opens.
 */
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

export type WorkflowCardProps = {
  workflow: Workflow;
  onOpen: () => void;
} & (
  | { onRename: () => void; onDuplicate: () => void; onArchive: () => void; onRestore?: never; readOnly?: never }
  | {
      onRestore: () => void;
      restoring?: boolean;
      onRename?: never;
      onDuplicate?: never;
      onArchive?: never;
      readOnly?: never;
    }
  | { readOnly: true; onRename?: never; onDuplicate?: never; onArchive?: never; onRestore?: never }
);

export function WorkflowCard(props: WorkflowCardProps) {
  const { workflow: w, onOpen } = props;
  const archivedAt = w.archived_at ? new Date(w.archived_at).toLocaleString() : null;
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
            {archivedAt ? <Chip size="small" variant="outlined" label="archived" /> : null}
          </Stack>
          <Typography variant="caption" color="text.secondary">
            {archivedAt ? `Archived ${archivedAt}` : `Edited ${new Date(w.updated_at).toLocaleString()}`}
          </Typography>
        </CardContent>
      </CardActionArea>
      <CardActions>
        {props.readOnly ? (
          <Button size="small" onClick={onOpen}>
            View
          </Button>
        ) : props.onRestore ? (
          <>
            <Button size="small" onClick={onOpen}>
              View
            </Button>
            <Button size="small" onClick={props.onRestore} disabled={props.restoring}>
              Restore
            </Button>
          </>
        ) : (
          <>
            <Button size="small" onClick={props.onRename}>
              Rename
            </Button>
            <Button size="small" onClick={props.onDuplicate}>
              Duplicate
            </Button>
            <Button size="small" color="error" onClick={props.onArchive}>
              Archive
            </Button>
          </>
        )}
      </CardActions>
    </Card>
  );
}
