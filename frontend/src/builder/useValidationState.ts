/**
 * The last validation's outcome: the steps of a valid graph, or the problems of an invalid
 * one (shown on the nodes at fault and in a list). Publishing reports problems the same way.
 */
import { useCallback, useState } from "react";

import { ApiError } from "../api/client";
import { problemsOf, type Problem } from "./context";

export type Validation = { ok: true; steps: string[] } | { ok: false; message: string } | null;

export function useValidationState() {
  const [problems, setProblems] = useState<Problem[]>([]);
  const [validation, setValidation] = useState<Validation>(null);

  /** Shows a graph_invalid error's problems; false for any other error. */
  const showProblems = useCallback((err: unknown) => {
    if (err instanceof ApiError && err.code === "graph_invalid") {
      setProblems(problemsOf(err.details));
      setValidation({ ok: false, message: err.message });
      return true;
    }
    return false;
  }, []);

  const showValid = useCallback((steps: string[]) => {
    setProblems([]);
    setValidation({ ok: true, steps });
  }, []);

  /** Hides the outcome's message (the nodes keep their outlines). */
  const dismiss = useCallback(() => setValidation(null), []);

  /** Forgets the outcome: the graph changed as a whole (publish, import, restore). */
  const clear = useCallback(() => {
    setProblems([]);
    setValidation(null);
  }, []);

  return { problems, validation, showProblems, showValid, dismiss, clear };
}

export type ValidationState = ReturnType<typeof useValidationState>;
