/** Drop files here, or pick them with the button (a hidden file input). */
import UploadFileIcon from "@mui/icons-material/UploadFile";
import { Box, Button, Typography } from "@mui/material";
import { useRef, useState, type DragEvent } from "react";

export const ACCEPTED = ".pdf,.docx,.txt,.md,.markdown,application/pdf,text/plain,text/markdown";

export function DropZone({
  onFiles,
  disabled = false,
}: {
  onFiles: (files: File[]) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer.types).includes("Files");

  return (
    <Box
      data-testid="drop-zone"
      onDragEnter={(event) => {
        if (disabled || !hasFiles(event)) return;
        event.preventDefault();
        setOver(true);
      }}
      onDragOver={(event) => {
        if (disabled || !hasFiles(event)) return;
        event.preventDefault(); // allows the drop
        event.dataTransfer.dropEffect = "copy";
        setOver(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(false);
      }}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        if (disabled) return;
        const files = Array.from(event.dataTransfer.files);
        if (files.length) onFiles(files);
      }}
      sx={{
        border: 2,
        borderStyle: "dashed",
        borderColor: over ? "primary.main" : "divider",
        bgcolor: over ? "action.hover" : "transparent",
        borderRadius: 2,
        p: { xs: 2, sm: 3 },
        textAlign: "center",
        transition: "border-color 120ms, background-color 120ms",
        opacity: disabled ? 0.6 : 1,
      }}
    >
      <UploadFileIcon color={over ? "primary" : "action"} sx={{ fontSize: 36 }} />
      <Typography sx={{ mb: 1 }}>
        {over ? "Drop to upload" : "Drag PDF, DOCX, text or Markdown files here"}
      </Typography>
      <Button variant="outlined" onClick={() => input.current?.click()} disabled={disabled}>
        Choose files
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ACCEPTED}
        aria-label="Upload documents"
        data-testid="file-input"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = ""; // the same file may be chosen again
          if (files.length) onFiles(files);
        }}
      />
    </Box>
  );
}
