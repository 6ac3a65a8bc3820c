import { Chip } from "@mui/material";

const COLORS: Record<string, "default" | "success" | "error" | "warning" | "info"> = {
  completed: "success",
  failed: "error",
  running: "info",
  queued: "default",
  cancelled: "warning",
  reused: "default",
  pending: "default",
  timed_out: "error",
};

/** A run, step or document status as a coloured chip. */
export function StatusChip({ status, emptyLabel = "—" }: { status: string | null; emptyLabel?: string }) {
  if (!status) return <Chip size="small" variant="outlined" label={emptyLabel} />;
  return <Chip size="small" color={COLORS[status] ?? "default"} label={status.replace("_", " ")} />;
}
