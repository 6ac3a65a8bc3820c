/** An API error shown in the conversation as a readable message. */
import { Alert, AlertTitle, Box, Link, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router-dom";

import { ApiError, messageOf } from "../api/client";

interface Problem {
  node_id?: string | null;
  field?: string | null;
  message?: string;
}

function problemsOf(error: ApiError): Problem[] {
  const problems = error.details?.problems;
  return Array.isArray(problems) ? (problems as Problem[]) : [];
}

function titleOf(error: unknown): string {
  if (!(error instanceof ApiError)) return "Something went wrong";
  switch (error.code) {
    case "graph_invalid":
      return "The workflow cannot run";
    case "run_failed":
      return "The run failed";
    case "query_too_long":
      return "The message is too long";
    case "temporal_unavailable":
      return "The workflow engine is unavailable";
    case "not_found":
      return "Not found";
    case "network":
      return "The API cannot be reached";
    default:
      return "The message could not be sent";
  }
}

/** `title`: what failed, when the error alone does not say (saving the canvas, say). */
export function ChatErrorView({ error, title }: { error: unknown; title?: string }) {
  const api = error instanceof ApiError ? error : null;
  const problems = api ? problemsOf(api) : [];
  const runId = typeof api?.details?.run_id === "string" ? api.details.run_id : null;
  const nodeId = typeof api?.details?.node_id === "string" ? api.details.node_id : null;
  return (
    <Alert severity="error" role="alert" data-testid="chat-error" sx={{ wordBreak: "break-word" }}>
      <AlertTitle sx={{ mb: 0.5 }}>
        {title ?? titleOf(error)}
        {!title && nodeId ? ` at step “${nodeId}”` : ""}
      </AlertTitle>
      <Typography variant="body2">
        {problems.length > 0 ? "Fix these in the builder, save, and ask again:" : messageOf(error)}
      </Typography>
      {problems.length > 0 ? (
        <Box component="ul" sx={{ m: 0, mt: 0.5, pl: 2.5 }}>
          {problems.map((p, i) => (
            <li key={i}>
              <Typography variant="body2">
                {p.node_id ? <strong>{p.node_id}</strong> : null}
                {p.field ? ` (${p.field})` : ""}
                {p.node_id || p.field ? ": " : ""}
                {p.message}
              </Typography>
            </li>
          ))}
        </Box>
      ) : null}
      {runId ? (
        <Link component={RouterLink} to={`/runs/${runId}`} variant="body2">
          View the failed run
        </Link>
      ) : null}
    </Alert>
  );
}
