/**
 * Above the canvas: why saving or validating failed, and the last validation's outcome —
 * the steps of a valid graph, or each problem with a link selecting its node.
 */
import { Alert, AlertTitle, Box, Link } from "@mui/material";

import { ApiError } from "../api/client";
import { ErrorAlert } from "../components/ErrorAlert";
import type { Problem } from "./context";
import type { Validation } from "./useValidationState";

export interface ValidationResultProps {
  saveError: unknown;
  validateError: unknown;
  validation: Validation;
  problems: Problem[];
  onSelectNode: (id: string) => void;
  /** Closes the message of a valid graph. */
  onDismiss: () => void;
  /** Closes the problems (the nodes lose their outlines). */
  onClear: () => void;
}

export function ValidationResult({
  saveError,
  validateError,
  validation,
  problems,
  onSelectNode,
  onDismiss,
  onClear,
}: ValidationResultProps) {
  return (
    <Box sx={{ px: 1.5 }}>
      <ErrorAlert error={saveError} title="Could not save" />
      {validateError && !(validateError instanceof ApiError && validateError.code === "graph_invalid") ? (
        <ErrorAlert error={validateError} title="Could not validate" />
      ) : null}
      {validation?.ok ? (
        <Alert severity="success" sx={{ my: 1 }} onClose={onDismiss} data-testid="validation-result">
          The workflow is valid: {validation.steps.length} steps ({validation.steps.join(" → ")}).
        </Alert>
      ) : null}
      {validation && !validation.ok ? (
        <Alert
          severity="error"
          sx={{ my: 1, maxHeight: 150, overflow: "auto" }}
          onClose={onClear}
          data-testid="validation-result"
        >
          <AlertTitle sx={{ mb: 0 }}>
            {problems.length} problem{problems.length === 1 ? "" : "s"} — the nodes at fault are outlined in red
          </AlertTitle>
          {problems.map((p, i) => (
            <Box key={i} component="div" sx={{ fontSize: 13 }}>
              {p.node_id ? (
                <Link
                  component="button"
                  type="button"
                  onClick={() => onSelectNode(p.node_id!)}
                  sx={{ mr: 0.5, verticalAlign: "baseline" }}
                >
                  {p.node_id}
                </Link>
              ) : null}
              {p.message}
            </Box>
          ))}
        </Alert>
      ) : null}
    </Box>
  );
}
