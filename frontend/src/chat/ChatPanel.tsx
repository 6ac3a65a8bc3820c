/** The chat beside the canvas (being built: see the chat helper's brief). */
import { Box, Typography } from "@mui/material";

export interface ChatPanelProps {
  workflowId: string;
  /** A published version number, "draft" (the builder's test mode), or undefined: latest. */
  version?: number | "draft";
}

export function ChatPanel({ workflowId }: ChatPanelProps) {
  return (
    <Box sx={{ p: 2 }} data-workflow-id={workflowId}>
      <Typography variant="subtitle1">Chat</Typography>
    </Box>
  );
}
