/** A running run's answer as its LLM step writes it (the run page, while the run is followed). */
import { Paper, Stack, Typography } from "@mui/material";

import { StreamingText } from "../components/StreamingText";
import type { StreamingAnswer } from "./streamingAnswer";

export function LiveAnswer({ answer }: { answer: StreamingAnswer }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 2 }} data-testid="live-answer">
      <Stack direction="row" sx={{ alignItems: "baseline", gap: 1, mb: 1 }}>
        <Typography variant="subtitle2" component="h2">
          Live answer
        </Typography>
        <Typography variant="caption" color="text.secondary">
          step “{answer.nodeId}”
        </Typography>
      </Stack>
      {answer.text ? (
        <StreamingText text={answer.text} writing={!answer.final} testId="live-answer-text" />
      ) : (
        <Typography variant="body2" color="text.secondary">
          The step is retried: its answer starts again…
        </Typography>
      )}
    </Paper>
  );
}
