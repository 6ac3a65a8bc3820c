/**
 * The run page follows a running run's events: when a step ends (completed or a failed
 * attempt) and when the run ends, the run's detail and timeline are fetched again. While
 * the stream is not followed (it failed, or the run ended but the index still says
 * running), the page polls instead: `live` says which.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { queryKeys } from "../api/queryKeys";
import { followRunEvents, type RunEvent } from "./runEvents";

const REFRESHING: ReadonlySet<RunEvent["event"]> = new Set([
  "step_completed",
  "attempt_failed",
  "run_completed",
  "run_failed",
]);

export function useLiveRun(runId: string, running: boolean): { live: boolean } {
  const queryClient = useQueryClient();
  // The run whose stream stopped (failed, or ended while the index still said running).
  const [stopped, setStopped] = useState<string | null>(null);

  useEffect(() => {
    if (!running || !runId) return;
    const controller = new AbortController();
    const refresh = () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.detail(runId) }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.timeline(runId) }),
      ]);
    followRunEvents(`/api/v1/runs/${encodeURIComponent(runId)}/events`, {
      signal: controller.signal,
      onEvent: (event) => {
        if (REFRESHING.has(event.event)) void refresh();
      },
    })
      .catch(() => undefined) // polling takes over
      .finally(() => {
        if (!controller.signal.aborted) setStopped(runId);
      });
    return () => controller.abort();
  }, [runId, running, queryClient]);

  return { live: running && stopped !== runId };
}
