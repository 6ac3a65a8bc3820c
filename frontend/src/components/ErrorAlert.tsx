import { Alert } from "@mui/material";

import { messageOf } from "../api/client";

/** An API error shown as its readable message (never swallowed). */
export function ErrorAlert({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <Alert severity="error" role="alert" sx={{ my: 1 }}>
      {title ? <strong>{title}: </strong> : null}
      {messageOf(error)}
    </Alert>
  );
}
