/** The builder's passing messages (saved, published, imported, a refused connection...) in a snackbar. */
import { Alert, Snackbar } from "@mui/material";

export type Notice = { severity: "success" | "info" | "warning" | "error"; message: string } | null;

export function NoticeSnackbar({ notice, onClose }: { notice: Notice; onClose: () => void }) {
  return (
    <Snackbar
      open={notice !== null}
      autoHideDuration={notice?.severity === "error" ? 10000 : 6000}
      onClose={(_, reason) => reason !== "clickaway" && onClose()}
      anchorOrigin={{ vertical: "bottom", horizontal: "center" }}
    >
      {notice ? (
        <Alert severity={notice.severity} onClose={onClose} variant="filled" data-testid="notice">
          {notice.message}
        </Alert>
      ) : undefined}
    </Snackbar>
  );
}
