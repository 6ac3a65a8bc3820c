/** A file on its way: "Uploading notes.pdf… 42%" with a bar of the bytes sent. */
import { Box, LinearProgress, Typography } from "@mui/material";

import { uploadPercentage } from "./upload";
import type { Upload } from "./useUploads";

export function UploadRow({ upload }: { upload: Upload }) {
  const percentage = uploadPercentage(upload.progress);
  const label = !upload.progress
    ? `Waiting to upload ${upload.filename}…`
    : percentage === 100
      ? `Uploaded ${upload.filename}; waiting for the server…`
      : `Uploading ${upload.filename}…${percentage === null ? "" : ` ${percentage}%`}`;
  return (
    <Box sx={{ mt: 1 }} data-testid="upload-pending">
      <Typography variant="body2" sx={{ fontVariantNumeric: "tabular-nums", wordBreak: "break-word" }}>
        {label}
      </Typography>
      <LinearProgress
        aria-label={`Uploading ${upload.filename}`}
        variant={percentage === null || percentage === 100 ? "indeterminate" : "determinate"}
        value={percentage ?? undefined}
      />
    </Box>
  );
}
