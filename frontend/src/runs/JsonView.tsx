/** A value as indented JSON, scrollable when long. */
import { Box, Typography } from "@mui/material";

export function JsonView({ value, label }: { value: unknown; label?: string }) {
  const text = value === undefined ? "—" : JSON.stringify(value, null, 2);
  return (
    <Box sx={{ minWidth: 0 }}>
      {label ? (
        <Typography variant="caption" color="text.secondary" component="div" sx={{ fontWeight: 600 }}>
          {label}
        </Typography>
      ) : null}
      <Box
        component="pre"
        aria-label={label}
        sx={{
          m: 0,
          p: 1,
          bgcolor: "grey.50",
          border: 1,
          borderColor: "divider",
          borderRadius: 1,
          fontSize: 12,
          fontFamily: "monospace",
          maxHeight: 320,
          overflow: "auto",
          whiteSpace: "pre-wrap",
          wordBreak: "break-word",
        }}
      >
        {text}
      </Box>
    </Box>
  );
}
