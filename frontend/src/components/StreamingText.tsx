/**
 * Text still being written (an LLM step's answer as its tokens arrive), as plain text —
 * half-written Markdown would flicker between shapes — with a blinking cursor at its end.
 */
import { keyframes } from "@emotion/react";
import { Box } from "@mui/material";

const blink = keyframes`
  50% { opacity: 0; }
`;

export interface StreamingTextProps {
  text: string;
  /** Still being written: the cursor shows. */
  writing?: boolean;
  /** On the element holding the text (the cursor adds none to it). */
  testId?: string;
}

export function StreamingText({ text, writing = true, testId }: StreamingTextProps) {
  return (
    // Busy while written: a live region around it announces the answer once, not each token.
    <Box data-testid={testId} aria-busy={writing} sx={{ typography: "body2", whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
      {text}
      {writing ? (
        <Box
          component="span"
          aria-hidden
          sx={{
            display: "inline-block",
            width: "0.45em",
            height: "1em",
            ml: 0.25,
            verticalAlign: "text-bottom",
            bgcolor: "text.secondary",
            opacity: 0.6,
            animation: `${blink} 1s step-end infinite`,
            "@media (prefers-reduced-motion: reduce)": { animation: "none" },
          }}
        />
      ) : null}
    </Box>
  );
}
